import { AppError } from '@xiaoer/shared/domain/errors';
import { MerchantId } from '@xiaoer/shared/domain/ids';
import { WEBHOOK_MAX_BYTES } from '@xiaoer/shared/domain/order-event';
import { WebhookHeaders } from '@xiaoer/shared/contracts/functions';
import { receiveOrderWebhook } from '@xiaoer/shared/usecases/orders/webhook';
import type { Runtime } from '../server/composition';

export interface WebhookRequest {
  method: string;
  merchantId: string;
  /** Header names in any case. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export { WEBHOOK_MAX_BYTES };
const JSON_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function header(headers: WebhookRequest['headers'], name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : headers[key];
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * The `webhook` function (`POST /webhook/orders/<merchantId>`): checks the request's shape —
 * method, size, content type, signing headers — then hands the raw body to the use case, which
 * verifies the signature and ingests the order event. Answers `{ok:true,data}` or a coded 4xx.
 */
export async function handleOrderWebhook(rt: Runtime, req: WebhookRequest) {
  if (req.method !== 'POST') throw new AppError('INPUT.METHOD', '订单回调只接受 POST', 405);
  if (req.body.length > WEBHOOK_MAX_BYTES) throw new AppError('INPUT.TOO_LARGE', `内容太大（上限 ${WEBHOOK_MAX_BYTES} 字节）`, 413);
  const type = header(req.headers, 'content-type');
  if (type !== undefined && !JSON_TYPE.test(type.trim())) throw new AppError('WEBHOOK.UNSUPPORTED_TYPE', 'Content-Type 要用 application/json（UTF-8）', 415);
  const timestamp = header(req.headers, 'x-xiaoer-timestamp');
  const h = WebhookHeaders.safeParse({ timestamp, signature: header(req.headers, 'x-xiaoer-signature') });
  if (!h.success) {
    if (!WebhookHeaders.shape.timestamp.safeParse(timestamp).success) throw new AppError('WEBHOOK.BAD_TIMESTAMP', 'X-Xiaoer-Timestamp 要写 Unix 秒数', 400);
    throw new AppError('WEBHOOK.BAD_SIGNATURE', '缺少 X-Xiaoer-Signature 签名', 401);
  }
  if (!MerchantId.safeParse(req.merchantId).success) throw new AppError('WEBHOOK.UNKNOWN_MERCHANT', '没有这家店', 404);
  let text: string | null;
  try {
    text = utf8.decode(req.body);
  } catch {
    text = null;
  }
  const r = await receiveOrderWebhook(rt.deps, { merchantId: req.merchantId, ...h.data, body: req.body, text });
  return { status: 200, body: { ok: true as const, data: { orderNo: r.orderNo, outcome: r.outcome, matched: r.customer !== null } } };
}
