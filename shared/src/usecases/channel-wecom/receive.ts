import type { KeyedLimiter } from '../lib/keyed-limiter';
import { AppError } from '../../domain/errors';
import type { InboxEntry } from '../../domain/inbox';
import type { Merchant } from '../../domain/merchant';
import type { CallbackCodec, CallbackCredentials, SignedQuery } from '../../ports/callback-codec';
import type { Log } from '../../ports/logger';
import { resumeQueues } from './resume-queues';
import { recordStatus, stale } from './channel-status';
import { requireMerchant } from '../shop/require-merchant';
import { processInboxEntry, type FreshEntry, type InboxContext } from './inbox';
import { tallyCallback } from './callback-tally';

/**
 * Receive → persist → process → recover: what happens to a WeCom callback after the transport
 * has validated its shape. Verification answers the echostr; a POST is verified, decrypted,
 * stored in the inbox (deduplicated) and only then processed — after the acknowledgement on a
 * long-lived host, inline within the deadline on a CloudBase function.
 */
export interface ReceiveContext extends InboxContext {
  codec: CallbackCodec;
  log: Log;
  /** Timestamp freshness window in seconds (WECOM_MAX_SKEW_S); 0 = off (replaying recorded vectors). */
  maxSkewS: number;
  /**
   * How many of one shop's stored callbacks are processed at once in this process (the rest
   * wait their turn): one shop's burst can't crowd every other shop's customers out. Waits
   * between tries (backoff, fragments still arriving) hold no slot.
   */
  perMerchant?: KeyedLimiter;
}

/**
 * `after-ack` (the local host, a long-lived process): answer first, process right after.
 * `inline` (a CloudBase function stops when it returns): process within `deadline`, then
 * answer; WeCom's retries meanwhile find the inbox entry and get their 200 at once.
 */
export type Processing = { mode: 'after-ack' } | { mode: 'inline'; deadline: number };

/** A longer backoff is left to the inbox sweep rather than waited out here. */
const MAX_BACKOFF_WAIT_MS = 30_000;
/** Retryable failures of one entry followed here before the sweep takes over (it backs off longer). */
const MAX_RETRIES_HERE = 20;
/**
 * How long one process keeps following a stored callback that is deferred (its customers still
 * typing, a dead process's lease not yet expired). Deferrals end by themselves, so this bounds
 * only a pathological case; a count of tries did not: during a burst an entry whose customers kept
 * typing used up its tries in seconds and waited for the sweep (30–90 s) while its customers waited.
 */
const FOLLOW_FOR_MS = 10 * 60_000;
/**
 * The shortest wait before trying a deferred entry again. Each try re-reads every customer the
 * entry touched; following fragment windows to the millisecond made a backlog's entries spin
 * through the merchant's slots and starve the work that answers.
 */
const MIN_DEFER_WAIT_MS = 500;

const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 64) : '');

interface Credentials {
  merchant: Merchant;
  pairs: CallbackCredentials[];
}

/**
 * How long a merchant's opened callback credentials are reused: every callback needs them, and
 * reading the merchant and unsealing its secrets was a large share of a callback's cost. A
 * signature that matches none of the cached pairs is checked once more against fresh ones, so a
 * just-changed Token/EncodingAESKey works at once (WeCom verifies the URL with it right away).
 */
const CREDENTIALS_TTL_MS = 5_000;
const MAX_CACHED_MERCHANTS = 1_000;
// per storage instance (one per runtime; tests build many)
const credentialCache = new WeakMap<object, Map<string, { until: number; value: Credentials }>>();

async function credentials(ctx: ReceiveContext, merchantId: string, fresh = false): Promise<Credentials & { cached: boolean }> {
  const now = ctx.deps.timers.wallNow();
  let cache = credentialCache.get(ctx.deps.storage);
  if (!cache) credentialCache.set(ctx.deps.storage, (cache = new Map<string, { until: number; value: Credentials }>()));
  const hit = cache.get(merchantId);
  if (!fresh && hit && hit.until > now) return { ...hit.value, cached: true };
  const m = await requireMerchant(ctx.deps, merchantId);
  const open = ctx.deps.secrets.open;
  const pairs: CallbackCredentials[] = [{ token: open(m.wecom.callback.token), aesKey: open(m.wecom.callback.aesKey) }];
  if (m.wecom.kfCallback) pairs.push({ token: open(m.wecom.kfCallback.token), aesKey: open(m.wecom.kfCallback.aesKey) });
  const value = { merchant: m, pairs };
  if (cache.size >= MAX_CACHED_MERCHANTS) cache.clear();
  cache.set(merchantId, { until: now + CREDENTIALS_TTL_MS, value });
  return { ...value, cached: false };
}

