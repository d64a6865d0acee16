import { ApiError } from './errors';
import type { RawAnswer } from './raw-answer';

/**
 * H5: same-origin POST /fn/<name>. The app is served by the local host on whatever port it
 * listens on, and the session is the login-link cookie, so there is no gateway URL to configure.
 */
export async function sendH5(name: string, data: object): Promise<RawAnswer> {
  let resp: Response;
  try {
    resp = await fetch(`/fn/${encodeURIComponent(name)}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(data),
    });
  } catch {
    throw new ApiError('NETWORK.UNREACHABLE', '连不上服务器，请检查网络后重试', 0);
  }
  const text = await resp.text().catch(() => '');
  try {
    return { status: resp.status, body: JSON.parse(text) as unknown };
  } catch {
    if (resp.status === 401) throw new ApiError('AUTH.UNAUTHENTICATED', '登录已过期', 401);
    throw new ApiError('NETWORK.BAD_RESPONSE', `服务器返回了无法识别的内容（${resp.status}），请稍后重试`, resp.status || 502);
  }
}
