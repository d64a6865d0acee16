/**
 * The model-backed answer engine behind the WeCom Answerer port: handoff rules first (always win,
 * no model call), then the monthly budget, then one model call — told what the handoff signals
 * saw in the message — whose JSON is parsed strictly. The model may hand off on its own, with a
 * reason. Anything off (error, timeout, bad JSON, ids not in the KB, an uncited answer, an answer
 * that says more than what it cites, a refusal, rambling, the FAQ the customer just rejected)
 * falls back to the offline engine: nothing the knowledge base does not say is ever sent. Every
 * model call's cost is recorded, in fen, in the merchant's monthly budget.
 */
import { z } from 'zod';
import { dayOf, monthOf, type Clock } from '../../../domain/time';
import type { KnowledgeRepo, KvRepo } from '../../../ports/storage';
import type { AnswerDecision, AnswerInput, Answerer } from '../../../ports/answerer';
import { detectHandoff } from '../handoff';
import { handoffSignals } from '../handoff-signals';
import { standardize } from '../colloquial';
import { shippedHandoffModel } from '../engine';
import { rejectedAnswer } from '../rejection';
import { handoffReasonOf } from '../../../domain/handoff-reason';
import { groundingProblem } from './grounding';
import { expandAliases, shopHandoffWord } from '../shop-rules';
import { buildPrompt } from './prompt';
import type { KbIndexCache } from '../kb-index';
import type { ChatModel, ChatResponse } from '../../../ports/chat-model';
import type { Timers } from '../../../ports/timers';

export const BUDGET_NS = 'llm.budget';

export type ModelDecision = AnswerDecision & {
  /** What this reply cost at the model, in fen (fractional); 0 or absent when no model was called. */
  costFen?: number;
  engine?: 'rules' | 'model' | 'offline';
  /** Why the offline engine answered instead of the model. */
  fallback?: 'budget' | 'error' | 'timeout' | 'invalid' | 'unknown_ids' | 'ungrounded' | 'refused' | 'rejected';
  /** The model call's tokens (absent when no model was called): `eval answers` prices them. */
  usage?: ChatResponse['usage'];
};

export interface ModelAnswerer extends Answerer {
  answer(input: AnswerInput): Promise<ModelDecision>;
}

/** The month's spend as stored under (merchantId, 'llm.budget', 'YYYY-MM'). */
export interface BudgetEntry {
  spentFen: number;
  calls: number;
}

/**
 * The model's JSON. `handoff`: null (or false) to answer, else why a person should take it — one
 * of the reason codes; `true` and unknown words read as 'unsure' (older prompts said true/false).
 */
export const ModelReply = z
  .object({
    answer: z.string().nullable(),
    knowledge_ids: z.array(z.string()),
    confidence: z.number().min(0).max(1),
    handoff: z.union([z.string().max(40), z.boolean(), z.null()]),
    reason: z.string().max(200).optional(),
  })
  .strict();

/** A JSON object, also when the model wrapped it in a ```json fence. */
function parseReply(content: string): z.infer<typeof ModelReply> {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/i.exec(content);
  return ModelReply.parse(JSON.parse(fenced ? fenced[1]! : content));
}

/** The conversation before the question: without the customer's trailing messages (the question itself). */
function before(history: AnswerInput['history']): AnswerInput['history'] {
  let end = history.length;
  while (end > 0 && history[end - 1]!.sender === 'customer') end--;
  return history.slice(0, end);
}

export interface ModelAnswererOptions {
  /** Products and facts go into the prompt when the repository offers them. */
  knowledge: Pick<KnowledgeRepo, 'listFaqs'> & Partial<Pick<KnowledgeRepo, 'listProducts' | 'getFacts'>>;
  /** The shops' cached FAQ indexes, shared with the offline answerer (built per question without it). */
  index?: KbIndexCache;
  model: ChatModel;
  offline: Answerer;
  kv: KvRepo;
  clock: Clock;
  /** The model call's timeout and the invocation's wall-clock deadline. */
  timers: Timers;
  /** Price per million tokens, in fen. */
  pricePerMTokFen: { input: number; output: number };
  /** Per merchant per calendar month; at or above it the offline engine answers. */
  monthlyBudgetFen: number;
  timeoutMs?: number;
  /** The merchant's time zone for the month boundary (default Asia/Shanghai). */
  timeZone?: string | ((merchantId: string) => Promise<string>);
  /** Called on every fallback (logging); never throws into the answer path. */
  onFallback?: (info: { merchantId: string; why: NonNullable<ModelDecision['fallback']>; error?: unknown }) => void;
}