/** The merchant and the credential pair that signed `encrypted`; a refused signature throws 401. */
async function signedPair(
  ctx: ReceiveContext,
  merchantId: string,
  query: SignedQuery,
  encrypted: string,
  known?: Credentials & { cached: boolean },
): Promise<{ merchant: Merchant; pair: CallbackCredentials }> {
  let c = known ?? (await credentials(ctx, merchantId));
  let pair = ctx.codec.matchPair(c.pairs, query, encrypted);
  if (!pair && c.cached) {
    c = await credentials(ctx, merchantId, true);
    pair = ctx.codec.matchPair(c.pairs, query, encrypted);
  }
  if (!pair) throw await rejected(ctx, c.merchant.id);
  return { merchant: c.merchant, pair };
}

function checkFreshness(ctx: ReceiveContext, timestamp: string) {
  if (ctx.maxSkewS > 0 && Math.abs(ctx.deps.clock.now() / 1000 - Number(timestamp)) > ctx.maxSkewS) {
    throw new AppError('WECOM.STALE_TIMESTAMP', '回调时间戳太旧或太新', 400);
  }
}

/** Remembers a refused callback for the setup checker, then hands the error back to throw. */
async function rejected(ctx: ReceiveContext, merchantId: string): Promise<AppError> {
  tallyCallback(ctx.log, 'rejected', ctx.deps.timers.wallNow());
  const err = new AppError('WECOM.BAD_SIGNATURE', '签名不对', 401);
  const now = ctx.deps.clock.now();
  // a flood of forged callbacks must not become a flood of writes
  await recordStatus(ctx.deps, merchantId, (cur) => (stale(cur.lastRejected, now) ? { ...cur, lastRejected: { at: now, code: err.code } } : undefined));
  return err;
}

// per storage instance, per merchant: the last event type written to the channel status, and when
const lastEventSeen = new WeakMap<object, Map<string, { at: number; type: string }>>();

/**
 * The setup checker's "last event": written at most once per STATUS_REFRESH_MS per type. What this
 * process last wrote is remembered, so the callbacks in between skip even the read.
 */
async function recordLastEvent(ctx: ReceiveContext, merchantId: string, type: string, now: number) {
  let seen = lastEventSeen.get(ctx.deps.storage);
  if (!seen) lastEventSeen.set(ctx.deps.storage, (seen = new Map<string, { at: number; type: string }>()));
  const mine = seen.get(merchantId);
  if (mine && mine.type === type && !stale(mine, now)) return;
  await recordStatus(ctx.deps, merchantId, (cur) => (stale(cur.lastEvent, now) || cur.lastEvent?.type !== type ? { ...cur, lastEvent: { at: now, type } } : undefined));
  if (seen.size >= MAX_CACHED_MERCHANTS) seen.clear();
  seen.set(merchantId, { at: now, type });
}

/** URL verification (GET): the decrypted echostr. */
export async function verifyCallbackUrl(ctx: ReceiveContext, merchantId: string, query: SignedQuery & { echostr: string }): Promise<string> {
  checkFreshness(ctx, query.timestamp);
  const { merchant, pair } = await signedPair(ctx, merchantId, query, query.echostr);
  const echo = ctx.codec.open(pair.aesKey, query.echostr, merchant.wecom.corpId);
  await recordStatus(ctx.deps, merchant.id, (cur) => ({ ...cur, callbackVerifiedAt: ctx.deps.clock.now() }));
  return echo;
}

