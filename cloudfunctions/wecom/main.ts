import { AppError } from '@xiaoer/shared/domain/errors';
import { errorEnvelope } from '@xiaoer/shared/usecases/api/dispatch';
import { cloudRuntime } from '../server/runtime-cloud';
import { handleWecomCallback } from '.';

/** CloudBase HTTP access (云接入) event, the fields we read. */
interface HttpEvent {
  path?: string;
  httpMethod?: string;
  queryStringParameters?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}

/**
 * CloudBase entry of `wecom`, HTTP-triggered at `/wecom/callback/<merchantId>`. The answer is
 * an integration response object: a bare string body with text/plain, never JSON-wrapped, or
 * WeCom's URL verification would fail.
 */
export async function main(event: HttpEvent) {
  const text = (status: number, body: string, type = 'text/plain; charset=utf-8') => ({ statusCode: status, headers: { 'content-type': type }, body, isBase64Encoded: false });
  try {
    const merchantId = /\/wecom\/callback\/([^/?]+)/.exec(event.path ?? '')?.[1];
    if (!merchantId) throw new AppError('NOT_FOUND.ROUTE', '回调地址不对', 404);
    const rt = await cloudRuntime();
    const body = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
    const out = await handleWecomCallback(rt, {
      method: (event.httpMethod ?? 'GET').toUpperCase(),
      merchantId: decodeURIComponent(merchantId),
      query: event.queryStringParameters ?? {},
      body,
    });
    return text(out.status, out.body, out.contentType);
  } catch (err) {
    const { status, body } = errorEnvelope(err, (e) => console.error('wecom callback failed', e));
    return text(status, JSON.stringify(body), 'application/json; charset=utf-8');
  }
}
