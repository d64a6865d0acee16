import type { Clock } from '../../domain/time';
import type { ChatModel } from '../../ports/chat-model';
import type { KvRepo } from '../../ports/storage';
import type { Timers } from '../../ports/timers';
import { createMeteredModel } from '../answer/model/metered';
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

export function createSuggestionWriter(opts: SuggestionWriterOptions): SuggestionWriter {
  const metered = createMeteredModel(opts);
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
      const user = monthlyUserPrompt(numbers, rules);
      // any failure sends the report with the rules' suggestions rather than not at all
      const res = await metered.complete(merchant, { system: MONTHLY_SYSTEM, user });
      if (!res.ok) return rulesOut(res.why, 0, res.detail);
      // the suggestions stand when only the spend record failed
      if (res.recordError) note('error', res.recordError);
      const checked = checkSuggestions(res.content, user);
      if (!checked.ok) return rulesOut(checked.why, res.costFen, checked.detail);
      return { suggestions: checked.suggestions, by: 'model', costFen: res.costFen };
    },
  };
}