class Timeout extends Error {}

/** Kept back from the invocation's time limit for sending the reply (and a handoff if that fails). */
export const SEND_RESERVE_MS = 3_000;
/** Below this much time left the model is not worth calling: the offline answer goes at once. */
export const MIN_MODEL_MS = 1_000;

export function costFen(usage: ChatResponse['usage'], price: { input: number; output: number }): number {
  const fen = (usage.promptTokens * price.input + usage.completionTokens * price.output) / 1_000_000;
  return Math.round(fen * 10_000) / 10_000;
}

export function createModelAnswerer(opts: ModelAnswererOptions): ModelAnswerer {
  const timeoutMs = opts.timeoutMs ?? 8000;
  const tz = async (merchantId: string) => (typeof opts.timeZone === 'function' ? opts.timeZone(merchantId) : (opts.timeZone ?? 'Asia/Shanghai'));
  const monthKey = async (merchantId: string) => monthOf(dayOf(opts.clock.now(), await tz(merchantId)));

  async function spent(merchantId: string, month: string): Promise<number> {
    const e = await opts.kv.get<BudgetEntry>(merchantId, BUDGET_NS, month);
    return e?.value.spentFen ?? 0;
  }

  /** Adds to the month's spend with a compare-and-set loop. */
  async function record(merchantId: string, month: string, fen: number): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const e = await opts.kv.get<BudgetEntry>(merchantId, BUDGET_NS, month);
      const next: BudgetEntry = { spentFen: Math.round(((e?.value.spentFen ?? 0) + fen) * 10_000) / 10_000, calls: (e?.value.calls ?? 0) + 1 };
      if (await opts.kv.set(merchantId, BUDGET_NS, month, next, e ? e.version : null, opts.clock.now())) return;
    }
    throw new Error('llm budget: too much contention');
  }

  async function offline(
    input: AnswerInput,
    why: NonNullable<ModelDecision['fallback']>,
    extra: { costFen?: number; error?: unknown; usage?: ChatResponse['usage']; decided?: AnswerDecision } = {},
  ): Promise<ModelDecision> {
    try {
      opts.onFallback?.({ merchantId: input.merchantId, why, error: extra.error });
    } catch {
      /* logging must not break answering */
    }
    const d = extra.decided ?? (await opts.offline.answer(input));
    return { ...d, engine: 'offline', fallback: why, costFen: extra.costFen ?? 0, ...(extra.usage ? { usage: extra.usage } : {}) };
  }

  function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
    let cancel = () => {};
    const guard = new Promise<never>((_, reject) => {
      cancel = opts.timers.after(ms, () => reject(new Timeout(`model timed out after ${ms} ms`)));
    });
    return Promise.race([p, guard]).finally(() => cancel());
  }

  return {
    async answer(input) {
      const h = detectHandoff(input.text);
      if (h) return { reply: null, handoff: true, reason: `handoff:${h.reason}`, knowledgeIds: [], confidence: 1, engine: 'rules', costFen: 0 };
      if (shopHandoffWord(input.text, input.rules))
        return { reply: null, handoff: true, reason: 'handoff:merchant_word', knowledgeIds: [], confidence: 1, engine: 'rules', costFen: 0 };
      // what the rules settle before any guess — a request for a commitment, a sure handoff signal,
      // a message with a part for a person, a confirmed guess, a second miss — the model never overrides
      const decided = await opts.offline.answer(input);
      if (decided.settled) return { ...decided, engine: 'rules', costFen: 0 };

      // the model gets the time that is left in this invocation, keeping some for sending the reply
      // the deadline is wall-clock time (the platform's limit), whatever clock the product runs on
      const left = input.deadline !== undefined ? input.deadline - opts.timers.wallNow() - SEND_RESERVE_MS : Number.POSITIVE_INFINITY;
      if (left < MIN_MODEL_MS) return offline(input, 'timeout', { decided });
      const callMs = Math.min(timeoutMs, left);

      const month = await monthKey(input.merchantId);
      if ((await spent(input.merchantId, month)) >= opts.monthlyBudgetFen) return offline(input, 'budget', { decided });

      const indexed = await opts.index?.get(input.merchantId);
      const faqs = indexed?.faqs ?? (await opts.knowledge.listFaqs(input.merchantId)).filter((f) => f.enabled !== false);
      const products = (await opts.knowledge.listProducts?.(input.merchantId)) ?? [];
      const facts = (await opts.knowledge.getFacts?.(input.merchantId)) ?? {};
      const rank = indexed ? (text: string) => indexed.engine.ranked(text) : undefined;
      const question = expandAliases(input.text, input.rules);
      // the generalizing signals the offline engine decides with, as input to the model's own handoff decision
      const said = standardize(question);
      const signals = { names: handoffSignals(said), score: Math.round(shippedHandoffModel().score(said) * 100) / 100 };
      const prompt = buildPrompt(faqs, input.history, question, {
        products,
        facts,
        shop: input.shop,
        customer: input.customer,
        signals,
        ...(rank ? { rank } : {}),
      });

      let res: ChatResponse;
      try {
        // the adapter enforces the timeout; the guard (+ a little slack) covers one that doesn't
        res = await withTimeout(opts.model.complete({ system: prompt.system, messages: prompt.messages, timeoutMs: callMs }), callMs + 250);
      } catch (error) {
        const timedOut = error instanceof Timeout || /timed?\s?out/i.test(String((error as Error)?.name) + String((error as Error)?.message));
        return offline(input, timedOut ? 'timeout' : 'error', { error, decided });
      }

      const fen = costFen(res.usage, opts.pricePerMTokFen);
      try {
        await record(input.merchantId, month, fen);
      } catch (error) {
        opts.onFallback?.({ merchantId: input.merchantId, why: 'error', error });
      }

      const paid = { costFen: fen, usage: res.usage };
      let parsed: z.infer<typeof ModelReply>;
      try {
        parsed = parseReply(res.content);
      } catch (error) {
        return offline(input, 'invalid', { ...paid, error, decided });
      }
      const known = new Set(prompt.citable);
      if (parsed.knowledge_ids.some((id) => !known.has(id))) return offline(input, 'unknown_ids', { ...paid, decided });

      const confidence = Math.round(parsed.confidence * 1000) / 1000;
      const answer = parsed.answer?.trim() ?? '';
      if ((parsed.handoff !== null && parsed.handoff !== false) || !answer) {
        const code = handoffReasonOf(typeof parsed.handoff === 'string' ? parsed.handoff : parsed.reason);
        return { reply: null, handoff: true, reason: `handoff:${code}`, knowledgeIds: parsed.knowledge_ids, confidence, engine: 'model', ...paid };
      }
      // An answer must say where it came from: an uncited answer may be invented.
      if (!parsed.knowledge_ids.length) return offline(input, 'invalid', { ...paid, decided });
      // "不是，我是问…": the FAQ just rejected is not the answer (the offline engine rules it out)
      const rejected = rejectedAnswer(before(input.history), input.text);
      if (rejected?.answer?.knowledgeIds.some((id) => parsed.knowledge_ids.includes(id))) return offline(input, 'rejected', { ...paid, decided });
      const problem = groundingProblem(
        answer,
        parsed.knowledge_ids.map((id) => prompt.sources[id] ?? ''),
      );
      if (problem) return offline(input, problem === 'refused' ? 'refused' : 'ungrounded', { ...paid, error: new Error(`model answer ${problem}`), decided });
      return { reply: answer, handoff: false, reason: 'model', knowledgeIds: parsed.knowledge_ids, confidence, engine: 'model', ...paid };
    },
  };
}
