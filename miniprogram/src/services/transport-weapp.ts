import Taro from '@tarojs/taro';
import { ApiError } from './errors';
import type { RawAnswer } from './raw-answer';

/** weapp: the CloudBase function `name`; the caller is the member's OPENID (getWXContext). */
export async function sendWeapp(name: string, data: object): Promise<RawAnswer> {
  try {
    const res = await Taro.cloud.callFunction({ name, data: data as TaroGeneral.IAnyObject });
    return { status: 200, body: res.result as unknown };
  } catch (err) {
    const detail = err && typeof err === 'object' && 'errMsg' in err ? String(err.errMsg) : String(err);
    throw new ApiError('NETWORK.CLOUD_CALL_FAILED', `云函数调用失败，请稍后重试（${detail}）`, 503);
  }
}
