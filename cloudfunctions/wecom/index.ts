import { AppError } from '@xiaoer/shared/domain/errors';
import { MerchantId } from '@xiaoer/shared/domain/ids';
import { WecomSignedQuery, WecomVerifyQuery } from '@xiaoer/shared/contracts/functions';
import { receiveCallback, verifyCallbackUrl, type Processing } from '@xiaoer/shared/usecases/channel-wecom/receive';
import type { Runtime } from '../server/composition';

export interface CallbackRequest {
  method: string;
  merchantId: string;
  query: Record<string, string | undefined>;
  body: string;
  /** How to process a stored callback: after the answer (local host), or inline (CloudBase). */
  processing?: Processing;
}
export interface CallbackResponse {
  status: number;
  contentType: string;
  body: string;
}

export const MAX_CALLBACK_BYTES = 64 * 1024;
const TEXT = 'text/plain; charset=utf-8';

/**
 * The WeCom callback URL: validates the request's shape, then GET answers URL verification with
 * the bare echostr and POST stores the callback and acknowledges with an empty 200 whatever its
 * type (channel-wecom/receive.ts does the rest).
 */
export async function handleWecomCallback(rt: Runtime, req: CallbackRequest): Promise<CallbackResponse> {
  if (!MerchantId.safeParse(req.merchantId).success) throw new AppError('NOT_FOUND.MERCHANT', '没有这家店', 404);
  if (req.method === 'GET') {
    const q = WecomVerifyQuery.safeParse(req.query);
    if (!q.success) throw new AppError('WECOM.BAD_QUERY', '验证参数不全', 400);
    return { status: 200, contentType: TEXT, body: await verifyCallbackUrl(rt.inbox, req.merchantId, q.data) };
  }
  if (req.method !== 'POST') throw new AppError('INPUT.METHOD', '只支持 GET 和 POST', 405);
  const q = WecomSignedQuery.safeParse(req.query);
  if (!q.success) throw new AppError('WECOM.BAD_QUERY', '签名参数不全', 400);
  if (Buffer.byteLength(req.body) > MAX_CALLBACK_BYTES) throw new AppError('INPUT.TOO_LARGE', '回调内容太大', 413);
  await receiveCallback(rt.inbox, req.merchantId, q.data, req.body, req.processing ?? { mode: 'after-ack' });
  return { status: 200, contentType: TEXT, body: '' };
}
