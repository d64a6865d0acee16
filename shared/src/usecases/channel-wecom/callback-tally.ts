import type { Log } from '../../ports/logger';

/** Callbacks per outcome since the last summary, per logger (one per process and runtime). */
interface Tally {
  since: number;
  counts: Record<string, number>;
}

const tallies = new WeakMap<Log, Tally>();
export const SUMMARY_EVERY_MS = 60_000;

/**
 * Counts one callback and, once a minute (on the first callback after the minute is up), writes
 * one info line with the counts: each callback alone is logged at debug only, so a busy shop
 * does not fill the log, and a quiet one writes nothing.
 */
export function tallyCallback(log: Log, outcome: 'stored' | 'duplicate' | 'rejected', now: number): void {
  let t = tallies.get(log);
  if (!t) {
    t = { since: now, counts: {} };
    tallies.set(log, t);
  }
  t.counts[outcome] = (t.counts[outcome] ?? 0) + 1;
  if (now - t.since >= SUMMARY_EVERY_MS) {
    log.info({ ...t.counts, seconds: Math.round((now - t.since) / 1000) }, 'wecom callbacks in the last minute');
    tallies.set(log, { since: now, counts: {} });
  }
}
