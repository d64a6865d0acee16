/**
 * The learned handoff signal (issue 13): a logistic regression over a message's character 1–3-grams
 * (L2-normalized presence) plus the structured signals of handoff-signals.ts, trained offline on the
 * blind corpus by scripts/train-handoff.ts and shipped as data (handoff-model.json). Scoring is a
 * few dozen map lookups: no I/O, no platform API.
 */
import { handoffSignals, NO_MEMBERS, type SignalContext } from './handoff-signals';
import { normalize } from './tokenize';

/** The model as stored: integer weights (× `scale`), thresholds chosen by leave-one-trade-out. */
export type HandoffModelData = {
  version: number;
  /** Longest character n-gram. */
  maxN: number;
  /** N-gram weights are 1/√max(count, normFloor): a three-character message is not three times as sure. */
  normFloor?: number;
  /** Real weight = stored integer × scale. */
  scale: number;
  bias: number;
  /** Feature → quantized weight; n-grams as text, signals as `#name`. */
  weights: Record<string, number>;
  thresholds: {
    /** At or above: hand off whatever retrieval found. */
    handoff: number;
    /** At or above, when retrieval would ask a clarifying question: hand off instead. */
    unsure: number;
  };
  /** How it was trained (data, options), for the record. */
  trainedOn?: Record<string, unknown>;
};

export type HandoffModel = {
  /** Probability (0–1) that a person should take this message. */
  score(text: string, ctx?: SignalContext): number;
  thresholds: HandoffModelData['thresholds'];
};

/**
 * The text as the n-grams see it: normalized, digits as 0, `?`/`!` kept (they carry tone), other
 * punctuation and spaces one space, `^`/`$` at the ends so "…吗$" differs from "吗…".
 */
export function ngramText(text: string): string {
  const t = normalize(text)
    .replace(/[0-9]+/g, '0')
    .replace(/[？?]+/g, '?')
    .replace(/[！!]+/g, '!')
    .replace(/[\s\p{P}\p{S}]+/gu, (m) => (m.includes('?') ? '?' : m.includes('!') ? '!' : ' '))
    .trim();
  return `^${t}$`;
}

/** Distinct character n-grams (1..maxN) of a message, ends marked; spaces only inside. */
export function ngrams(text: string, maxN: number): string[] {
  const chars = Array.from(ngramText(text));
  const out = new Set<string>();
  for (let n = 1; n <= maxN; n++) {
    for (let i = 0; i + n <= chars.length; i++) {
      const g = chars.slice(i, i + n).join('');
      if (g === '^' || g === '$' || g.startsWith(' ') || g.endsWith(' ')) continue;
      out.add(g);
    }
  }
  return [...out];
}

/**
 * A message's features: each known n-gram at 1/√(number of known n-grams, at least `normFloor`)
 * (so long messages do not score higher for being long, nor short ones for being short), each
 * structured signal at 1. `known` decides the vocabulary.
 */
export function handoffFeatures(text: string, maxN: number, known: (f: string) => boolean, ctx: SignalContext = NO_MEMBERS, normFloor = 1): Map<string, number> {
  const grams = ngrams(text, maxN).filter(known);
  const x = new Map<string, number>();
  const v = grams.length ? 1 / Math.sqrt(Math.max(grams.length, normFloor)) : 0;
  for (const g of grams) x.set(g, v);
  for (const s of handoffSignals(text, ctx)) if (known(s)) x.set(s, 1);
  return x;
}

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Greetings, thanks and "I have a question" with nothing else: no corpus teaches the model about
 * them (every case is a question), and "您好！" or "问一下" must not reach a person for being short.
 */
const PLEASANTRY =
  /^(你好|您好|你们好|hi|hello|哈喽|嗨|在吗|在不在|在么|在嘛|谢谢|谢谢你|谢谢您|多谢|感谢|好的|好|行|嗯|嗯嗯|恩|哦|噢|ok|收到|拜拜|再见|早|早上好|中午好|下午好|晚上好|亲|老板好|请问|问一下|问下|想问一下|想问下|我想问一下|我想问下|咨询一下|咨询下|打扰了|打扰一下|我有个问题|有个问题|问个事|问个问题)+$/;
export const isPleasantry = (text: string) => PLEASANTRY.test(normalize(text).replace(/[\s\p{P}\p{S}]+/gu, ''));

export function loadHandoffModel(data: HandoffModelData): HandoffModel {
  const w = new Map<string, number>();
  for (const [f, q] of Object.entries(data.weights)) w.set(f, q * data.scale);
  const known = (f: string) => w.has(f);
  return {
    thresholds: data.thresholds,
    score(text, ctx) {
      if (isPleasantry(text)) return 0;
      let z = data.bias;
      for (const [f, v] of handoffFeatures(text, data.maxN, known, ctx, data.normFloor)) z += v * w.get(f)!;
      return sigmoid(z);
    },
  };
}
