import { AppError } from '../../domain/errors';
import type { Deps } from '../../ports/deps';

/**
 * Fixed-window counters in kv, so every process (the host, CloudBase instances, the CLI) shares
 * one count: an in-memory map would give each CloudBase instance its own allowance. Windows run
 * on wall-clock time: the sandbox's movable clock must not reset them.
 */
export interface RateRule {
  /** kv namespace of this rule's counters. */
  ns: string;
  max: number;
  windowMs: number;
}

const CAS_TRIES = 8;

function windowOf(deps: Deps, rule: RateRule) {
  const now = deps.timers.wallNow();
  const start = Math.floor(now / rule.windowMs) * rule.windowMs;
  return { now, start, retryAfterS: Math.max(1, Math.ceil((start + rule.windowMs - now) / 1000)) };
}

export const rateLimited = (retryAfterS: number) => new AppError('RATE.LIMITED', '试得太频繁了，请稍后再试', 429, { retryAfterS });

/** Counts one hit for `key` (owned by `merchantId`) and throws RATE.LIMITED once past `max` in this window. */
export async function hitRate(deps: Deps, merchantId: string, rule: RateRule, key: string): Promise<void> {
  const w = windowOf(deps, rule);
  const k = `${key}@${w.start}`;
  for (let i = 0; i < CAS_TRIES; i++) {
    const cur = await deps.storage.kv.get<number>(merchantId, rule.ns, k);
    const count = (cur?.value ?? 0) + 1;
    if (count > rule.max) throw rateLimited(w.retryAfterS);
    if (await deps.storage.kv.set(merchantId, rule.ns, k, count, cur?.version ?? null, w.now)) {
      // a new window: old ones are dead weight, swept here rather than by a job on the movable clock
      if (!cur) await deps.storage.kv.prune(rule.ns, w.start - rule.windowMs, 100);
      return;
    }
  }
  // lost every race: that many writers at once is itself a flood
  throw rateLimited(w.retryAfterS);
}

/** Throws RATE.LIMITED when `key` already used up this window, without counting. */
export async function checkRate(deps: Deps, merchantId: string, rule: RateRule, key: string): Promise<void> {
  const w = windowOf(deps, rule);
  const cur = await deps.storage.kv.get<number>(merchantId, rule.ns, `${key}@${w.start}`);
  if ((cur?.value ?? 0) >= rule.max) throw rateLimited(w.retryAfterS);
}
