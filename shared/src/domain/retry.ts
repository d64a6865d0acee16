/**
 * Backoff for work that failed for a transient reason: 1 s, 2 s, 4 s … up to 5 min, each
 * stretched by a jitter factor in [0.5, 1.5) so a burst that failed together does not retry
 * together.
 */
export const BACKOFF = { baseMs: 1_000, capMs: 5 * 60_000 } as const;

/** The wait before attempt `attempt + 1`, after `attempt` (≥ 1) failed; `random` in [0, 1). */
export function backoffMs(attempt: number, random = 0.5): number {
  const plain = Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 20)));
  return Math.round(plain * (0.5 + Math.min(Math.max(random, 0), 0.999_999)));
}
