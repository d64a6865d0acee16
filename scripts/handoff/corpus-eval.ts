/**
 * The product's answer engine as configured — the chat model when a key is set, else offline —
 * over whole batches of the blind corpus, each trade through `eval answers` (so a model run uses
 * the same answering part, prompt, grounding check and fallbacks as the product), pooled by
 * adding counts before dividing. The default batches are those the shipped models were never
 * trained on, so the figures are out of sample for everything learned.
 */
import path from 'node:path';
import { evalAnswers, type EvalLine, type EvalSummary } from '../../cloudfunctions/server/cli/eval';
import type { EvalModelFlags, ModelFigures } from '../../cloudfunctions/server/cli/eval-model';
import { addCounts, countCases, type Counts, scoresOf, type Scores } from '../../cloudfunctions/server/cli/eval-score';
import type { Config } from '../../cloudfunctions/server/config';
import { BATCHES, loadCorpus, SHIPPED_BATCHES } from './corpus';

export const FIXTURES = path.resolve(__dirname, '../../test/fixtures');

/** The batches no shipped model was trained on. */
export const UNSEEN_BATCHES: readonly string[] = BATCHES.filter((b) => !SHIPPED_BATCHES.includes(b));

/** What a run spent on the model (absent when the offline engine answered): eval answers' figures, in 元 rather than per 1,000 questions, so trades add up. */
export type ModelSpend = Omit<ModelFigures, 'cost_per_1000'> & { yuan: number };

export type CorpusRow = { batch: string; trade: string; counts: Counts; scores: Scores; spend?: ModelSpend };
export type Pooled = Scores & { trades: number; cost_per_1000?: number; spend?: ModelSpend };

const add = (a: Record<string, number>, b: Record<string, number>) => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
};

function spendOf(summary: EvalSummary['summary'] & Partial<ModelFigures>): ModelSpend | undefined {
  if (summary.cost_per_1000 === undefined) return undefined;
  // a model run's summary carries every figure (modelTally.figures)
  const { cost_per_1000, model, model_calls, tokens_in, tokens_out, cost_estimated, engines, fallbacks } = summary as EvalSummary['summary'] & ModelFigures;
  return { model, model_calls, tokens_in, tokens_out, cost_estimated, engines, fallbacks, yuan: (cost_per_1000 * summary.n) / 1000 };
}

/** Every trade of `batches`, one `eval answers` run each. */
export async function evalCorpus(a: { batches?: readonly string[]; root?: string; config?: Config; model?: EvalModelFlags; onRow?: (r: CorpusRow) => void }): Promise<CorpusRow[]> {
  const root = a.root ?? FIXTURES;
  const rows: CorpusRow[] = [];
  for (const t of loadCorpus(root, a.batches ?? UNSEEN_BATCHES)) {
    const dir = path.join(root, t.batch);
    const out = await evalAnswers({ kbFile: path.join(dir, `kb-${t.trade}.json`), casesFile: path.join(dir, `cases-${t.trade}.json`), config: a.config, model: a.model });
    const lines = out.slice(0, -1) as EvalLine[];
    const summary = (out[out.length - 1] as EvalSummary).summary as EvalSummary['summary'] & Partial<ModelFigures>;
    const counts = countCases(
      lines.map((l, i) => ({ expect: l.expect, got: l.got, accept: t.cases[i]!.accept, answered: l.answered, expectAnswered: t.cases[i]!.answered, suggestion: l.suggestion })),
    );
    const spend = spendOf(summary);
    const row: CorpusRow = { batch: t.batch, trade: t.trade, counts, scores: scoresOf(counts), ...(spend ? { spend } : {}) };
    rows.push(row);
    a.onRow?.(row);
  }
  return rows;
}

/** Rows pooled: counts added before dividing; the model's spend added, its cost per 1,000 questions over all of them. */
export function pool(rows: readonly CorpusRow[]): Pooled {
  const scores = scoresOf(rows.map((r) => r.counts).reduce(addCounts));
  const spends = rows.map((r) => r.spend).filter((s): s is ModelSpend => Boolean(s));
  if (!spends.length) return { ...scores, trades: rows.length };
  const spend = spends.reduce((x, y) => ({
    model: x.model || y.model,
    model_calls: x.model_calls + y.model_calls,
    tokens_in: x.tokens_in + y.tokens_in,
    tokens_out: x.tokens_out + y.tokens_out,
    yuan: x.yuan + y.yuan,
    cost_estimated: x.cost_estimated || y.cost_estimated,
    engines: add(x.engines, y.engines),
    fallbacks: add(x.fallbacks, y.fallbacks),
  }));
  return { ...scores, trades: rows.length, cost_per_1000: Math.round((spend.yuan / Math.max(1, scores.n)) * 1000 * 1e6) / 1e6, spend };
}
