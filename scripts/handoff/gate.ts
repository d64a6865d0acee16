/**
 * Offline training of the answer gate (shared/src/usecases/answer/answer-gate.ts): a logistic
 * regression (natural class weights, so its output reads as a probability) over the features of
 * retrieval's best FAQ for every answerable case of the given trades, labelled by whether it is the
 * expected one. The engine answers when that probability reaches the threshold, chosen on
 * out-of-fold scores: the most answers at a precision of at least GATE_PRECISION. Deterministic like the handoff model: fixed
 * order, zero start, full batch.
 */
import { featureVector, GATE_FEATURES, loadAnswerGate, type AnswerGateData, type GateFeatures } from '../../shared/src/usecases/answer/answer-gate';
import { createOfflineEngine } from '../../shared/src/usecases/answer/engine';
import type { Trade } from './corpus';
import { fit, type TrainOptions, type Vec } from './train';

/** Precision the threshold aims at on scores the gate was not trained on (the 0.96, plus room for two-part answers and missed handoffs). */
export const GATE_PRECISION = 0.97;
const GATE_TRAIN: Pick<TrainOptions, 'l2' | 'epochs' | 'lr'> = { l2: 1e-4, epochs: 600, lr: 0.05 };

/** One answerable case: the features of retrieval's best FAQ and whether it is the expected one. */
export type GateCase = { trade: string; f: GateFeatures; y: 0 | 1 };

const cache = new Map<Trade, GateCase[]>();
export function gateCases(trades: Trade[]): GateCase[] {
  const out: GateCase[] = [];
  for (const t of trades) {
    let s = cache.get(t);
    if (!s) {
      const e = createOfflineEngine(t.kb, { handoffModel: null, answerGate: null });
      s = [];
      for (const c of t.cases) {
        if (c.expect === 'handoff') continue;
        const m = e.bestMatch(c.q);
        // nothing in common with any FAQ, or only single characters: the gate is never asked (engine.ts)
        if (m && m.features.matched > 0) s.push({ trade: t.trade, f: m.features, y: m.id === c.expect ? 1 : 0 });
      }
      cache.set(t, s);
    }
    out.push(...s);
  }
  return out;
}

const vec = (f: GateFeatures): Vec => ({ idx: Int32Array.from(GATE_FEATURES.map((_, i) => i)), val: Float64Array.from(featureVector(f)) });

export function trainGate(trades: Trade[]): AnswerGateData {
  const samples = gateCases(trades);
  const { w, b } = fit(
    samples.map((s) => vec(s.f)),
    samples.map((s) => s.y),
    samples.map(() => 1),
    GATE_FEATURES.length,
    { ...GATE_TRAIN, maxN: 0, minTrades: 0, keep: 0, levels: 0, faqNegatives: false, normFloor: 0 },
  );
  return { version: 1, features: [...GATE_FEATURES], weights: Array.from(w, (x) => Number(x.toFixed(6))), bias: Number(b.toFixed(6)), threshold: 0.5 };
}

/** Out-of-fold (probability, right) pairs: the trades in `folds` round-robin groups, each scored by a gate trained on the others. */
export function gateOutOfFold(trades: Trade[], folds: number): { p: number; y: 0 | 1 }[] {
  const k = Math.min(folds, trades.length);
  const out: { p: number; y: 0 | 1 }[] = [];
  for (let f = 0; f < k; f++) {
    const g = loadAnswerGate(trainGate(trades.filter((_, i) => i % k !== f)));
    for (const c of gateCases(trades.filter((_, i) => i % k === f))) out.push({ p: g.p(c.f), y: c.y });
  }
  return out;
}

/** The lowest threshold (most answers) whose answers are right at least `precision` of the time. */
export function chooseGateThreshold(scored: { p: number; y: 0 | 1 }[], precision = GATE_PRECISION): number {
  const sorted = [...scored].sort((a, b) => b.p - a.p);
  let right = 0;
  let best = 1;
  sorted.forEach((s, i) => {
    right += s.y;
    const next = sorted[i + 1];
    // a cut between two different probabilities only
    if (right / (i + 1) >= precision && (!next || next.p < s.p)) best = s.p;
  });
  return Number(best.toFixed(4));
}

/** Trains on `trades` with a threshold from `folds`-fold out-of-fold scores over the same trades. */
export function trainGateWithThreshold(trades: Trade[], folds: number): AnswerGateData {
  const g = trainGate(trades);
  return { ...g, threshold: chooseGateThreshold(gateOutOfFold(trades, folds)) };
}
