import type { InboxEntry } from '../../domain/inbox';
import { AppError } from '../../domain/errors';
import { PLATFORM } from '../../domain/job';
import { WecomApiError } from '../../ports/wecom';
import { slotStart, type JobDefinition } from '../scheduler';
import type { Deps } from '../deps';
import { NS, type WecomContext } from './context';
import { dispatch, parseCallback, type HandlerResult, type RawCallback, type RouteTable } from './events';
import { updateKv } from './kv-cas';
import { WECOM_ROUTES } from './routes';

/** The server's XML parser (fast-xml-parser, parseTagValue:false): plaintext → the `<xml>` root's children. */
export type ParseXml = (plaintext: string) => RawCallback;

export interface InboxContext extends WecomContext {
  parseXml: ParseXml;
  /** Defaults to WECOM_ROUTES; tests may pass their own table. */
  routes?: RouteTable<WecomContext>;
}

/** Retryable failures of one entry before it is marked failed for good. */
export const MAX_INBOX_ATTEMPTS = 5;

export type InboxOutcome =
  | { status: 'processed'; result: Extract<HandlerResult, { status: 'handled' | 'ignored' }> }
  | { status: 'already_processed' }
  /** Left pending: call again after `retryInMs` (the sweep does it after 30 s at the latest). */
  | { status: 'deferred'; retryInMs: number; reason: string }
  /** A retryable error: left pending for the sweep (attempt `attempts` of MAX_INBOX_ATTEMPTS). */
  | { status: 'retry'; error: string; attempts: number }
  | { status: 'failed'; error: string };

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);

function isRetryable(err: unknown): boolean {
  if (err instanceof WecomApiError) return err.retryable;
  // our own domain errors (bad config, bad input) do not get better by waiting; anything else may
  return !(err instanceof AppError);
}

/**
 * The entry point for a persisted callback (the callback right after storing it, and the sweep):
 * parse → table dispatch → inbox.markProcessed / markFailed. Idempotent: an entry already
 * processed is skipped, and the handlers themselves dedupe (kf cursor + msgid, welcome codes,
 * counter event ids, deterministic send msgids), so a second run sends nothing twice.
 */
export async function processInboxEntry(ctx: InboxContext, entry: InboxEntry): Promise<InboxOutcome> {
  const { deps } = ctx;
  const storage = deps.storage;
  const current = (await storage.inbox.get(entry.merchantId, entry.dedupeKey)) ?? entry;
  if (current.status === 'processed') return { status: 'already_processed' };
  let raw: RawCallback;
  try {
    raw = ctx.parseXml(current.plaintext);
  } catch (err) {
    await storage.inbox.markFailed(current.merchantId, current.dedupeKey, `unparseable: ${message(err)}`, deps.clock.now());
    return { status: 'failed', error: message(err) };
  }
  try {
    const result = await dispatch(ctx.routes ?? WECOM_ROUTES, ctx as WecomContext, current.merchantId, parseCallback(raw), current);
    if (result.status === 'deferred') return { status: 'deferred', retryInMs: Math.max(0, result.retryInMs), reason: result.reason };
    await storage.inbox.markProcessed(current.merchantId, current.dedupeKey, deps.clock.now());
    await storage.kv.delete(current.merchantId, NS.retry, current.dedupeKey);
    return { status: 'processed', result };
  } catch (err) {
    const error = message(err);
    const now = deps.clock.now();
    if (isRetryable(err)) {
      const rec = await updateKv<{ attempts: number; lastError: string }>(storage.kv, current.merchantId, NS.retry, current.dedupeKey, now, (cur) => ({
        attempts: (cur?.attempts ?? 0) + 1,
        lastError: error,
      }));
      const attempts = rec?.attempts ?? 1;
      if (attempts < MAX_INBOX_ATTEMPTS) return { status: 'retry', error, attempts };
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
    plan(now) {
      const slot = slotStart(now, SWEEP_EVERY_MS);
      return [{ key: `${INBOX_SWEEP_KIND}:${slot}`, merchantId: PLATFORM, kind: INBOX_SWEEP_KIND, runAt: slot, maxAttempts: 2 }];
    },
    async run(_job, deps: Deps) {
      const ctx: InboxContext = { ...env, deps };
      const pending = await deps.storage.inbox.listPending(deps.clock.now() - SWEEP_MIN_AGE_MS, SWEEP_BATCH);
      const tally: Record<string, number> = {};
      for (const entry of pending) {
        let status: string;
        try {
          status = (await processInboxEntry(ctx, entry)).status;
        } catch {
          status = 'error';
        }
        tally[status] = (tally[status] ?? 0) + 1;
      }
      return { seen: pending.length, ...tally };
    },
  };
}
