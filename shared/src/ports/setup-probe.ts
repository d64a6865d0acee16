import type { SecretKind } from '../domain/merchant';
import type { CallbackCredentials } from './callback-codec';

/**
 * What the setup doctor (usecases/shop/doctor.ts) needs besides the WecomApi port: a fresh
 * gettoken, the signed query WeCom sends to verify a callback URL, and a plain HTTP GET to send
 * it with. The adapter is cloudfunctions/server/wecom/setup-probe.ts.
 */
export interface SetupProbe {
  /**
   * Which WeCom this server talks to: `sandbox` is the local host's built-in one (it reaches the
   * host on its local address), `wecom` is WeCom itself or whatever WECOM_API_BASE names.
   */
  readonly target: 'sandbox' | 'wecom';
  /**
   * gettoken with the shop's secret of `kind`, asked now: a token in the cache says nothing
   * about the secret today. Resolves when WeCom hands out a token; throws WecomApiError for an
   * errcode, an AppError (WECOM.TIMEOUT, WECOM.NETWORK, …) when WeCom can't be reached.
   */
  gettoken(merchantId: string, kind: SecretKind): Promise<void>;
  /** URL verification as WeCom does it: `echo` encrypted for `receiveId` with the pair's key, signed with its Token. */
  verificationQuery(
    pair: CallbackCredentials,
    receiveId: string,
    echo: string,
    at: { timestamp: string; nonce: string },
  ): { msg_signature: string; timestamp: string; nonce: string; echostr: string };
  /** GET `url` (no redirects followed) within `timeoutMs`: the status and the start of the body. Throws when nothing answers. */
  get(url: string, timeoutMs: number): Promise<{ status: number; body: string }>;
}
