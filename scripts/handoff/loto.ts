/**
 * Pieces of leave-one-trade-out shared by scripts/train-handoff.ts and scripts/eval-loto.ts: the
 * engine's result without the model, the engine's decision with it (the same steps as
 * engine.ts, so thresholds can be chosen without rebuilding an engine per candidate), and the
 * threshold search.
 */
import { countCases, scoresOf } from '../../cloudfunctions/server/cli/eval-score';
import { standardize } from '../../shared/src/usecases/answer/colloquial';
import { loadAnswerGate, type AnswerGateData } from '../../shared/src/usecases/answer/answer-gate';
import { createOfflineEngine } from '../../shared/src/usecases/answer/engine';
import { loadHandoffModel, type HandoffModelData } from '../../shared/src/usecases/answer/handoff-model';
import { memberTerms } from '../../shared/src/usecases/answer/handoff-signals';
import type { CorpusCase, Trade } from './corpus';
import { trainHandoffModel, type TrainOptions } from './train';

/** What the engine does with the rules alone (and this answer gate; the shipped one by default): `handoff` (a rule), a FAQ id, or `clarify`. */
export function rulesOnly(t: Trade, gate?: AnswerGateData): string[] {
  const e = createOfflineEngine(t.kb, { handoffModel: null, ...(gate ? { answerGate: loadAnswerGate(gate) } : {}) });
  return t.cases.map((c) => e.answer(c.q).got);
}

/** The model's probability for each of a trade's cases, as the engine computes it. */
export function probabilities(model: HandoffModelData, t: Trade): number[] {
  const m = loadHandoffModel(model);
  const ctx = memberTerms(t.kb.members ?? []);
  return t.cases.map((c) => m.score(standardize(c.q), ctx));
}

export type Thresholds = HandoffModelData['thresholds'];
export type Scored = { c: CorpusCase; base: string; p: number };

/** engine.ts's order: a rule, then a sure model, then retrieval, then an unsure model instead of a clarifying question. */
export function decide(base: string, p: number, th: Thresholds): string {
  if (base === 'handoff') return base;
  if (p >= th.handoff) return 'handoff';
  if (base === 'clarify' && p >= th.unsure) return 'handoff';
  return base;
}

export const TARGETS = { handoff_recall: 0.92, precision: 0.96, coverage: 0.75 };
/**
 * What the thresholds aim at: the targets, with recall raised to 0.99 — a missed complaint
 * or harm costs a shop most, and without this the search gives recall (which has room above 0.92)
 * away for coverage.
 */
export const AIMS = { ...TARGETS, handoff_recall: 0.99 };
/**
 * Answerable questions sent to a person cost the owner time that no figure above shows (a
 * clarifying question and a handoff both count as "not answered"): at most this share of them.
 */
export const MAX_NEEDLESS_HANDOFFS = 0.08;

/**
 * Thresholds that best meet the targets on the given (out-of-fold) scores: the smallest total
 * shortfall below the three targets and above the needless-handoff cap; where none falls short,
 * the largest smallest margin.
 */
export function chooseThresholds(items: Scored[]): Thresholds {
  let best: { th: Thresholds; short: number; min: number } | undefined;
  for (let h = 0.1; h <= 0.981; h += 0.01) {
    for (let u = 0.05; u <= h + 1e-9; u += 0.025) {
      const th = { handoff: round2(h), unsure: round3(u) };
      const s = scoresOf(countCases(items.map((x) => ({ expect: x.c.expect, got: decide(x.base, x.p, th), accept: x.c.accept }))));
      const needless = items.filter((x) => x.c.expect !== 'handoff' && !(x.c.accept ?? []).includes('handoff') && decide(x.base, x.p, th) === 'handoff').length;
      const answerable = items.filter((x) => x.c.expect !== 'handoff').length;
      const m = [s.handoff_recall - AIMS.handoff_recall, s.precision - AIMS.precision, s.coverage - AIMS.coverage, MAX_NEEDLESS_HANDOFFS - needless / Math.max(1, answerable)];
      const short = m.reduce((a, x) => a + Math.max(0, -x), 0);
      const min = Math.min(...m);
      if (!best || short < best.short - 1e-12 || (Math.abs(short - best.short) <= 1e-12 && min > best.min + 1e-12)) best = { th, short, min };
    }
  }
  return best!.th;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Out-of-fold probabilities for every case of `trades`: the trades split into `folds` groups (in
 * corpus order, round robin), each group scored by a model trained on the others.
 */
export function outOfFold(trades: Trade[], bases: Map<string, string[]>, folds: number, o: TrainOptions): Scored[] {
  const out: Scored[] = [];
  const k = Math.min(folds, trades.length);
  for (let f = 0; f < k; f++) {
    const held = trades.filter((_, i) => i % k === f);
    const model = trainHandoffModel(
      trades.filter((_, i) => i % k !== f),
      o,
    );
    for (const t of held) {
      const p = probabilities(model, t);
      const base = bases.get(t.trade)!;
      t.cases.forEach((c, i) => out.push({ c, base: base[i]!, p: p[i]! }));
    }
  }
  return out;
}
