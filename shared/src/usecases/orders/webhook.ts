import { AppError } from '../../domain/errors';
import type { SealedSecret } from '../../domain/merchant';
import { checkOrderEvent, WEBHOOK_MAX_SKEW_S } from '../../domain/order-event';
import type { Deps } from '../../ports/deps';
import { updateKv } from '../lib/kv-cas';
import { recordAudit } from '../shop/audit';
import { requireMerchant } from '../shop/require-merchant';
import { ingestOrderEvent, type IngestResult } from './ingest';

/**
 * The signed order webhook (README "Order webhook"): `X-Xiaoer-Signature` is the lowercase hex
 * HMAC-SHA256 of `<X-Xiaoer-Timestamp>.<raw body>` keyed with the shop's webhook secret as
 * printed. The stored secret is read on every delivery, so one rotated from the CLI or the app
 * (another process) is the only one accepted from the next delivery on; only its unsealing is
 * cached, keyed by the sealed value itself, so a rotation can never be answered from the cache.
 */

const NS = 'webhook';
const KEY = 'secret';
/** Random bytes in a new secret (43 base64url characters after the prefix). */
const SECRET_BYTES = 32;
// an unknown shop (or one without a secret) still costs an unsealing, one HMAC and one compare, like a wrong signature
const NO_KEY = 'whsec_no-such-merchant';
const decoys = new WeakMap<object, SealedSecret>();
function decoyKey(deps: Deps): string {
  let sealed = decoys.get(deps.secrets);
  if (!sealed) decoys.set(deps.secrets, (sealed = deps.secrets.seal(NO_KEY)));
  return deps.secrets.open(sealed);
}

/** Per secret box: merchant → the sealed value last opened and its plaintext (one entry per shop, replaced on rotation). */
type Opened = Map<string, { sealed: SealedSecret; key: string }>;
const opened = new WeakMap<object, Opened>();
function openSecret(deps: Deps, merchantId: string, sealed: SealedSecret): string {
  let byMerchant = opened.get(deps.secrets);
  if (!byMerchant) opened.set(deps.secrets, (byMerchant = new Map() as Opened));
  const hit = byMerchant.get(merchantId);
  // every part compared: a new secret has a new IV and ciphertext, and the tag authenticates both
  if (hit && hit.sealed.v === sealed.v && hit.sealed.iv === sealed.iv && hit.sealed.tag === sealed.tag && hit.sealed.ct === sealed.ct) return hit.key;
  const key = deps.secrets.open(sealed);
  byMerchant.set(merchantId, { sealed: { ...sealed }, key });
  return key;
}

interface StoredSecret {
  sealed: SealedSecret;
  rotatedAt: number;
}

export interface Delivery {
  merchantId: string;
  /** X-Xiaoer-Timestamp as sent: Unix seconds (the adapter checked it is digits). */
  timestamp: string;
  /** X-Xiaoer-Signature as sent, any length or case. */
  signature: string;
  /** The raw body: what was signed. */
  body: Uint8Array;
  /** The body as UTF-8 text, or null when it is not valid UTF-8. */
  text: string | null;
}

const fail = (code: string, message: string, status: number, details?: unknown) => new AppError(code, message, status, details);

/** Verifies, then ingests one delivery. Every refusal is a 4xx with a stable WEBHOOK.* code and writes nothing. */
export async function receiveOrderWebhook(deps: Deps, d: Delivery): Promise<IngestResult> {
  const [merchant, secret] = await Promise.all([deps.storage.merchants.get(d.merchantId), deps.storage.kv.get<StoredSecret>(d.merchantId, NS, KEY)]);
  const key = merchant && secret ? openSecret(deps, d.merchantId, secret.value.sealed) : decoyKey(deps);
  const signed = deps.secrets.safeEqual(deps.secrets.hmacSha256Hex(key, [d.timestamp, '.', d.body]), d.signature);
  if (!merchant) throw fail('WEBHOOK.UNKNOWN_MERCHANT', '没有这家店', 404);
  if (!secret) throw fail('WEBHOOK.NO_SECRET', '这家店还没有生成订单回调密钥：请在小程序「店铺设置」或用 npm run cli -- webhook secret 生成', 401);
  if (!signed) throw fail('WEBHOOK.BAD_SIGNATURE', '签名不对：应为用回调密钥对「时间戳.原始请求体」做的 HMAC-SHA256（小写十六进制）', 401);
  // after the signature: a stale answer tells a genuine sender its clock (or its replay) is off
  if (Math.abs(deps.timers.wallNow() / 1000 - Number(d.timestamp)) > WEBHOOK_MAX_SKEW_S) {
    throw fail('WEBHOOK.STALE', `时间戳和现在相差超过 ${WEBHOOK_MAX_SKEW_S} 秒：请检查发送方的时钟，重发时用新的时间戳重新签名`, 400);
  }
  let value: unknown;
  try {
    if (d.text === null) throw new Error('not UTF-8');
    value = JSON.parse(d.text);
  } catch {
    throw fail('WEBHOOK.BAD_JSON', '请求体不是合法的 UTF-8 JSON', 400);
  }
  const checked = checkOrderEvent(value);
  if (!checked.ok) throw fail('WEBHOOK.INVALID_ORDER', checked.message, 422, checked.details);
  return ingestOrderEvent(deps, merchant, checked.event, 'webhook');
}

/** Creates or replaces the shop's webhook secret; the plaintext is returned this once and never again. */
export async function rotateWebhookSecret(deps: Deps, merchantId: string, actor: string): Promise<{ secret: string; rotatedAt: number }> {
  await requireMerchant(deps, merchantId);
  const secret = `whsec_${deps.secrets.randomSecret(SECRET_BYTES)}`;
  const rotatedAt = deps.clock.now();
  await updateKv<StoredSecret>(deps.storage.kv, merchantId, NS, KEY, rotatedAt, () => ({ sealed: deps.secrets.seal(secret), rotatedAt }));
  await recordAudit(deps, { merchantId, actor, action: 'webhook.rotateSecret', target: 'orders' });
  return { secret, rotatedAt };
}

/** Whether the shop has a secret (never the secret itself) and the path to give its order system. */
export async function webhookStatus(deps: Deps, merchantId: string): Promise<{ configured: boolean; rotatedAt: number | null; path: string }> {
  await requireMerchant(deps, merchantId);
  const secret = await deps.storage.kv.get<StoredSecret>(merchantId, NS, KEY);
  return { configured: Boolean(secret), rotatedAt: secret?.value.rotatedAt ?? null, path: `/webhook/orders/${merchantId}` };
}
