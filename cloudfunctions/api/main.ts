import { getWXContext } from 'wx-server-sdk';
import { AppError } from '@xiaoer/shared/domain/errors';
import { errorEnvelope } from '@xiaoer/shared/api/dispatch';
import { cloudRuntime } from '../server/runtime-cloud';
import { handleApi } from '.';

/**
 * CloudBase entry of `api`, called by the mini-program with `wx.cloud.callFunction`. The
 * caller is whoever WeChat says it is: getWXContext().OPENID, never a field of the event.
 */
export async function main(event: unknown) {
  try {
    const rt = await cloudRuntime();
    const openid = getWXContext().OPENID;
    if (typeof openid !== 'string' || !openid) throw new AppError('AUTH.UNAUTHENTICATED', '没拿到微信身份，请在小程序里打开');
    const { userInfo: _ignored, ...body } = (event ?? {}) as Record<string, unknown>;
    return (await handleApi(rt, { openid }, body)).body;
  } catch (err) {
    return errorEnvelope(err, (e) => console.error('api failed', e)).body;
  }
}
