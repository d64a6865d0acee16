/**
 * The answer gate (issue 13): whether retrieval's best FAQ is the right one, as a probability.
 * A logistic regression over a dozen features of the match that carry across trades — how much of
 * the question the FAQ covers, whether a distinctive word of the question is missing from it, how
 * far it leads the runner-up, whether it matched what the FAQ asks or only what it answers —
 * trained offline on the blind corpus (scripts/handoff/gate.ts) and shipped as data
 * (answer-gate.json). The engine answers at or above `threshold`, chosen by leave-one-trade-out
 * for precision over coverage. Pure arithmetic: no I/O, no platform API.
 */

/** The features of the best match, in the order the weights are stored (names only for the record and the tests). */
export const GATE_FEATURES = [
  'confidence',
  'ratio',
  'margin',
  'askShare',
  'cover',
  'coverAsks',
  'missingMax',
  'unseen',
  'runnerCover',
  'length',
  'matched',
  'concept',
  'agree',
  'faqCover',
] as const;

export type GateFeatures = Record<(typeof GATE_FEATURES)[number], number>;

export type AnswerGateData = {
  version: number;
  features: string[];
  weights: number[];
  bias: number;
  /** Answer at or above this probability. */
  threshold: number;
  /** How it was trained (data, options), for the record. */
  trainedOn?: Record<string, unknown>;
};

export type AnswerGate = {
  /** Probability (0–1) that the best FAQ answers the question. */
  p(f: GateFeatures): number;
  threshold: number;
};

export const featureVector = (f: GateFeatures): number[] => GATE_FEATURES.map((k) => f[k]);

export function loadAnswerGate(data: AnswerGateData): AnswerGate {
  if (data.features.length !== GATE_FEATURES.length || data.features.some((n, i) => n !== GATE_FEATURES[i])) {
    throw new Error(`answer gate: features ${data.features.join(',')} are not this engine's ${GATE_FEATURES.join(',')}`);
  }
  const w = data.weights;
  return {
    threshold: data.threshold,
    p(f) {
      const x = featureVector(f);
      let z = data.bias;
      for (let i = 0; i < x.length; i++) z += w[i]! * x[i]!;
      return 1 / (1 + Math.exp(-z));
    },
  };
}
