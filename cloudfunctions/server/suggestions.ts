import type { Clock } from '@xiaoer/shared/domain/time';
import type { KvRepo } from '@xiaoer/shared/ports/storage';
import type { Timers } from '@xiaoer/shared/ports/timers';
import { createSuggestionWriter, type SuggestionWriter, type SuggestionsFallback } from '@xiaoer/shared/usecases/reports/monthly-model';
import type { Config } from './config';
import { createOpenAIChatModel } from './llm/openai-model';
import { createMeteredModel } from '@xiaoer/shared/usecases/answer/model/metered';
import { createFollowupDrafter, type FollowupDrafter } from '@xiaoer/shared/usecases/followups/draft';

/**
 * The monthly report's model-written suggestions, configured like the answers (answering.ts): the
 * same endpoint, prices, per-shop budget and timeout; undefined without LLM_API_KEY (the rules write).
 */
export function createMonthlyWriter(
  config: Config,
  parts: { kv: KvRepo; clock: Clock; timers: Timers; onFallback?: (e: { merchantId: string; why: SuggestionsFallback; detail?: string }) => void },
): SuggestionWriter | undefined {
  if (!config.llm.enabled || !config.llm.apiKey) return undefined;
  return createSuggestionWriter({
    // no SDK retry: one attempt within the timeout, then the rule-based suggestions
    model: createOpenAIChatModel({ apiKey: config.llm.apiKey, baseURL: config.llm.baseUrl, model: config.llm.model, maxRetries: 0, stream: config.llm.stream }),
    kv: parts.kv,
    clock: parts.clock,
    timers: parts.timers,
    pricePerMTokFen: config.llm.priceFenPerMTok,
    monthlyBudgetFen: config.llm.monthlyBudgetFen,
    timeoutMs: config.llm.timeoutMs,
    ...(parts.onFallback ? { onFallback: parts.onFallback } : {}),
  });
}

/** Follow-up drafts by the model (issue 16 §4), under the same budget and timeout; undefined without LLM_API_KEY (the default texts stand). */
export function createDrafter(config: Config, parts: { kv: KvRepo; clock: Clock; timers: Timers }): FollowupDrafter | undefined {
  if (!config.llm.enabled || !config.llm.apiKey) return undefined;
  return createFollowupDrafter(
    createMeteredModel({
      model: createOpenAIChatModel({ apiKey: config.llm.apiKey, baseURL: config.llm.baseUrl, model: config.llm.model, maxRetries: 0, stream: config.llm.stream }),
      kv: parts.kv,
      clock: parts.clock,
      timers: parts.timers,
      pricePerMTokFen: config.llm.priceFenPerMTok,
      monthlyBudgetFen: config.llm.monthlyBudgetFen,
      timeoutMs: config.llm.timeoutMs,
    }),
  );
}
