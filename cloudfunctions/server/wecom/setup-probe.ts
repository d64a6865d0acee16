import { encrypt, getSignature } from '@wecom/crypto';
import { AppError } from '@xiaoer/shared/domain/errors';
import type { Deps } from '@xiaoer/shared/ports/deps';
import type { SetupProbe } from '@xiaoer/shared/ports/setup-probe';
import { requireMerchant } from '@xiaoer/shared/usecases/shop/require-merchant';
import { createWecomHttp, okJson, type FetchLike, type HttpOptions } from './http';

/** What a GET keeps of the answer: the verification answer is a short number, anything longer is wrong anyway. */
const BODY_CHARS = 2000;

export interface SetupProbeOptions extends HttpOptions {
  deps: Pick<Deps, 'storage' | 'secrets'>;
  target: SetupProbe['target'];
}

/**
 * The setup doctor's probe over HTTP: gettoken against the same WeCom base as the API client
 * (WECOM_API_BASE, locally the host's /sandbox) with the same timeout, bypassing the token store
 * (a cached token proves nothing about the secret now, and the doctor must not replace it); the
 * verification query with @wecom/crypto, as the sandbox signs its callbacks; and a plain GET.
 * Like the API client, nothing here puts a URL, a secret or a token into an error or a log.
 */
export function createSetupProbe(opts: SetupProbeOptions): SetupProbe {
  const http = createWecomHttp(opts);
  const doFetch: FetchLike = opts.fetch ?? fetch;
  const { storage, secrets } = opts.deps;
  return {
    target: opts.target,

    async gettoken(merchantId, kind) {
      const m = await requireMerchant({ storage }, merchantId);
      // 微信客服 calls use the app's secret when the shop has no 微信客服 secret (as the API client does)
      const sealed = kind === 'kf' ? (m.wecom.secrets.kf ?? m.wecom.secrets.app) : m.wecom.secrets[kind];
      if (!sealed) throw new AppError('WECOM.NO_SECRET', '还没填这个 Secret', 400, { kind });
      const raw = await http.exchange('gettoken', '/cgi-bin/gettoken', { corpid: m.wecom.corpId, corpsecret: secrets.open(sealed) }, { method: 'GET' });
      const body = okJson('gettoken', raw);
      if (typeof body.access_token !== 'string' || !body.access_token)
        throw new AppError('WECOM.BAD_RESPONSE', '企业微信接口 gettoken 没有返回 access_token', 502, { api: 'gettoken' });
    },

    verificationQuery(pair, receiveId, echo, at) {
      const echostr = encrypt(pair.aesKey, echo, receiveId);
      return { msg_signature: getSignature(pair.token, at.timestamp, at.nonce, echostr), timestamp: at.timestamp, nonce: at.nonce, echostr };
    },

    async get(url, timeoutMs) {
      const res = await doFetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      return { status: res.status, body: (await res.text()).slice(0, BODY_CHARS) };
    },
  };
}
