import { z } from 'zod';
import type { AnswerDecision } from '@xiaoer/shared/ports/answerer';
import type { ModelDecision } from '@xiaoer/shared/usecases/answer/model';
import type { Config } from '../config';

/**
 * `eval answers` against a chat model (issue 13 §4): any OpenAI-compatible endpoint, from flags or
 * the LLM_* environment, and what it would cost per 1,000 questions at the given prices.
 *
 *   --base-url <https://…/v1>   LLM_BASE_URL
 *   --model <name>              LLM_MODEL
 *   --api-key <key>             LLM_API_KEY (a flag shows in the shell history: prefer the variable)
 *   --price-in <元>             price per 1M input (prompt) tokens; default LLM_PRICE_INPUT_FEN_PER_MTOK / 100
 *   --price-out <元>            price per 1M output (completion) tokens; default LLM_PRICE_OUTPUT_FEN_PER_MTOK / 100
 *
 * cost_per_1000 = (input tokens × price-in + output tokens × price-out) / 1,000,000 / questions × 1,000,
 * in 元, over every model call of the run (the tokens the server reports; estimated from the text,
 * and `cost_estimated` true, when it reports none). Questions the handoff rules settle cost nothing.
 */
export const EvalModelFlags = z.object({
  'base-url': z.string().url('--base-url 要是 http(s) 地址').optional(),
  model: z.string().min(1).max(200).optional(),
  'api-key': z.string().min(1).max(500).optional(),
  'price-in': z.coerce.number().nonnegative('--price-in 要是不小于 0 的数（元 / 百万 token）').optional(),
  'price-out': z.coerce.number().nonnegative('--price-out 要是不小于 0 的数（元 / 百万 token）').optional(),
});
export type EvalModelFlags = z.infer<typeof EvalModelFlags>;

/** The configuration with the flags on top: a key (flag or LLM_API_KEY) turns the model path on. */
export function withModelFlags(config: Config, f: EvalModelFlags = {}): Config {
  const apiKey = f['api-key'] ?? config.llm.apiKey;
  return {
    ...config,
    llm: {
      ...config.llm,
      enabled: Boolean(apiKey),
      apiKey,
      baseUrl: f['base-url'] ?? config.llm.baseUrl,
      model: f.model ?? config.llm.model,
      priceFenPerMTok: {
        input: f['price-in'] !== undefined ? f['price-in'] * 100 : config.llm.priceFenPerMTok.input,
        output: f['price-out'] !== undefined ? f['price-out'] * 100 : config.llm.priceFenPerMTok.output,
      },
    },
  };
}

export interface ModelFigures {
  /** 元 per 1,000 questions at the run's prices. */
  cost_per_1000: number;
  cost_estimated: boolean;
  model_calls: number;
  tokens_in: number;
  tokens_out: number;
  /** How many questions each engine settled: the handoff rules, the model, the offline engine. */
  engines: Record<string, number>;
  /** Why the offline engine answered instead of the model (timeout, invalid, ungrounded, …). */
  fallbacks: Record<string, number>;
  model: string;
}

/** Adds up the run's model decisions. */
export function modelTally(config: Config) {
  const t = { fen: 0, calls: 0, tokensIn: 0, tokensOut: 0, estimated: false, engines: {} as Record<string, number>, fallbacks: {} as Record<string, number> };
  return {
    add(raw: AnswerDecision) {
      const d = raw as ModelDecision;
      const engine = d.engine ?? 'offline';
      t.engines[engine] = (t.engines[engine] ?? 0) + 1;
      if (d.fallback) t.fallbacks[d.fallback] = (t.fallbacks[d.fallback] ?? 0) + 1;
      if (!d.usage) return;
      t.calls++;
      t.fen += d.costFen ?? 0;
      t.tokensIn += d.usage.promptTokens;
      t.tokensOut += d.usage.completionTokens;
      if (d.usage.estimated) t.estimated = true;
    },
    figures(questions: number): ModelFigures {
      // from the tokens rather than the per-call fen (rounded for the budget), so the figure is exact
      const yuan = (t.tokensIn * config.llm.priceFenPerMTok.input + t.tokensOut * config.llm.priceFenPerMTok.output) / 1_000_000 / 100;
      return {
        cost_per_1000: questions ? Math.round((yuan / questions) * 1000 * 1e6) / 1e6 : 0,
        cost_estimated: t.estimated,
        model_calls: t.calls,
        tokens_in: t.tokensIn,
        tokens_out: t.tokensOut,
        engines: t.engines,
        fallbacks: t.fallbacks,
        model: config.llm.model,
      };
    },
  };
}

/** The text line's model part. */
export function modelText(summary: object): string {
  const s = summary as Partial<ModelFigures>;
  if (s.cost_per_1000 === undefined) return '';
  return `；模型 ${s.model}：调用 ${s.model_calls} 次，每 1000 个问题约 ${s.cost_per_1000.toFixed(2)} 元${s.cost_estimated ? '（服务没报 token 数，按字数估算）' : ''}`;
}
