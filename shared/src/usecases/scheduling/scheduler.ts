import type { Job } from '../../domain/job';
import type { Merchant } from '../../domain/merchant';
import type { NewJob } from '../../ports/storage';
import type { Deps } from '../../ports/deps';

/**
 * A kind of scheduled work. `plan` names the jobs due now with deterministic keys; because it
 * only names the latest slot (not every slot since the last run), a scheduler that was down
 * catches up a missed run once, not once per missed tick.
 */
export interface JobDefinition {
  kind: string;
  /** When it runs, in words: the deploy plan lists it under the scheduler function. */
  when: string;
  plan(now: number, merchants: Merchant[]): NewJob[];
  run(job: Job, deps: Deps): Promise<unknown>;
}

export interface TickReport {
  planned: number;
  claimed: number;
  done: number;
  retried: number;
  failed: number;
  /** The jobs this tick ran, in order: `done`, or `failed` (this attempt failed; retried later or given up) with its error. */
  ran: { key: string; status: 'done' | 'failed'; error?: string }[];
}

export interface TickOptions {
  limit?: number;
  /**
   * The tick's "now" (`jobs run-due --at`): what is planned and due is decided at this time,
   * while every clock the jobs read (deps.clock: sessions, WeCom windows, timestamps) stays
   * where it is. Retries are scheduled from it, so a second tick at the same time reruns nothing.
   */
  now?: number;
}

export const LEASE_MS = 5 * 60_000;
const BASE_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 60 * 60_000;

export function backoffMs(attempts: number): number {
  return Math.min(BASE_BACKOFF_MS * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

/** Start of the `everyMs` slot that contains `now` (UTC-aligned; fine for sub-day periods). */
export function slotStart(now: number, everyMs: number): number {
  return Math.floor(now / everyMs) * everyMs;
}

/**
 * Keys this process has already put in the ledger (added, or refused as a duplicate): each tick
 * plans the latest slot of every job again, and on CloudBase every refused insert is a billed
 * database request (about half of an idle tick's). Per storage, so separate stores never share
 * it; a cold process starts empty and the ledger's idempotent insert still decides.
 */
const KNOWN_TTL_MS = 36 * 3600_000;
const KNOWN_MAX = 20_000;
const knownByStore = new WeakMap<object, Map<string, number>>();
function knownKeys(deps: Deps): Map<string, number> {
  let m = knownByStore.get(deps.storage.jobs);
  if (!m) knownByStore.set(deps.storage.jobs, (m = new Map<string, number>()));
  return m;
}
function remember(known: Map<string, number>, key: string, now: number) {
  known.set(key, now);
  if (known.size <= KNOWN_MAX) return;
  for (const [k, at] of known) if (now - at > KNOWN_TTL_MS || known.size > KNOWN_MAX) known.delete(k);
}

export async function schedulerTick(deps: Deps, defs: JobDefinition[], opts: TickOptions = {}): Promise<TickReport> {
  const now = opts.now ?? deps.clock.now();
  const report: TickReport = { planned: 0, claimed: 0, done: 0, retried: 0, failed: 0, ran: [] };
  const merchants = await deps.storage.merchants.listAll();
  const known = knownKeys(deps);
  for (const def of defs) {
    for (const job of def.plan(now, merchants)) {
      if (known.has(job.key)) continue;
      if (await deps.storage.jobs.enqueue(job, now)) report.planned++;
      remember(known, job.key, now);
    }
  }
  const byKind = new Map(defs.map((d) => [d.kind, d]));
  const claimed = await deps.storage.jobs.claimDue(now, LEASE_MS, opts.limit ?? 50);
  report.claimed = claimed.length;
  for (const job of claimed) {
    const def = byKind.get(job.kind);
    try {
      if (!def) throw new Error(`no handler for job kind ${job.kind}`);
      const result = await def.run(job, deps);
      await deps.storage.jobs.complete(job.key, result ?? null, deps.clock.now());
      report.done++;
      report.ran.push({ key: job.key, status: 'done' });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const giveUp = job.attempts >= job.maxAttempts;
      // a tick at a given time retries from that time (so the same tick again reruns nothing)
      const retryAt = (opts.now ?? deps.clock.now()) + backoffMs(job.attempts);
      await deps.storage.jobs.fail(job.key, message.slice(0, 500), giveUp ? null : retryAt, deps.clock.now());
      if (giveUp) report.failed++;
      else report.retried++;
      report.ran.push({ key: job.key, status: 'failed', error: message.slice(0, 200) });
    }
  }
  return report;
}
