import { dayOf, monthOf, type Clock } from '../../../domain/time';
import type { ChatModel, ChatResponse } from '../../../ports/chat-model';
import type { KvRepo } from '../../../ports/storage';
import type { Timers } from '../../../ports/timers';
import { BUDGET_NS, costFen, type BudgetEntry } from './answerer';

/**
 * One model call for a shop under the rules every model use shares (answers, the monthly
 * suggestions, follow-up drafts): the shop's monthly budget checked before the call (the same kv
 * entry for all), one attempt within a timeout, and the call's cost added after it.
 */
export interface MeteredOptions {
  model: ChatModel;
  kv: KvRepo;
  clock: Clock;
  timers: Timers;
  /** Price per million tokens, in fen. */
  pricePerMTokFen: { input: number; output: number };
  /** Per merchant per calendar month; at or above it no call is made. */
  monthlyBudgetFen: number;
  timeoutMs?: number;
}

export type MeteredResult =
  | { ok: true; content: string; costFen: number; /** The spend record failed (the content stands). */ recordError?: string }
  | { ok: false; why: 'budget' | 'error' | 'timeout'; costFen: 0; detail?: string };

class Timeout extends Error {}

export interface MeteredModel {
  complete(merchant: { id: string; timezone: string }, req: { system: string; user: string }): Promise<MeteredResult>;
}

export function createMeteredModel(opts: MeteredOptions): MeteredModel {
  const timeoutMs = opts.timeoutMs ?? 8000;

  async function record(merchantId: string, month: string, fen: number): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const e = await opts.kv.get<BudgetEntry>(merchantId, BUDGET_NS, month);
      const next: BudgetEntry = { spentFen: Math.round(((e?.value.spentFen ?? 0) + fen) * 10_000) / 10_000, calls: (e?.value.calls ?? 0) + 1 };
      if (await opts.kv.set(merchantId, BUDGET_NS, month, next, e ? e.version : null, opts.clock.now())) return;
    }
    throw new Error('llm budget: too much contention');
  }

  function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
    let cancel = () => {};
    const guard = new Promise<never>((_, reject) => {
      cancel = opts.timers.after(ms, () => reject(new Timeout(`model timed out after ${ms} ms`)));
    });
    return Promise.race([p, guard]).finally(() => cancel());
  }

  return {
    async complete(merchant, req) {
      // the budget month is the one the money is spent in (now)
      const month = monthOf(dayOf(opts.clock.now(), merchant.timezone));
      let spent: number;
      try {
        spent = (await opts.kv.get<BudgetEntry>(merchant.id, BUDGET_NS, month))?.value.spentFen ?? 0;
      } catch (error) {
        return { ok: false, why: 'error', costFen: 0, detail: String(error) };
      }
      if (spent >= opts.monthlyBudgetFen) return { ok: false, why: 'budget', costFen: 0 };
      let res: ChatResponse;
      const started = opts.timers.wallNow();
      try {
        // the adapter enforces the timeout; the guard (+ a little slack) covers one that doesn't
        res = await withTimeout(opts.model.complete({ system: req.system, messages: [{ role: 'user', content: req.user }], timeoutMs }), timeoutMs + 250);
      } catch (error) {
        // an error that comes once the time is up is the timeout, whatever the client library called it
        const timedOut =
          error instanceof Timeout || opts.timers.wallNow() - started >= timeoutMs || /timed?\s?out/i.test(String((error as Error)?.name) + String((error as Error)?.message));
        return { ok: false, why: timedOut ? 'timeout' : 'error', costFen: 0, detail: String((error as Error)?.message ?? error) };
      }
      const fen = costFen(res.usage, opts.pricePerMTokFen);
      try {
        await record(merchant.id, month, fen);
      } catch (error) {
        return { ok: true, content: res.content, costFen: fen, recordError: String(error) };
      }
      return { ok: true, content: res.content, costFen: fen };
    },
  };
}
