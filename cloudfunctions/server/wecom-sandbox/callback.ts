import { encrypt, getSignature } from '@wecom/crypto';
import type { Merchant } from '@xiaoer/shared/domain/merchant';
import { LIMITS } from './config';
import { NS } from './store';
import { cdata, randomDigits, randomId, sha256 } from './util';
import type { SandboxEnv } from './wx';

export interface CallbackResult {
  /** The product's callback URL that was called (without the signed query). */
  url: string;
  /** What the host answered (0 when it could not be reached). */
  status: number;
  body: string;
  /** sha256 of the decrypted XML: the product's inbox keys events by `sha256:<this>`. */
  plaintextSha256: string;
  error?: string;
}

/** WeCom's callbacks to the product, encrypted and signed as WeCom does. */
export class CallbackSender {
  constructor(private env: SandboxEnv) {}

  /** The `kf_msg_or_event` callback with a fresh sync Token (valid 10 min). */
  async kf(m: Merchant, openKfId: string, base: string): Promise<CallbackResult> {
    const now = this.env.rt.deps.clock.now();
    const token = `ENC${randomId(44)}`;
    await this.env.store.create(m.id, NS.syncToken, token, { openKfId, expiresAt: now + LIMITS.syncTokenTtlMs });
    const xml =
      `<xml><ToUserName>${cdata(m.wecom.corpId)}</ToUserName><CreateTime>${Math.floor(now / 1000)}</CreateTime>` +
      `<MsgType>${cdata('event')}</MsgType><Event>${cdata('kf_msg_or_event')}</Event>` +
      `<Token>${cdata(token)}</Token><OpenKfId>${cdata(openKfId)}</OpenKfId></xml>`;
    return this.deliver(m, xml, true, base);
  }

  /**
   * Sends a callback the way WeCom does: the XML encrypted with the merchant's EncodingAESKey
   * (the 微信客服 pair for kf callbacks when it has one), receiveid = CorpID, signed with the
   * Token over (token, timestamp, nonce, Encrypt), timestamp from the shared clock.
   */
  async deliver(m: Merchant, xml: string, kf: boolean, base: string): Promise<CallbackResult> {
    const pair = this.env.registry.callbackPair(m, kf);
    const encrypted = encrypt(pair.aesKey, xml, m.wecom.corpId);
    const timestamp = String(Math.floor(this.env.rt.deps.clock.now() / 1000));
    const nonce = randomDigits(10);
    const signature = getSignature(pair.token, timestamp, nonce, encrypted);
    const envelope = `<xml><ToUserName>${cdata(m.wecom.corpId)}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt></xml>`;
    const url = `${base}/wecom/callback/${encodeURIComponent(m.id)}`;
    const plaintextSha256 = sha256(xml);
    try {
      const res = await fetch(`${url}?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: envelope,
        signal: AbortSignal.timeout(15_000),
      });
      return { url, status: res.status, body: (await res.text()).slice(0, 2000), plaintextSha256 };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      return { url, status: 0, body: '', plaintextSha256, error: cause ?? (err as Error).message };
    }
  }
}
