import type { z } from 'zod';
import { ApiRequest, ApiResults, type ApiAction, type ApiRequestOf, type ApiResult } from '@xiaoer/shared/contracts/api';
import { describeZodError } from '@xiaoer/shared/contracts/envelope';
import { ApiError } from './errors';
import { send } from './transport';

export { ApiError, isAuthExpired } from './errors';

/**
 * The app's one way to reach the backend: the `api` function, through CloudBase on weapp and
 * same-origin POST /fn/api on H5. The request is checked against the shared contract before it
 * leaves, the answer's envelope is unwrapped and its `data` validated against ApiResults[action].
 * Failures throw ApiError.
 */
export async function call<A extends ApiAction>(req: ApiRequestOf<A>): Promise<ApiResult<A>> {
  const parsed = ApiRequest.safeParse(req);
  if (!parsed.success) throw new ApiError('INPUT.INVALID', describeZodError(parsed.error).message, 400);

  const { status, body } = await send('api', parsed.data);

  if (isObject(body) && body.ok === false) {
    const code = typeof body.code === 'string' && body.code ? body.code : 'SERVER.ERROR';
    const message = typeof body.message === 'string' && body.message ? body.message : '出错了，请稍后重试';
    throw new ApiError(code, message, status >= 400 ? status : undefined, body.details);
  }
  if (isObject(body) && body.ok === true) {
    const schema: z.ZodTypeAny = ApiResults[parsed.data.action];
    const result = schema.safeParse(body.data);
    if (!result.success) {
      throw new ApiError('CLIENT.BAD_RESULT', `服务器返回的数据和 App 版本对不上，请更新后重试（${describeZodError(result.error).message}）`, 502);
    }
    return result.data as ApiResult<A>;
  }
  if (status === 401) throw new ApiError('AUTH.UNAUTHENTICATED', '登录已过期', 401);
  throw new ApiError('NETWORK.BAD_RESPONSE', `服务器的回答不是预期的格式（${status}），请稍后重试`, status >= 400 ? status : 502);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
