import crypto from 'node:crypto';
import { z } from 'zod';
import { AppError } from '@xiaoer/shared/domain/errors';
import { MerchantId } from '@xiaoer/shared/domain/ids';
import { processInboxEntry } from '@xiaoer/shared/usecases/channel-wecom/inbox';
import type { Runtime } from '../server/composition';
import { type CallbackCredentials, matchPair, openEnvelope } from '../server/wecom/callback-crypto';
import { recordStatus } from '@xiaoer/shared/usecases/channel-wecom/channel-status';

export interface CallbackRequest {
  method: string;
  merchantId: string;
  query: Record<string, string | undefined>;
  body: string;
  /**
   * `after-ack` (the local host, a long-lived process): answer first, process right after.
   * `inline` (a CloudBase function stops when it returns): process within `deadline`, then
   * answer; WeCom's retries meanwhile find the inbox entry and get their 200 at once.
   */
  processing?: { mode: 'after-ack' } | { mode: 'inline'; deadline: number };
}
export interface CallbackResponse {
  status: number;
  contentType: string;
  body: string;
}

export const MAX_CALLBACK_BYTES = 64 * 1024;
/** A longer backoff is left to the inbox sweep rather than waited out here. */
const MAX_BACKOFF_WAIT_MS = 30_000;

const Signed = z.object({
  msg_signature: z.string().regex(/^[0-9a-fA-F]{40}$/),
  timestamp: z.string().regex(/^\d{1,12}$/),
  nonce: z.string().min(1).max(64),
});
const Verify = Signed.extend({ echostr: z.string().min(1).max(4096) });

const reject = (code: string, message: string) => new AppError(code, message, 400);

async function credentials(rt: Runtime, merchantId: string) {
  if (!MerchantId.safeParse(merchantId).success) throw new AppError('NOT_FOUND.MERCHANT', '没有这家店', 404);
  const m = await rt.storage.merchants.get(merchantId);
  if (!m) throw new AppError('NOT_FOUND.MERCHANT', '没有这家店', 404);
  const open = rt.deps.secrets.open;
  const pairs: CallbackCredentials[] = [{ token: open(m.wecom.callback.token), aesKey: open(m.wecom.callback.aesKey) }];
  if (m.wecom.kfCallback) pairs.push({ token: open(m.wecom.kfCallback.token), aesKey: open(m.wecom.kfCallback.aesKey) });
  return { merchant: m, pairs };
}

function checkFreshness(rt: Runtime, timestamp: string) {
  const skew = rt.config.wecom.maxSkewS;
  if (skew > 0 && Math.abs(rt.deps.clock.now() / 1000 - Number(timestamp)) > skew) {
    throw reject('WECOM.STALE_TIMESTAMP', '回调时间戳太旧或太新');
  }
}

/**
 * The WeCom callback URL. GET answers URL verification with the bare echostr; POST verifies,
 * decrypts, persists the event in the inbox (deduplicated) and only then acknowledges with an
 * empty 200, whatever the event's type. (Processing of inbox entries — kf sync and the 客户联系
 * handlers — arrives with the WeCom channel issue; until then entries stay pending.)
 */
