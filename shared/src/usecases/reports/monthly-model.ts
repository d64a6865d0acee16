import { dayOf, monthOf, type Clock } from '../../domain/time';
import type { ChatModel, ChatResponse } from '../../ports/chat-model';
import type { KvRepo } from '../../ports/storage';
import type { Timers } from '../../ports/timers';
import { BUDGET_NS, costFen, type BudgetEntry } from '../answer/model';
import type { MonthlyNumbers } from './monthly';
import { checkSuggestions, MONTHLY_SYSTEM, monthlyUserPrompt } from './monthly-prompt';

/**
 * The monthly suggestions written by the model when one is configured, under the same rules as
 * the model answers (answer/model/answerer.ts): the merchant's monthly budget is checked before
 * the call and every call's cost is added to it (same kv entry, so answers and reports share one
 * budget), one attempt within a timeout, and any failure — error, timeout, over budget, refusal,
 * bad or rambling output, a number not in the input — keeps the rule-based suggestions.
 */

export type SuggestionsFallback = 'budget' | 'error' | 'timeout' | 'invalid' | 'refusal' | 'invented_numbers';

export interface WrittenSuggestions {
  suggestions: string[];
  by: 'model' | 'rules';
  fallback?: SuggestionsFallback;
  /** What the call cost at the model, in fen; 0 when none was made. */
  costFen: number;
}

export interface SuggestionWriter {
  /** `rules`: the rule-based suggestions, returned as they are on any failure. */
  write(merchant: { id: string; timezone: string }, numbers: MonthlyNumbers, rules: string[]): Promise<WrittenSuggestions>;
}

export interface SuggestionWriterOptions {
  model: ChatModel;
  kv: KvRepo;
  clock: Clock;
  timers: Timers;
  /** Price per million tokens, in fen. */
  pricePerMTokFen: { input: number; output: number };
  /** Per merchant per calendar month, shared with the answers; at or above it the rules write. */
  monthlyBudgetFen: number;
  timeoutMs?: number;
  /** Called on every fallback (logging); never throws into the report. */
  onFallback?: (info: { merchantId: string; why: SuggestionsFallback; detail?: string }) => void;
}

class Timeout extends Error {}

export function createSuggestionWriter(opts: SuggestionWriterOptions): SuggestionWriter {
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
    async write(merchant, numbers, rules) {
      const note = (why: SuggestionsFallback, detail?: string) => {
        try {
          opts.onFallback?.({ merchantId: merchant.id, why, ...(detail ? { detail } : {}) });
        } catch {
          /* logging must not break the report */
        }
      };
      const rulesOut = (why: SuggestionsFallback, fen = 0, detail?: string): WrittenSuggestions => {
        note(why, detail);
        return { suggestions: rules, by: 'rules', fallback: why, costFen: fen };
      };
      // the budget month is the one the money is spent in (now), not the month reported
      const month = monthOf(dayOf(opts.clock.now(), merchant.timezone));
      let spent: number;
      try {
        spent = (await opts.kv.get<BudgetEntry>(merchant.id, BUDGET_NS, month))?.value.spentFen ?? 0;
      } catch (error) {
        // the report goes out with the rules' suggestions rather than not at all
        return rulesOut('error', 0, String(error));
      }
      if (spent >= opts.monthlyBudgetFen) return rulesOut('budget');

      const user = monthlyUserPrompt(numbers, rules);
      let res: ChatResponse;
      const started = opts.timers.wallNow();
      try {
        // the adapter enforces the timeout; the guard (+ a little slack) covers one that doesn't
        res = await withTimeout(opts.model.complete({ system: MONTHLY_SYSTEM, messages: [{ role: 'user', content: user }], timeoutMs }), timeoutMs + 250);
      } catch (error) {
        // an error that comes once the time is up is the timeout, whatever the client library called it
        const timedOut =
          error instanceof Timeout || opts.timers.wallNow() - started >= timeoutMs || /timed?\s?out/i.test(String((error as Error)?.name) + String((error as Error)?.message));
        return rulesOut(timedOut ? 'timeout' : 'error', 0, String((error as Error)?.message ?? error));
      }
      const fen = costFen(res.usage, opts.pricePerMTokFen);
      try {
        await record(merchant.id, month, fen);
      } catch (error) {
        // the suggestions stand; the spend record is what failed
        note('error', String(error));
      }
      const checked = checkSuggestions(res.content, user);
      if (!checked.ok) return rulesOut(checked.why, fen, checked.detail);
      return { suggestions: checked.suggestions, by: 'model', costFen: fen };
    },
  };
}
