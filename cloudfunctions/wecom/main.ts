import { AppError } from '@xiaoer/shared/domain/errors';
import { errorEnvelope } from '@xiaoer/shared/api/dispatch';
import { HttpTriggerEvent, type HttpTriggerResult } from '@xiaoer/shared/contracts/functions';
import { cloudRuntime } from '../server/runtime-cloud';
import { handleWecomCallback } from '.';
import { DEPLOY } from './deploy';

// the path the HTTP access service binds (deploy.ts), then the shop's id
const ROUTE = new RegExp(`${DEPLOY.httpPath}/([^/?]+)`);

/**
 * CloudBase entry of `wecom`, HTTP-triggered at `/wecom/callback/<merchantId>`. The answer is
 * an integration response object: a bare string body with text/plain, never JSON-wrapped, or
 * WeCom's URL verification would fail.
 */
export async function main(raw: unknown, context?: { getRemainingTimeInMillis?: () => number }): Promise<HttpTriggerResult> {
  const started = Date.now();
  const text = (status: number, body: string, type = 'text/plain; charset=utf-8') => ({ statusCode: status, headers: { 'content-type': type }, body, isBase64Encoded: false });
  try {
    const parsed = HttpTriggerEvent.safeParse(raw ?? {});
    if (!parsed.success) throw new AppError('INPUT.INVALID', '不是 HTTP 访问服务的事件', 400);
    const event = parsed.data;
    const merchantId = ROUTE.exec(event.path)?.[1];
    if (!merchantId) throw new AppError('NOT_FOUND.ROUTE', '回调地址不对', 404);
    const rt = await cloudRuntime();
    const body = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
    const out = await handleWecomCallback(rt, {
      method: event.httpMethod.toUpperCase(),
      merchantId: decodeURIComponent(merchantId),
      query: event.queryStringParameters,
      body,
      // leave 5 s of the function's timeout (deploy.ts) for the answer and the log
      processing: { mode: 'inline', deadline: started + Math.max(0, (context?.getRemainingTimeInMillis?.() ?? 60_000) - 5_000) },
    });
    return text(out.status, out.body, out.contentType);
  } catch (err) {
    const { status, body } = errorEnvelope(err, (e) => console.error('wecom callback failed', e));
    return text(status, JSON.stringify(body), 'application/json; charset=utf-8');
  }
}
