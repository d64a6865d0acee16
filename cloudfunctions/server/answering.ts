import type { Clock } from '@xiaoer/shared/domain/time';
import type { Answerer } from '@xiaoer/shared/ports/answerer';
import type { KnowledgeRepo, KvRepo } from '@xiaoer/shared/ports/storage';
import type { Timers } from '@xiaoer/shared/ports/timers';
import { createEngineAnswerer } from '@xiaoer/shared/usecases/answer/answerer';
import { createModelAnswerer } from '@xiaoer/shared/usecases/answer/model';
import type { Config } from './config';
import { createOpenAIChatModel } from './llm/openai-model';

export interface AnsweringParts {
  knowledge: Pick<KnowledgeRepo, 'listFaqs'> & Partial<Pick<KnowledgeRepo, 'listProducts' | 'getFacts'>>;
  /** Where each shop's model spend is kept (the `eval` CLI passes one in memory). */
  kv: KvRepo;
  clock: Clock;
  timers: Timers;
  /** Overrides the shop budget (the `eval` CLI has no shop). */
  monthlyBudgetFen?: number;
  timeZone?: (merchantId: string) => Promise<string>;
  onFallback?: (e: { merchantId: string; why: string }) => void;
}

/**
 * The answering part of the composition, on its own so `eval answers` can build exactly what the
 * product runs without opening storage: the offline engine always; the model on top when
 * LLM_API_KEY is set, within each shop's budget.
 */
export function createAnswerer(config: Config, parts: AnsweringParts): Answerer {
  const offline = createEngineAnswerer(parts.knowledge);
  if (!config.llm.enabled || !config.llm.apiKey) return offline;
  return createModelAnswerer({
    knowledge: parts.knowledge,
    // no SDK retry: one attempt within the timeout, then the offline answer
    model: createOpenAIChatModel({ apiKey: config.llm.apiKey, baseURL: config.llm.baseUrl, model: config.llm.model, maxRetries: 0, stream: config.llm.stream }),
    offline,
    kv: parts.kv,
    clock: parts.clock,
    timers: parts.timers,
    pricePerMTokFen: config.llm.priceFenPerMTok,
    monthlyBudgetFen: parts.monthlyBudgetFen ?? config.llm.monthlyBudgetFen,
    timeoutMs: config.llm.timeoutMs,
    ...(parts.timeZone ? { timeZone: parts.timeZone } : {}),
    ...(parts.onFallback ? { onFallback: parts.onFallback } : {}),
  });
}
