/**
 * Offline training of the handoff model (shared/src/usecases/answer/handoff-model.ts): a class-
 * balanced, L2-regularized logistic regression, full-batch Adam from zero weights, so the same data
 * in the same order always gives the same model. Used by scripts/train-handoff.ts (the shipped
 * model) and scripts/eval-loto.ts (one model per held-out trade).
 */
import { handoffFeatures, type HandoffModelData } from '../../shared/src/usecases/answer/handoff-model';
import { memberTerms, type SignalContext } from '../../shared/src/usecases/answer/handoff-signals';
import { standardize } from '../../shared/src/usecases/answer/colloquial';
import type { Trade } from './corpus';

export type TrainOptions = {
  maxN: number;
  /** An n-gram enters the vocabulary only if it occurs in at least this many trades. */
  minTrades: number;
  /** L2 strength (on the mean loss). */
  l2: number;
  epochs: number;
  lr: number;
  /** Features kept after the first fit (largest |weight|); the model is then refit on them. */
  keep: number;
  /** Quantization levels each side of zero. */
  levels: number;
  /** Also learn from each FAQ's own question and alternatives, as messages that need no person. */
  faqNegatives: boolean;
  /** See HandoffModelData.normFloor. */
  normFloor: number;
};

export const DEFAULT_TRAIN: TrainOptions = { maxN: 3, minTrades: 2, l2: 1e-6, epochs: 300, lr: 0.05, keep: 4000, levels: 127, faqNegatives: true, normFloor: 8 };

export type Sample = { text: string; y: 0 | 1; ctx: SignalContext; trade: string };

/** The engine sees standardized text (colloquial.ts); so does training. */
export function samplesOf(trades: Trade[], faqNegatives: boolean): Sample[] {
  const out: Sample[] = [];
  for (const t of trades) {
    const ctx = memberTerms(t.kb.members ?? []);
    for (const c of t.cases) out.push({ text: standardize(c.q), y: c.expect === 'handoff' ? 1 : 0, ctx, trade: t.trade });
    if (faqNegatives) for (const f of t.kb.faqs) for (const q of [f.question, ...(f.alternatives ?? [])]) out.push({ text: standardize(q), y: 0, ctx, trade: t.trade });
  }
  return out;
}

export type Vec = { idx: Int32Array; val: Float64Array };

export function fit(xs: Vec[], ys: number[], sw: number[], dim: number, o: TrainOptions): { w: Float64Array; b: number } {
  const w = new Float64Array(dim);
  let b = 0;
  const m = new Float64Array(dim + 1);
  const v = new Float64Array(dim + 1);
  const g = new Float64Array(dim + 1);
  const sumW = sw.reduce((a, x) => a + x, 0);
  const b1 = 0.9;
  const b2 = 0.999;
  for (let ep = 1; ep <= o.epochs; ep++) {
    g.fill(0);
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      let z = b;
      for (let k = 0; k < x.idx.length; k++) z += w[x.idx[k]!]! * x.val[k]!;
      const p = 1 / (1 + Math.exp(-z));
      const d = (sw[i]! * (p - ys[i]!)) / sumW;
      for (let k = 0; k < x.idx.length; k++) g[x.idx[k]!] += d * x.val[k]!;
      g[dim] += d;
    }
    for (let j = 0; j < dim; j++) g[j] += o.l2 * w[j]!;
    const c1 = 1 - b1 ** ep;
    const c2 = 1 - b2 ** ep;
    for (let j = 0; j <= dim; j++) {
      m[j] = b1 * m[j]! + (1 - b1) * g[j]!;
      v[j] = b2 * v[j]! + (1 - b2) * g[j]! * g[j]!;
      const step = (o.lr * (m[j]! / c1)) / (Math.sqrt(v[j]! / c2) + 1e-8);
      if (j === dim) b -= step;
      else w[j] -= step;
    }
  }
  return { w, b };
}

/** A sample's n-grams and signals, before any vocabulary (the same sample recurs in every fold). */
const rawCache = new Map<string, string[]>();
function raw(s: Sample, maxN: number): string[] {
  const key = `${maxN}\u0000${s.ctx.names.join(',')}\u0000${s.ctx.roles.join(',')}\u0000${s.text}`;
  let r = rawCache.get(key);
  if (!r) rawCache.set(key, (r = [...handoffFeatures(s.text, maxN, () => true, s.ctx).keys()]));
  return r;
}

function vectorize(samples: Sample[], vocab: Map<string, number>, maxN: number, normFloor: number): Vec[] {
  return samples.map((s) => {
    // the same weighting as handoffFeatures: known n-grams at 1/sqrt(count), signals at 1
    const keys = raw(s, maxN)
      .filter((f) => vocab.has(f))
      .sort();
    const grams = keys.filter((k) => !k.startsWith('#')).length;
    const v = grams ? 1 / Math.sqrt(Math.max(grams, normFloor)) : 0;
    return { idx: Int32Array.from(keys.map((k) => vocab.get(k)!)), val: Float64Array.from(keys.map((k) => (k.startsWith('#') ? 1 : v))) };
  });
}

/** Class-balanced sample weights: each class carries half the total. */
function balance(ys: number[]): number[] {
  const pos = ys.filter((y) => y === 1).length;
  const neg = ys.length - pos;
  return ys.map((y) => (y === 1 ? ys.length / (2 * Math.max(1, pos)) : ys.length / (2 * Math.max(1, neg))));
}

/** Trains on `trades` and returns the model as stored (thresholds left for the caller to set). */
export function trainHandoffModel(trades: Trade[], o: TrainOptions = DEFAULT_TRAIN): HandoffModelData {
  const samples = samplesOf(trades, o.faqNegatives);
  // vocabulary: n-grams seen in at least `minTrades` trades (a word of one trade only does not carry), plus every signal
  const seenIn = new Map<string, Set<string>>();
  for (const s of samples) {
    for (const g of raw(s, o.maxN)) {
      let set = seenIn.get(g);
      if (!set) seenIn.set(g, (set = new Set()));
      set.add(s.trade);
    }
  }
  const feats = [...seenIn.entries()]
    .filter(([f, t]) => f.startsWith('#') || t.size >= o.minTrades)
    .map(([f]) => f)
    .sort();
  const ys = samples.map((s) => s.y);
  const sw = balance(ys);
  let vocab = new Map(feats.map((f, i) => [f, i]));
  let { w } = fit(vectorize(samples, vocab, o.maxN, o.normFloor), ys, sw, vocab.size, o);
  // keep the strongest features, then refit on exactly those (the runtime normalizes over them)
  const kept = feats
    .map((f, i) => ({ f, a: Math.abs(w[i]!) }))
    .sort((x, y) => y.a - x.a || (x.f < y.f ? -1 : 1))
    .slice(0, o.keep)
    .map((x) => x.f)
    .sort();
  vocab = new Map(kept.map((f, i) => [f, i]));
  const refit = fit(vectorize(samples, vocab, o.maxN, o.normFloor), ys, sw, vocab.size, o);
  w = refit.w;
  const max = Math.max(1e-9, ...Array.from(w, Math.abs));
  const scale = max / o.levels;
  const weights: Record<string, number> = {};
  kept.forEach((f, i) => {
    weights[f] = Math.round(w[i]! / scale);
  });
  return {
    version: 1,
    maxN: o.maxN,
    normFloor: o.normFloor,
    scale: Number(scale.toPrecision(6)),
    bias: Number(refit.b.toFixed(6)),
    weights,
    thresholds: { handoff: 1, unsure: 1 },
  };
}
