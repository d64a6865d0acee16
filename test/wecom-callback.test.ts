import crypto from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { startTestHost, type TestHost, VECTOR_A } from './helpers/host';

// The public vector A of ../shared/docs/wecom-protocol.md, replayed with the freshness window off.
const A1 =
  'msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780&echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D';
const A2Q = 'msg_signature=477715d11cdb4164915debcba66cb864d751f3e6&timestamp=1409659813&nonce=1372623149';
const A2_ENC =
  'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';
const A2_BODY = `<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[${A2_ENC}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`;

const envelope = (enc: string) => `<xml><ToUserName><![CDATA[x]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`;

describe('WeCom callback URL, public vector A (freshness off)', () => {
  let h: TestHost;
  /** The entry once the after-ack processing has run (the host answers first, then processes). */
  const settled = async (merchantId: string, key: string) => {
    for (let i = 0; i < 100; i++) {
      const e = await h.rt.storage.inbox.get(merchantId, key);
      if (e && e.status !== 'pending') return e;
      await new Promise((r) => setTimeout(r, 20));
    }
    return h.rt.storage.inbox.get(merchantId, key);
  };
  beforeAll(async () => {
    h = await startTestHost({ WECOM_MAX_SKEW_S: '0' });
    await createMerchant(h.rt.deps, { id: 'vec-a', name: '向量店', ...VECTOR_A });
    await createMerchant(h.rt.deps, { id: 'other-corp', name: '别的企业', ...VECTOR_A, corpId: 'ww0000000000000000' });
  });
  afterAll(() => h.close());
  const cb = (id: string, q: string, init?: RequestInit) => fetch(`${h.url}/wecom/callback/${id}?${q}`, init);
  const sign = (enc: string, ts = '1409659813', nonce = '42') => `msg_signature=${getSignature(VECTOR_A.token, ts, nonce, enc)}&timestamp=${ts}&nonce=${nonce}`;

  it('answers URL verification with the bare echostr', async () => {
    const res = await cb('vec-a', A1);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('1616140317555161061');
  });

  it('verifies with a Token the owner has just changed (cached credentials are rechecked on a mismatch)', async () => {
    await createMerchant(h.rt.deps, { id: 'rotating', name: '换密钥的店', ...VECTOR_A });
    const echo = (token: string) => {
      const enc = encrypt(VECTOR_A.aesKey, 'echo-42', VECTOR_A.corpId);
      return `msg_signature=${getSignature(token, '1409659813', '7', enc)}&timestamp=1409659813&nonce=7&echostr=${encodeURIComponent(enc)}`;
    };
    expect(await (await cb('rotating', echo(VECTOR_A.token))).text()).toBe('echo-42'); // now cached
    const m = (await h.rt.storage.merchants.get('rotating'))!;
    await h.rt.storage.merchants.save({ ...m, wecom: { ...m.wecom, callback: { ...m.wecom.callback, token: h.rt.deps.secrets.seal('NewToken9') } } });
    const res = await cb('rotating', echo('NewToken9'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('echo-42');
    expect((await cb('rotating', echo(VECTOR_A.token))).status).toBe(401);
  });

  it('persists the POST vector in the inbox, then acknowledges with an empty 200, once per MsgId', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await cb('vec-a', A2Q, { method: 'POST', body: A2_BODY });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('');
    }
    const entry = await settled('vec-a', 'msg:4561255354251345929');
    // an app text message has no handler yet: recorded, processed as ignored, never rejected
    expect(entry).toMatchObject({ msgType: 'text', status: 'processed', attempts: 1 });
    expect(entry!.plaintext).toContain('<Content><![CDATA[hello]]></Content>');
    expect(h.logs.join('').match(/"dedupeKey":"msg:4561255354251345929","duplicate":true/g)).toHaveLength(2);
  });

  it('records unknown event types too, keyed by a hash of the plaintext', async () => {
    const xml =
      '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1409659813</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[something_new]]></Event></xml>';
    const enc = encrypt(VECTOR_A.aesKey, xml, VECTOR_A.corpId);
    const res = await cb('vec-a', sign(enc), { method: 'POST', body: envelope(enc) });
    expect(res.status).toBe(200);
    const key = `sha256:${crypto.createHash('sha256').update(xml).digest('hex')}`;
    expect(await settled('vec-a', key)).toMatchObject({ event: 'something_new', status: 'processed' });
  });

  it.each([
    ['tampered signature', 'vec-a', () => A2Q.replace('477715', '477716'), () => A2_BODY, 401, 'WECOM.BAD_SIGNATURE'],
    ['wrong CorpID', 'other-corp', () => A2Q, () => A2_BODY, 400, 'WECOM.RECEIVER_MISMATCH'],
    ['bad base64', 'vec-a', () => sign('!!!notbase64!!!'), () => envelope('!!!notbase64!!!'), 400, 'WECOM.BAD_BASE64'],
    ['bad padding', 'vec-a', () => sign(badPadding()), () => envelope(badPadding()), 400, 'WECOM.BAD_PADDING'],
    ['malformed XML', 'vec-a', () => A2Q, () => '<xml><Encrypt>abc</Nope></xml>', 400, 'WECOM.BAD_XML'],
    [
      'entity expansion',
      'vec-a',
      () => A2Q,
      () => '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><xml><Encrypt>&b;</Encrypt></xml>',
      400,
      'WECOM.BAD_XML',
    ],
    ['5 MB body', 'vec-a', () => A2Q, () => `<xml><Encrypt>${'A'.repeat(5 * 1024 * 1024)}</Encrypt></xml>`, 413, 'INPUT.TOO_LARGE'],
    ['missing query', 'vec-a', () => 'timestamp=1', () => A2_BODY, 400, 'WECOM.BAD_QUERY'],
  ])('rejects %s', async (_name, id, q, body, status, code) => {
    const res = await cb(id, q(), { method: 'POST', body: body() });
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ ok: false, code });
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });

  it('logs rejections without secrets', async () => {
    await cb('vec-a', A2Q.replace('477715', '477716'), { method: 'POST', body: A2_BODY });
    const all = h.logs.join('');
    expect(all).toContain('WECOM.BAD_SIGNATURE');
    expect(all).not.toContain(VECTOR_A.aesKey);
    expect(all).not.toContain(`"${VECTOR_A.token}"`);
  });
});

