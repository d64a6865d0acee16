/**
 * Scoring for `eval answers` (ARCHITECTURE §5) and the leave-one-trade-out script: precision,
 * coverage and handoff recall, each with its 95% Wilson interval. A case's `accept` lists other
 * outcomes that are also right (e.g. `"handoff"` where a careful person might take it too).
 *
 * A message with two requests (issue 13 §3): the engine hands it off and `answered` lists the FAQs
 * it answered in the same reply. A case's `expectAnswered` (the case file's `answered`) says which
 * it should answer: such a case is right when it was handed off with exactly those FAQs answered
 * (`two_part`). Every FAQ answered inside a handoff is an answer the customer read, so it counts
 * in precision too (right when the case expects it).
 */

/** `suggestion`: on a clarifying question, the FAQ it names ("您是想问「…」吗？"); a "是的" next answers it. */
export type ScoredCase = { expect: string; got: string; accept?: readonly string[]; answered?: readonly string[]; expectAnswered?: readonly string[]; suggestion?: string };

export type Scores = {
  n: number;
  precision: number;
  coverage: number;
  handoff_recall: number;
  precision_ci: [number, number];
  coverage_ci: [number, number];
  handoff_recall_ci: [number, number];
  /** Two-part cases (handed off, the rest answered) right, of `two_part_n`. */
  two_part: number;
  two_part_n: number;
  two_part_ci: [number, number];
  /** Answerable cases answered right, or met with a clarifying question naming the right FAQ: right after one "是的". */
  confirmed_coverage: number;
  confirmed_coverage_ci: [number, number];
};

/** The counts behind the fractions, so several shops' results can be pooled before dividing. */
export type Counts = {
  n: number;
  answers: number;
  correctAnswers: number;
  answerable: number;
  covered: number;
  handoffCases: number;
  handedOff: number;
  twoPartCases: number;
  twoPartRight: number;
  /** Answerable cases right, or asked about with the right FAQ named. */
  confirmed: number;
};

const round4 = (x: number) => Math.round(x * 10000) / 10000;
export const ratio = (a: number, b: number) => (b === 0 ? 0 : round4(a / b));

/** 95% Wilson score interval for k successes in n trials; with no trials, nothing is known: [0, 1]. */
export function wilson(k: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const mid = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [round4(Math.max(0, mid - half)), round4(Math.min(1, mid + half))];
}

/** A greeting answered in kind (`chitchat`) is no FAQ answer. */
const isAnswer = (got: string) => got !== 'handoff' && got !== 'clarify' && got !== 'chitchat';
export const isRight = (c: ScoredCase) => c.got === c.expect || (c.accept ?? []).includes(c.got);

export function countCases(cases: readonly ScoredCase[]): Counts {
  const c: Counts = { n: cases.length, answers: 0, correctAnswers: 0, answerable: 0, covered: 0, handoffCases: 0, handedOff: 0, twoPartCases: 0, twoPartRight: 0, confirmed: 0 };
  for (const x of cases) {
    const expected = x.expectAnswered ?? [];
    const answered = x.got === 'handoff' ? [...new Set(x.answered ?? [])] : [];
    for (const id of answered) {
      c.answers++;
      if (expected.includes(id)) c.correctAnswers++;
    }
    if (expected.length) {
      c.twoPartCases++;
      if (x.got === 'handoff' && answered.length === new Set(expected).size && answered.every((id) => expected.includes(id))) c.twoPartRight++;
    }
    if (isAnswer(x.got)) {
      c.answers++;
      if (isRight(x)) c.correctAnswers++;
    }
    if (x.expect === 'handoff') {
      c.handoffCases++;
      if (x.got === 'handoff') c.handedOff++;
    } else {
      c.answerable++;
      // an accepted handoff on an answerable case is a right outcome, not a miss
      if (isRight(x)) c.covered++;
      if (isRight(x) || (x.got === 'clarify' && x.suggestion !== undefined && (x.suggestion === x.expect || (x.accept ?? []).includes(x.suggestion)))) c.confirmed++;
    }
  }
  return c;
}

export const addCounts = (a: Counts, b: Counts): Counts => ({
  n: a.n + b.n,
  answers: a.answers + b.answers,
  correctAnswers: a.correctAnswers + b.correctAnswers,
  answerable: a.answerable + b.answerable,
  covered: a.covered + b.covered,
  handoffCases: a.handoffCases + b.handoffCases,
  handedOff: a.handedOff + b.handedOff,
  twoPartCases: a.twoPartCases + b.twoPartCases,
  twoPartRight: a.twoPartRight + b.twoPartRight,
  confirmed: a.confirmed + b.confirmed,
});

export function scoresOf(c: Counts): Scores {
  return {
    n: c.n,
    precision: ratio(c.correctAnswers, c.answers),
    coverage: ratio(c.covered, c.answerable),
    handoff_recall: ratio(c.handedOff, c.handoffCases),
    precision_ci: wilson(c.correctAnswers, c.answers),
    coverage_ci: wilson(c.covered, c.answerable),
    handoff_recall_ci: wilson(c.handedOff, c.handoffCases),
    two_part: ratio(c.twoPartRight, c.twoPartCases),
    two_part_n: c.twoPartCases,
    two_part_ci: wilson(c.twoPartRight, c.twoPartCases),
    confirmed_coverage: ratio(c.confirmed, c.answerable),
    confirmed_coverage_ci: wilson(c.confirmed, c.answerable),
  };
}
