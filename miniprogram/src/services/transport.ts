import { sendH5 } from './transport-h5';
import { sendWeapp } from './transport-weapp';

import type { RawAnswer } from './raw-answer';

export type { RawAnswer };

/**
 * Sends `data` to the backend function `name`. process.env.TARO_ENV is inlined by Taro at build
 * time, so each build keeps one branch; the test suite switches it at run time.
 * The files are named transport-h5 / transport-weapp on purpose: with a dot (transport.weapp.ts)
 * Taro's multi-platform resolver would silently swap `./transport` itself for the platform file.
 */
export function send(name: string, data: object): Promise<RawAnswer> {
  return process.env.TARO_ENV === 'weapp' ? sendWeapp(name, data) : sendH5(name, data);
}
