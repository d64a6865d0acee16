import { AppError } from '@xiaoer/shared/domain/errors';
import { errorEnvelope } from '@xiaoer/shared/api/dispatch';
import { HttpTriggerEvent, type HttpTriggerResult } from '@xiaoer/shared/contracts/functions';
import { cloudRuntime } from '../server/runtime-cloud';
import { handleOrderWebhook, WEBHOOK_MAX_BYTES } from '.';
import { DEPLOY } from './deploy';

// the path the HTTP access service binds (deploy.ts), then the shop's id
const ROUTE = new RegExp(`${DEPLOY.httpPath}/([^/?]+)/?$`);

/** CloudBase entry of `webhook`, HTTP-triggered at `/webhook/orders/<merchantId>` (HTTP access service). */
export async function main(raw: unknown): Promise<HttpTriggerResult> {
  const json = (status: number, body: unknown) => ({
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  });
  try {
    const parsed = HttpTriggerEvent.safeParse(raw ?? {});
    if (!parsed.success) throw new AppError('INPUT.INVALID', '不是 HTTP 访问服务的事件', 400);
    const event = parsed.data;
    const merchantId = ROUTE.exec(event.path)?.[1];
    if (!merchantId) throw new AppError('NOT_FOUND.ROUTE', '订单回调地址应为 /webhook/orders/<店铺 ID>', 404);
    // base64 is 4/3 of the bytes: refuse a body that cannot fit before decoding it
    const text = event.body ?? '';
    if (text.length > (event.isBase64Encoded ? Math.ceil(WEBHOOK_MAX_BYTES / 3) * 4 + 4 : WEBHOOK_MAX_BYTES * 3))
      throw new AppError('INPUT.TOO_LARGE', `内容太大（上限 ${WEBHOOK_MAX_BYTES} 字节）`, 413);
    const body = event.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
    let id: string;
    try {
      id = decodeURIComponent(merchantId);
    } catch {
      throw new AppError('INPUT.BAD_PATH', '地址格式不对', 400);
    }
    const rt = await cloudRuntime();
    const out = await handleOrderWebhook(rt, { method: event.httpMethod.toUpperCase(), merchantId: id, headers: event.headers ?? {}, body });
    return json(out.status, out.body);
  } catch (err) {
    const { status, body } = errorEnvelope(err, (e) => console.error('order webhook failed', e));
    return json(status, body);
  }
}