describe('WeCom callback freshness window', () => {
  let h: TestHost;
  beforeAll(async () => {
    h = await startTestHost();
    await createMerchant(h.rt.deps, { id: 'vec-a', name: '向量店', ...VECTOR_A });
  });
  afterAll(() => h.close());

  it('rejects a stale timestamp and accepts a fresh one', async () => {
    const stale = await fetch(`${h.url}/wecom/callback/vec-a?${A1}`);
    expect(stale.status).toBe(400);
    expect(await stale.json()).toMatchObject({ code: 'WECOM.STALE_TIMESTAMP' });
    const ts = String(Math.floor(h.clock.now() / 1000));
    const echo = encrypt(VECTOR_A.aesKey, '987654321', VECTOR_A.corpId);
    const q = `msg_signature=${getSignature(VECTOR_A.token, ts, '7', echo)}&timestamp=${ts}&nonce=7&echostr=${encodeURIComponent(echo)}`;
    const fresh = await fetch(`${h.url}/wecom/callback/vec-a?${q}`);
    expect(fresh.status).toBe(200);
    expect(await fresh.text()).toBe('987654321');
  });

  it('checks every callback pair and uses the one that matches', async () => {
    const kf = { token: 'kfToken123', aesKey: crypto.randomBytes(32).toString('base64').slice(0, 43).replace(/[+/]/g, 'x') };
    await createMerchant(h.rt.deps, { id: 'two-pairs', name: '双配置', ...VECTOR_A, kfToken: kf.token, kfAesKey: kf.aesKey });
    const ts = String(Math.floor(h.clock.now() / 1000));
    const echo = encrypt(kf.aesKey, '5555', VECTOR_A.corpId);
    const q = `msg_signature=${getSignature(kf.token, ts, '9', echo)}&timestamp=${ts}&nonce=9&echostr=${encodeURIComponent(echo)}`;
    const res = await fetch(`${h.url}/wecom/callback/two-pairs?${q}`);
    expect(await res.text()).toBe('5555');
  });
});

/** A well-signed ciphertext whose last plaintext byte is not a valid 32-block PKCS#7 pad. */
function badPadding(): string {
  const key = Buffer.from(`${VECTOR_A.aesKey}=`, 'base64');
  const plain = Buffer.alloc(64, 0x41);
  plain[63] = 0; // pad value 0 is never valid
  const c = crypto.createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(plain), c.final()]).toString('base64');
}