export async function handleWecomCallback(rt: Runtime, req: CallbackRequest): Promise<CallbackResponse> {
  if (req.method === 'GET') {
    const q = Verify.safeParse(req.query);
    if (!q.success) throw reject('WECOM.BAD_QUERY', '验证参数不全');
    checkFreshness(rt, q.data.timestamp);
    const { merchant, pairs } = await credentials(rt, req.merchantId);
    const pair = matchPair(pairs, q.data, q.data.echostr);
    if (!pair) throw await rejected(rt, merchant.id, new AppError('WECOM.BAD_SIGNATURE', '签名不对', 401));
    const echo = openEnvelope(pair.aesKey, q.data.echostr, merchant.wecom.corpId);
    await recordStatus(rt.deps, merchant.id, (cur) => ({ ...cur, callbackVerifiedAt: rt.deps.clock.now() }));
    return { status: 200, contentType: 'text/plain; charset=utf-8', body: echo };
  }
  if (req.method !== 'POST') throw new AppError('INPUT.METHOD', '只支持 GET 和 POST', 405);
  const q = Signed.safeParse(req.query);
  if (!q.success) throw reject('WECOM.BAD_QUERY', '签名参数不全');
  if (Buffer.byteLength(req.body) > MAX_CALLBACK_BYTES) throw new AppError('INPUT.TOO_LARGE', '回调内容太大', 413);
  checkFreshness(rt, q.data.timestamp);
  const { merchant, pairs } = await credentials(rt, req.merchantId);
  // the XML parser is loaded here, not at module load: the GET path must stay light
  const { parseWecomXml } = await import('../server/wecom/xml');
  const outer = parseWecomXml(req.body);
  const encrypted = typeof outer.Encrypt === 'string' ? outer.Encrypt : '';
  if (!encrypted) throw reject('WECOM.BAD_XML', '回调里没有 Encrypt');
  const pair = matchPair(pairs, q.data, encrypted);
  if (!pair) throw await rejected(rt, merchant.id, new AppError('WECOM.BAD_SIGNATURE', '签名不对', 401));
  const plaintext = openEnvelope(pair.aesKey, encrypted, merchant.wecom.corpId);
  const event = parseWecomXml(plaintext);
  const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 64) : '');
  const msgId = str(event.MsgId);
  const dedupeKey = msgId ? `msg:${msgId}` : `sha256:${crypto.createHash('sha256').update(plaintext).digest('hex')}`;
  const first = await rt.storage.inbox.put({
    merchantId: merchant.id,
    dedupeKey,
    msgType: str(event.MsgType),
    event: str(event.Event),
    plaintext,
    receivedAt: rt.deps.clock.now(),
    status: 'pending',
    attempts: 0,
  });
  rt.logger.info({ merchantId: merchant.id, msgType: event.MsgType, event: event.Event, dedupeKey, duplicate: !first }, 'wecom callback stored');
  const type = str(event.Event) || str(event.MsgType);
  await recordStatus(rt.deps, merchant.id, (cur) => ({ ...cur, lastEvent: { at: rt.deps.clock.now(), type } }));
  if (first) {
    const p = req.processing ?? { mode: 'after-ack' };
    if (p.mode === 'inline') await processStored(rt, merchant.id, dedupeKey, p.deadline);
    else setImmediate(() => void processStored(rt, merchant.id, dedupeKey, Number.POSITIVE_INFINITY));
  }
  return { status: 200, contentType: 'text/plain; charset=utf-8', body: '' };
}

/** Remembers a refused callback for the setup checker, then hands the error back to throw. */
async function rejected(rt: Runtime, merchantId: string, err: AppError): Promise<AppError> {
  await recordStatus(rt.deps, merchantId, (cur) => ({ ...cur, lastRejected: { at: rt.deps.clock.now(), code: err.code } }));
  return err;
}

/**
 * Processes one stored callback, following `deferred` answers (fragments still arriving,
 * another worker holds the customer) while time allows. Anything left stays pending for the
 * inbox sweep job; nothing here throws.
 */
export async function processStored(rt: Runtime, merchantId: string, dedupeKey: string, deadline: number): Promise<string> {
  try {
    for (let round = 0; round < 20; round++) {
      const entry = await rt.storage.inbox.get(merchantId, dedupeKey);
      if (!entry) return 'missing';
      const out = await processInboxEntry(Number.isFinite(deadline) ? { ...rt.inbox, deadline } : rt.inbox, entry);
      if (out.status !== 'deferred' && out.status !== 'retry') return out.status;
      // a long backoff is the sweep's: this process need not wait minutes for it
      if (Date.now() + out.retryInMs > deadline || (out.status === 'retry' && out.retryInMs > MAX_BACKOFF_WAIT_MS)) return out.status;
      await new Promise((r) => setTimeout(r, out.retryInMs));
    }
    return 'deferred';
  } catch (err) {
    rt.logger.error({ err, merchantId, dedupeKey }, 'processing a stored callback failed; the sweep will retry');
    return 'error';
  }
}

/**
 * A process that starts owns no work yet: whatever the inbox still holds as pending was left by
 * a process that died between the acknowledgement and the reply. Pick it up now rather than at
 * the next sweep. (Processing is idempotent, so a second runner elsewhere sends nothing twice.)
 */
export async function recoverPendingCallbacks(rt: Runtime): Promise<number> {
  const pending = await rt.storage.inbox.listPending(rt.deps.clock.now() + 1, 500);
  for (const e of pending) void processStored(rt, e.merchantId, e.dedupeKey, Number.POSITIVE_INFINITY);
  if (pending.length) rt.logger.info({ count: pending.length }, 'picking up callbacks left pending by a previous run');
  return pending.length;
}
