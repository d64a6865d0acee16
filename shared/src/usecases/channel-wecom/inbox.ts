import type { InboxEntry } from '../../domain/inbox';
import { PLATFORM } from '../../domain/job';
import { backoffMs } from '../../domain/retry';
import { isTransient } from '../../ports/wecom';
import { slotStart, type JobDefinition } from '../scheduling/scheduler';
import type { Deps } from '../../ports/deps';
import { NS, type WecomContext } from './context';
import { dispatch, parseCallback, type HandlerResult, type RawCallback, type RouteTable } from './events';
import { updateKv } from '../lib/kv-cas';
import { WECOM_ROUTES } from './routes';

/** The server's XML parser (fast-xml-parser, parseTagValue:false): plaintext → the `<xml>` root's children. */
export type ParseXml = (plaintext: string) => RawCallback;

export interface InboxContext extends WecomContext {
  parseXml: ParseXml;
  /** Defaults to WECOM_ROUTES; tests may pass their own table. */
  routes?: RouteTable<WecomContext>;
}

/**
 * How long transient failures of one entry are retried, counted from when it arrived: WeCom
 * lets us reply for 48 h after the customer's message, and the last hour is left for a person.
 */
export const INBOX_RETRY_WINDOW_MS = 47 * 3600_000;

/** Per entry (kv NS.retry): how often it failed and when it may be tried again. */
export interface RetryRecord {
  attempts: number;
  lastError: string;
  nextAt: number;
}

export type InboxOutcome =
  | { status: 'processed'; result: Extract<HandlerResult, { status: 'handled' | 'ignored' }> }
  | { status: 'already_processed' }
  /** Left pending: call again after `retryInMs` (the sweep does it after 30 s at the latest). */
  | { status: 'deferred'; retryInMs: number; reason: string }
  /** A transient error: left pending; try again after `retryInMs` (the sweep does it too). */
  | { status: 'retry'; error: string; attempts: number; retryInMs: number }
  | { status: 'failed'; error: string };

/**
 * An entry the caller stored itself a moment ago and has not tried yet (receive.ts, right after
 * the insert), with the XML it already parsed: it is neither read back nor parsed again, and it
 * has no retry record to clear. Each of those was a SQLite call or a parse per callback; none of
 * them guarded anything — the handlers dedupe whoever else processes the same entry (the read
 * never excluded a concurrent runner), and a stray retry record is pruned with the others.
 */
export interface FreshEntry {
  parsed: RawCallback;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);

/**
 * The entry point for a persisted callback (the callback right after storing it, and the sweep):
 * parse → table dispatch → inbox.markProcessed / markFailed. Idempotent: an entry already
 * processed is skipped, and the handlers themselves dedupe (kf cursor + msgid, welcome codes,
 * counter event ids, deterministic send msgids), so a second run sends nothing twice.
 */
export async function processInboxEntry(ctx: InboxContext, entry: InboxEntry, fresh?: FreshEntry): Promise<InboxOutcome> {
  const { deps } = ctx;
  const storage = deps.storage;
  const current = fresh ? entry : ((await storage.inbox.get(entry.merchantId, entry.dedupeKey)) ?? entry);
  if (current.status === 'processed') return { status: 'already_processed' };
  let raw: RawCallback;
  try {
    raw = fresh ? fresh.parsed : ctx.parseXml(current.plaintext);
  } catch (err) {
    await storage.inbox.markFailed(current.merchantId, current.dedupeKey, `unparseable: ${message(err)}`, deps.clock.now());
    return { status: 'failed', error: message(err) };
  }
  try {
    const result = await dispatch(ctx.routes ?? WECOM_ROUTES, ctx as WecomContext, current.merchantId, parseCallback(raw), current);
    if (result.status === 'deferred') return { status: 'deferred', retryInMs: Math.max(0, result.retryInMs), reason: result.reason };
    await storage.inbox.markProcessed(current.merchantId, current.dedupeKey, deps.clock.now());
    if (!fresh) await storage.kv.delete(current.merchantId, NS.retry, current.dedupeKey);
    return { status: 'processed', result };
  } catch (err) {
    const error = message(err);
    const now = deps.clock.now();
    if (isTransient(err) && now - current.receivedAt < INBOX_RETRY_WINDOW_MS) {
      const rec = await updateKv<RetryRecord>(storage.kv, current.merchantId, NS.retry, current.dedupeKey, now, (cur) => {
        const attempts = (cur?.attempts ?? 0) + 1;
        return { attempts, lastError: error, nextAt: now + backoffMs(attempts, deps.random?.()) };
      });
      const attempts = rec?.attempts ?? 1;
      return { status: 'retry', error, attempts, retryInMs: Math.max(0, (rec?.nextAt ?? now) - now) };
    }
    await storage.inbox.markFailed(current.merchantId, current.dedupeKey, error, now);
    return { status: 'failed', error };
  }
}

/** Entries younger than this are left to the callback that stored them. */
export const SWEEP_MIN_AGE_MS = 30_000;
const SWEEP_EVERY_MS = 60_000;
const SWEEP_BATCH = 200;
export const INBOX_SWEEP_KIND = 'wecom.inbox-sweep';

/**
 * The backstop: every minute, platform-wide, processes inbox entries still pending 30 s after
 * they arrived (a crashed or timed-out callback, deferred fragments, retryable failures).
 * The server builds it with its WeCom client, answer engine and XML parser.
 */
export function createInboxSweepJob(env: Omit<InboxContext, 'deps'>): JobDefinition {
  return {
    kind: INBOX_SWEEP_KIND,
    when: 'every minute',
    plan(now) {
      const slot = slotStart(now, SWEEP_EVERY_MS);
      return [{ key: `${INBOX_SWEEP_KIND}:${slot}`, merchantId: PLATFORM, kind: INBOX_SWEEP_KIND, runAt: slot, maxAttempts: 2 }];
    },
    async run(_job, deps: Deps) {
      const ctx: InboxContext = { ...env, deps };
      const now = deps.clock.now();
      const pending = await deps.storage.inbox.listPending(now - SWEEP_MIN_AGE_MS, SWEEP_BATCH);
      const tally: Record<string, number> = {};
      for (const entry of pending) {
        let status: string;
        try {
          const retry = await deps.storage.kv.get<RetryRecord>(entry.merchantId, NS.retry, entry.dedupeKey);
          status = retry && retry.value.nextAt > now ? 'backing_off' : (await processInboxEntry(ctx, entry)).status;
        } catch {
          status = 'error';
        }
        tally[status] = (tally[status] ?? 0) + 1;
      }
      return { seen: pending.length, ...tally };
    },
  };
}
