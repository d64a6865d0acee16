import type { Clock } from '@xiaoer/shared/domain/time';
import type { Answerer } from '@xiaoer/shared/ports/answerer';
import type { KnowledgeRepo, KvRepo } from '@xiaoer/shared/ports/storage';
import type { Timers } from '@xiaoer/shared/ports/timers';
import { createEngineAnswerer } from '@xiaoer/shared/usecases/answer/answerer';
import { createKbIndexCache, type KbSource, type TeamMember } from '@xiaoer/shared/usecases/answer/kb-index';
import { createModelAnswerer } from '@xiaoer/shared/usecases/answer/model';
import type { Config } from './config';
import { createOpenAIChatModel } from './llm/openai-model';

export interface AnsweringParts {
  knowledge: Pick<KnowledgeRepo, 'listFaqs'> & Partial<Pick<KnowledgeRepo, 'listProducts' | 'getFacts' | 'faqsVersion'>>;
  /** The shop's team: customers ask for them by name (a handoff signal). */
  members?: (merchantId: string) => Promise<TeamMember[]>;
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
  // one index per shop, shared by both answerers, built in slices that let other shops' work run
  const kb = parts.knowledge;
  // the repository is a class: its methods are bound here, not spread
  const source: KbSource = {
    listFaqs: (id) => kb.listFaqs(id),
    ...(kb.faqsVersion ? { faqsVersion: (id: string) => kb.faqsVersion!(id) } : {}),
    ...(parts.members ? { listMembers: parts.members } : {}),
  };
  const index = createKbIndexCache(source, { yieldNow: () => new Promise<void>((r) => parts.timers.defer(r)), sleep: (ms) => parts.timers.sleep(ms) });
  const offline: Answerer = { ...createEngineAnswerer(parts.knowledge, index), warm: (id) => index.warm(id) };
  if (!config.llm.enabled || !config.llm.apiKey) return offline;
  const model = createModelAnswerer({
    knowledge: parts.knowledge,
    index,
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
  return { ...model, warm: (id) => index.warm(id) };
}
