import type { GateFeatures } from './answer-gate';
import { matchFeatures, type SidedIndex } from './match-features';

/** The hand-set confidence: the score against the most the query could score, times the lead over the runner-up. */
export const FORMULA = { marginWeight: 0.5, normScale: 8 } as const;

export type Candidate = {
  /** Index of the FAQ. */
  i: number;
  /** The hand-set confidence for this FAQ as the answer. */
  formula: number;
  norm: number;
  margin: number;
  features: GateFeatures;
};

export type Query = {
  q: string[];
  concepts: string[];
  /** Characters in the question as asked. */
  chars: number;
  asks: number[];
  answers: number[];
  /** Combined scores (FAQs the customer ruled out at 0). */
  scores: number[];
  ideal: number;
};

/**
 * The best-scoring FAQ (null when the query shares nothing with any), with the hand-set
 * confidence and the answer gate's features; the runner-up is the second best. (Letting the
 * gate choose among the best three instead was measured: no better under leave-one-trade-out.)
 */
export function bestMatchOf(index: SidedIndex, query: Query, phrasesOf: (i: number) => string[][]): Candidate | null {
  let i1 = -1;
  let i2 = -1;
  query.scores.forEach((s, i) => {
    if (s <= 0) return;
    if (i1 < 0 || s > query.scores[i1]!) {
      i2 = i1;
      i1 = i;
    } else if (i2 < 0 || s > query.scores[i2]!) i2 = i;
  });
  if (i1 < 0) return null;
  const s1 = query.scores[i1]!;
  const s2 = i2 >= 0 ? query.scores[i2]! : 0;
  const norm = query.ideal > 0 ? Math.min(1, (s1 / query.ideal) * FORMULA.normScale) : 0;
  const margin = (s1 - s2) / s1;
  const formula = norm * (1 - FORMULA.marginWeight + FORMULA.marginWeight * margin);
  const features = matchFeatures(index, {
    q: query.q,
    concepts: query.concepts,
    asks: query.asks,
    answers: query.answers,
    best: i1,
    runner: i2,
    s1,
    s2,
    ideal: query.ideal,
    confidence: formula,
    chars: query.chars,
    phrases: phrasesOf(i1),
  });
  return { i: i1, formula, norm, margin, features };
}