/** A callback (POST): verified, decrypted, stored, then processed as `processing` says. */
export async function receiveCallback(
  ctx: ReceiveContext,
  merchantId: string,
  query: SignedQuery,
  body: string,
  processing: Processing,
): Promise<{ dedupeKey: string; duplicate: boolean }> {
  checkFreshness(ctx, query.timestamp);
  // an unknown shop is a 404 before any parsing
  const known = await credentials(ctx, merchantId);
  const outer = await ctx.codec.parseXml(body);
  const encrypted = typeof outer.Encrypt === 'string' ? outer.Encrypt : '';
  if (!encrypted) throw new AppError('WECOM.BAD_XML', '回调里没有 Encrypt', 400);
  const { merchant, pair } = await signedPair(ctx, merchantId, query, encrypted, known);
  const plaintext = ctx.codec.open(pair.aesKey, encrypted, merchant.wecom.corpId);
  const event = await ctx.codec.parseXml(plaintext);
  const msgId = str(event.MsgId);
  const dedupeKey = msgId ? `msg:${msgId}` : `sha256:${ctx.codec.sha256(plaintext)}`;
  const now = ctx.deps.clock.now();
  const stored: InboxEntry = {
    merchantId: merchant.id,
    dedupeKey,
    msgType: str(event.MsgType),
    event: str(event.Event),
    plaintext,
    receivedAt: now,
    status: 'pending',
    attempts: 0,
  };
  const first = await ctx.deps.storage.inbox.put(stored);
  ctx.log.debug({ merchantId: merchant.id, msgType: event.MsgType, event: event.Event, dedupeKey, duplicate: !first }, 'wecom callback stored');
  tallyCallback(ctx.log, first ? 'stored' : 'duplicate', ctx.deps.timers.wallNow());
  if (first) {
    await recordLastEvent(ctx, merchant.id, str(event.Event) || str(event.MsgType), now);
    const fresh = { entry: stored, parsed: event };
    if (processing.mode === 'inline') await processStored(ctx, merchant.id, dedupeKey, processing.deadline, fresh);
    else ctx.deps.timers.defer(() => void processStored(ctx, merchant.id, dedupeKey, Number.POSITIVE_INFINITY, fresh));
  }
  return { dedupeKey, duplicate: !first };
}

/**
 * Processes one stored callback, following `deferred` answers (fragments still arriving, another
 * worker holds the customer) and short backoffs while time allows. Anything left stays pending
 * for the inbox sweep; nothing here throws.
 */
export async function processStored(
  ctx: ReceiveContext,
  merchantId: string,
  dedupeKey: string,
  deadline: number,
  justStored?: FreshEntry & { entry: InboxEntry },
): Promise<string> {
  try {
    const until = Math.min(deadline, ctx.deps.timers.wallNow() + FOLLOW_FOR_MS);
    let retries = 0;
    for (let round = 0; ; round++) {
      // the entry just stored is neither read back nor parsed again on its first try; later rounds read it
      const fresh = round === 0 ? justStored : undefined;
      const entry = fresh ? fresh.entry : await ctx.deps.storage.inbox.get(merchantId, dedupeKey);
      if (!entry) return 'missing';
      const inboxCtx = Number.isFinite(deadline) ? { ...ctx, deadline } : ctx;
      const run = () => processInboxEntry(inboxCtx, entry, fresh);
      // a try after a wait goes ahead of callbacks not yet tried: it is the one with customers to
      // answer now, and behind a burst's fresh callbacks it waited seconds for nothing
      const out = await (ctx.perMerchant ? ctx.perMerchant.run(merchantId, run, round > 0) : run());
      if (out.status !== 'deferred' && out.status !== 'retry') return out.status;
      if (out.status === 'retry' && (++retries > MAX_RETRIES_HERE || out.retryInMs > MAX_BACKOFF_WAIT_MS)) return out.status;
      // (inline, a function follows only its own entry until its deadline: no floor there)
      const wait = out.status === 'deferred' && !Number.isFinite(deadline) ? Math.max(out.retryInMs, MIN_DEFER_WAIT_MS) : out.retryInMs;
      if (ctx.deps.timers.wallNow() + wait > until) return out.status;
      await ctx.deps.timers.sleep(wait);
    }
  } catch (err) {
    ctx.log.error({ err, merchantId, dedupeKey }, 'processing a stored callback failed; the sweep will retry');
    return 'error';
  }
}

/**
 * How many left-over callbacks a starting process takes up itself. They queue in the shop's own
 * lane (8 at a time), so many cost memory for their closures only; beyond this the sweep takes
 * the rest, 200 a minute. At 500, a burst killed mid-way left a few hundred to the sweep and
 * customers waited minutes for the last of them.
 */
const RECOVER_AT_START = 5_000;

/**
 * A process that starts owns no work yet: whatever the inbox still holds as pending was left by
 * a process that died between the acknowledgement and the reply. Pick it up now rather than at
 * the next sweep. (Processing is idempotent, so a second runner elsewhere sends nothing twice.)
 */
export async function recoverPendingCallbacks(ctx: ReceiveContext): Promise<number> {
  const pending = await ctx.deps.storage.inbox.listPending(ctx.deps.clock.now() + 1, RECOVER_AT_START);
  for (const e of pending) void processStored(ctx, e.merchantId, e.dedupeKey, Number.POSITIVE_INFINITY);
  for (const merchantId of new Set(pending.map((e) => e.merchantId))) await resumeQueues(ctx, merchantId);
  if (pending.length) ctx.log.info({ count: pending.length }, 'picking up callbacks left pending by a previous run');
  return pending.length;
}
