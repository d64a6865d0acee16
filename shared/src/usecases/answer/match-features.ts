import type { GateFeatures } from './answer-gate';
import type { Bm25Index } from './bm25';

/** The two sides of the FAQ index (what each FAQ asks, what it answers), as the gate reads them. */
export type SidedIndex = { asks: Bm25Index; answers: Bm25Index; answerWeight: number };

/** A token that is evidence on its own: a character pair, a lexicon concept or a word; not one character or a bare number. */
export const isEvidence = (t: string) => t.length >= 2 && !/^\d+$/.test(t);

export type RankScores = {
  /** The query's tokens (uni+bigrams and concept tokens). */
  q: string[];
  /** The query's lexicon concepts. */
  concepts: string[];
  asks: number[];
  answers: number[];
  best: number;
  runner: number;
  /** Combined score of the best and the runner-up, and the most the query could score. */
  s1: number;
  s2: number;
  ideal: number;
  /** The hand-set confidence (top score over the ideal, and the margin). */
  confidence: number;
  /** Characters in the question as asked. */
  chars: number;
  /** The evidence tokens of each way the best FAQ is asked (its question and alternatives). */
  phrases: string[][];
};

/**
 * Features of the best match that carry across trades (answer-gate.ts). Token weights are the
 * rarer of each token's two idfs; a token no FAQ has weighs as the rarest possible.
 */
export function matchFeatures(index: SidedIndex, r: RankScores): GateFeatures {
  const n = Math.max(index.asks.size, 1);
  const rarest = Math.log(1 + (n + 0.5) / 0.5);
  const evidence = [...new Set(r.q.filter(isEvidence))];
  const has = (t: string, doc: number) => doc >= 0 && (index.asks.has(t, doc) || index.answers.has(t, doc));
  let total = 0;
  let covered = 0;
  let coveredAsks = 0;
  let unseen = 0;
  let runner = 0;
  let missingMax = 0;
  let matched = 0;
  for (const t of evidence) {
    const idf = Math.max(index.asks.idf(t), index.answers.idf(t));
    const weight = idf > 0 ? idf : rarest;
    total += weight;
    if (idf === 0) {
      unseen += weight;
      continue;
    }
    if (has(t, r.best)) {
      covered += weight;
      matched++;
      if (index.asks.has(t, r.best)) coveredAsks += weight;
    } else missingMax = Math.max(missingMax, idf / rarest);
    if (has(t, r.runner)) runner += weight;
  }
  const share = (x: number) => (total > 0 ? x / total : 0);
  // how much of one way of asking the FAQ the question says: "打耳骨多少钱" says little of "纹身怎么收费"
  const said = new Set(r.q);
  let faqCover = 0;
  for (const phrase of r.phrases) {
    let all = 0;
    let hit = 0;
    for (const t of phrase) {
      const idf = Math.max(index.asks.idf(t), index.answers.idf(t));
      all += idf;
      if (said.has(t)) hit += idf;
    }
    if (all > 0) faqCover = Math.max(faqCover, hit / all);
  }
  let bestAsked = -1;
  r.asks.forEach((x, i) => {
    if (bestAsked < 0 || x > r.asks[bestAsked]!) bestAsked = i;
  });
  const bestAsks = r.best >= 0 ? r.asks[r.best]! : 0;
  const bestAnswers = r.best >= 0 ? index.answerWeight * r.answers[r.best]! : 0;
  return {
    confidence: r.confidence,
    ratio: r.ideal > 0 ? Math.log(1 + (20 * r.s1) / r.ideal) : 0,
    margin: r.s1 > 0 ? (r.s1 - r.s2) / r.s1 : 0,
    askShare: bestAsks + bestAnswers > 0 ? bestAsks / (bestAsks + bestAnswers) : 0,
    cover: share(covered),
    coverAsks: share(coveredAsks),
    missingMax,
    unseen: share(unseen),
    runnerCover: share(runner),
    length: Math.log(1 + r.chars),
    matched: Math.log(1 + matched),
    concept: r.concepts.some((c) => has(c, r.best)) ? 1 : 0,
    agree: r.best >= 0 && bestAsked === r.best ? 1 : 0,
    faqCover,
  };
}
