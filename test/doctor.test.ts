import { AppError } from '@xiaoer/shared/domain/errors';
import type { ManualClock } from '@xiaoer/shared/domain/time';
import type { SecretKind } from '@xiaoer/shared/domain/merchant';
import type { Deps } from '@xiaoer/shared/ports/deps';
import type { SetupProbe } from '@xiaoer/shared/ports/setup-probe';
import { WecomApiError } from '@xiaoer/shared/ports/wecom';
import { FakeWecomApi } from '@xiaoer/shared/testing/fake-wecom-api';
import { verifyCallbackUrl, type ReceiveContext } from '@xiaoer/shared/usecases/channel-wecom/receive';
import { readStatus } from '@xiaoer/shared/usecases/channel-wecom/channel-status';
import { runDoctor, type DoctorCheck, type DoctorEnv } from '@xiaoer/shared/usecases/shop/doctor';
import { unreachableUrl } from '@xiaoer/shared/usecases/shop/doctor-offline';
import { checkSetup } from '@xiaoer/shared/usecases/shop/setup-check';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { callbackCodec } from '../cloudfunctions/server/wecom/callback-codec';
import { createSetupProbe } from '../cloudfunctions/server/wecom/setup-probe';
import { testDeps } from './helpers/deps';

/**
 * The setup doctor's checks one by one: a healthy shop passes every one, and each broken
 * setting or WeCom answer names the exact problem and what to do, with the console path. WeCom
 * is a fake (FakeWecomApi); the callback URL is answered by the real verification use case and
 * codec, as the host would.
 */
const SHOP = 'doc-shop';
const SECRETS = {
  token: 'DocToken2026',
  aesKey: 'ZGNsb3NlZEtleTIwMjZ4aWFvZXJzZXR1cGRvY3Rvcng',
  kf: 'kf-secret-value-1234',
  app: 'app-secret-value-5678',
  contact: 'contact-secret-9012',
};
const PUBLIC = 'https://xiaoer.example.com';

class DoctorWecom extends FakeWecomApi {
  invalidUser = '';
  override messageSend(merchantId: string, req: unknown) {
    return this.call('message/send', merchantId, req, () => ({ invaliduser: this.invalidUser }));
  }
}

/** The probe: gettoken answers from `tokenErrors` (per kind), the URL is "the host" unless `get` is replaced. */
function probeFor(deps: Deps, target: SetupProbe['target'] = 'wecom') {
  const real = createSetupProbe({ baseUrl: 'http://unused.invalid', deps, target, timeoutMs: 1000 });
  const tokenErrors = new Map<SecretKind, Error | 'hang'>();
  const asked: SecretKind[] = [];
  const urls: string[] = [];
  const host = { deps, codec: callbackCodec, maxSkewS: 300, log: { debug() {}, info() {}, warn() {}, error() {} } } as unknown as ReceiveContext;
  const probe: SetupProbe & { tokenErrors: typeof tokenErrors; asked: SecretKind[]; urls: string[] } = {
    target,
    tokenErrors,
    asked,
    urls,
    async gettoken(_m, kind) {
      asked.push(kind);
      const e = tokenErrors.get(kind);
      if (e === 'hang') return new Promise<void>(() => undefined);
      if (e) throw e;
    },
    verificationQuery: real.verificationQuery,
    async get(url) {
      urls.push(url);
      const u = new URL(url);
      const id = /^\/wecom\/callback\/([^/]+)$/.exec(u.pathname)?.[1];
      if (!id) return { status: 404, body: 'not found' };
      const q = Object.fromEntries(u.searchParams) as { msg_signature: string; timestamp: string; nonce: string; echostr: string };
      try {
        return { status: 200, body: await verifyCallbackUrl(host, id, q) };
      } catch (err) {
        return { status: (err as AppError).status ?? 500, body: '' };
      }
    },
  };
  return probe;
}

let deps: Deps & { clock: ManualClock };
let wecom: DoctorWecom;
let probe: ReturnType<typeof probeFor>;
let env: DoctorEnv;

beforeEach(async () => {
  deps = testDeps();
  wecom = new DoctorWecom();
  wecom.kfAccounts = [{ open_kfid: 'wkDOC1', name: '小麦客服' }];
  probe = probeFor(deps);
  env = { deps, wecom, probe, appUrl: () => PUBLIC };
  await createMerchant(deps, {
    id: SHOP,
    name: '小麦面包坊',
    corpId: 'ww1122334455667788',
    token: SECRETS.token,
    aesKey: SECRETS.aesKey,
    kfSecret: SECRETS.kf,
    appSecret: SECRETS.app,
    contactSecret: SECRETS.contact,
    agentId: 1000002,
  });
  await deps.storage.members.add({
    id: 'boss',
    merchantId: SHOP,
    openid: 'o-boss',
    name: '老板',
    role: 'owner',
    onDuty: true,
    wecomUserId: 'MaiBoss',
    createdAt: deps.clock.now(),
  });
});
afterEach(() => deps.storage.close());

const run = async (opts: Parameters<typeof runDoctor>[2] = {}) => (await runDoctor(env, SHOP, { timeoutMs: 2000, sendTestHint: '加上 --send-test', ...opts })).checks;
const check = (checks: DoctorCheck[], name: string) => checks.find((c) => c.name === name)!;
/** Changes the stored merchant as an older version or a hand edit might have left it. */
async function edit(change: (m: any, seal: (s: string) => unknown) => void) {
  const m = (await deps.storage.merchants.get(SHOP))! as any;
  change(m, deps.secrets.seal);
  await deps.storage.merchants.save(m);
}
/** A customer message reached the shop: the last-event line has something to say. */
const customerWrote = async () =>
  (await import('@xiaoer/shared/usecases/channel-wecom/channel-status')).recordStatus(deps, SHOP, (c) => ({ ...c, lastEvent: { at: deps.clock.now(), type: 'kf_msg_or_event' } }));

describe('setup doctor', () => {
  it('passes a healthy shop on every check, in a fixed order, naming fields but never a secret', async () => {
    await customerWrote();
    const checks = await run();
    expect(checks.map((c) => c.name)).toEqual([
      'fields',
      'aes_key',
      'token',
      'agent_id',
      'callback_url',
      'token_kf',
      'token_app',
      'token_contact',
      'kf_accounts',
      'callback',
      'events',
      'notify',
      'message_send',
      'robot',
    ]);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.every((c) => c.fix === null)).toBe(true);
    expect(check(checks, 'callback')).toMatchObject({ ok: true, detail: expect.stringContaining(`${PUBLIC}/wecom/callback/${SHOP}`) });
    expect(check(checks, 'kf_accounts').detail).toContain('小麦客服');
    expect(probe.asked.sort()).toEqual(['app', 'contact', 'kf']);
    // the round trip was a real verification: the host recorded it
    expect((await readStatus(deps, SHOP)).callbackVerifiedAt).toBe(deps.clock.now());
    // no real message without --send-test; the robot is not set up
    expect(check(checks, 'message_send')).toMatchObject({ ok: true, skipped: true, detail: expect.stringContaining('加上 --send-test') });
    expect(wecom.calls.filter((c) => c.api === 'message/send' || c.api === 'webhook/send')).toEqual([]);
    const all = JSON.stringify(checks);
    for (const secret of Object.values(SECRETS)) expect(all).not.toContain(secret);
  });

  it('an EncodingAESKey of the wrong length: names the length and where to get a new one, and skips the round trip', async () => {
    await edit((m, seal) => (m.wecom.callback.aesKey = seal(SECRETS.aesKey.slice(0, 42))));
    const checks = await run();
    expect(check(checks, 'aes_key')).toMatchObject({ ok: false, detail: 'EncodingAESKey 有 42 位，应该正好 43 位' });
    expect(check(checks, 'aes_key').fix).toContain('应用管理 → 自建应用 → 你的应用 → 接收消息 → 设置API接收');
    expect(check(checks, 'aes_key').fix).toContain('随机获取');
    expect(probe.urls).toEqual([]);
    expect(check(checks, 'callback')).toMatchObject({ ok: false, detail: '企业微信还没来验证过回调地址' });
    await edit((m, seal) => (m.wecom.callback.aesKey = seal(`${SECRETS.aesKey.slice(0, 42)}+`)));
    expect(check(await run(), 'aes_key')).toMatchObject({ ok: false, detail: expect.stringContaining('字母和数字以外') });
  });

  it('a Token with symbols or over 32 characters, and an AgentId that is not a number', async () => {
    await edit((m, seal) => (m.wecom.callback.token = seal('tok-en!')));
    expect(check(await run(), 'token')).toMatchObject({ ok: false, detail: expect.stringContaining('字母和数字以外'), fix: expect.stringContaining('Token 旁边的「随机获取」') });
    await edit((m, seal) => (m.wecom.callback.token = seal('a'.repeat(33))));
    expect(check(await run(), 'token')).toMatchObject({ ok: false, detail: 'Token 有 33 位，最多 32 位' });
    await edit((m) => (m.wecom.agentId = '1000002x'));
    expect(check(await run(), 'agent_id')).toMatchObject({
      ok: false,
      detail: 'AgentId 不是一串数字',
      fix: expect.stringContaining('应用管理 → 自建应用 → 你的应用 里的 AgentId'),
    });
  });

  it('missing fields are listed together with where each is copied from', async () => {
    await edit((m) => {
      m.wecom.secrets = {};
      delete m.wecom.agentId;
    });
    const checks = await run();
    expect(check(checks, 'fields')).toMatchObject({ ok: false, detail: '还缺：微信客服的 Secret、自建应用的 Secret、AgentId' });
    expect(check(checks, 'fields').fix).toContain('应用管理 → 微信客服 → API');
    expect(check(checks, 'token_kf')).toMatchObject({ ok: false, detail: '还没填 Secret' });
    expect(check(checks, 'token_contact')).toMatchObject({ ok: true, skipped: true });
    expect(probe.asked).toEqual([]);
  });

  it('a callback URL on 127.0.0.1, a private address or plain http is named as unreachable for WeCom, with the console path', async () => {
    await edit((m) => (m.wecom.callbackUrl = `http://127.0.0.1:8787/wecom/callback/${SHOP}`));
    const checks = await run();
    expect(check(checks, 'callback_url')).toMatchObject({ ok: false, detail: expect.stringContaining('是本机地址（127.0.0.1），企业微信的服务器连不上') });
    expect(check(checks, 'callback_url').fix).toContain('接收消息 → 设置API接收');
    expect(probe.urls).toEqual([]);
    expect(unreachableUrl('https://192.168.1.5/wecom/callback/x')).toContain('内网地址');
    expect(unreachableUrl('https://[::1]/x')).toContain('本机地址');
    expect(unreachableUrl('http://shop.example.com/x')).toContain('https');
    expect(unreachableUrl('https://shop.example.com/wecom/callback/x')).toBeNull();
    // no address at all: says to set PUBLIC_URL
    await edit((m) => delete m.wecom.callbackUrl);
    env.appUrl = () => undefined;
    expect(check(await run(), 'callback_url')).toMatchObject({ ok: false, fix: expect.stringContaining('PUBLIC_URL') });
  });

  it('against the local sandbox, the host’s own local address is fine (the sandbox calls it), and says so', async () => {
    env = { ...env, probe: probeFor(deps, 'sandbox'), appUrl: () => 'http://127.0.0.1:8787' };
    const checks = await run();
    expect(check(checks, 'callback_url')).toMatchObject({ ok: true, detail: expect.stringContaining('本地沙箱') });
    expect(check(checks, 'callback')).toMatchObject({ ok: true });
  });

  it('gettoken 40001, 40013 and 60020 each name the problem and the fix; 60020 explains 企业可信IP and the fixed egress IP', async () => {
    probe.tokenErrors.set('kf', new WecomApiError('gettoken', 40001, 'invalid credential'));
    probe.tokenErrors.set('app', new WecomApiError('gettoken', 60020, 'not allow to access from your ip'));
    probe.tokenErrors.set('contact', new WecomApiError('gettoken', 40013, 'invalid corpid'));
    const checks = await run();
    expect(check(checks, 'token_kf')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('微信客服的 Secret 不对（错误码 40001）'),
      fix: expect.stringContaining('应用管理 → 微信客服 → API 重新复制 Secret'),
    });
    expect(check(checks, 'token_app')).toMatchObject({ ok: false, detail: expect.stringContaining('企业微信不认这台服务器的 IP（错误码 60020）') });
    expect(check(checks, 'token_app').fix).toContain('企业可信IP');
    expect(check(checks, 'token_app').fix).toContain('固定出口 IP');
    expect(check(checks, 'token_contact')).toMatchObject({ ok: false, detail: expect.stringContaining('企业 ID 不对'), fix: expect.stringContaining('我的企业 → 企业信息') });
    // what it saw is recorded for 今日 and the app
    expect((await readStatus(deps, SHOP)).tokens?.app).toMatchObject({ ok: false, errcode: 60020 });
  });

  it('WeCom unreachable or silent: a red line with its own fix, never an exception, each live check within its limit', async () => {
    probe.tokenErrors.set('kf', new AppError('WECOM.NETWORK', '连不上企业微信接口 gettoken（ECONNREFUSED）', 502));
    probe.tokenErrors.set('app', 'hang');
    wecom.throwNext('kf/account/list', new AppError('WECOM.TIMEOUT', '超时', 504));
    probe.get = async () => {
      throw new TypeError('fetch failed');
    };
    const checks = await run({ timeoutMs: 50 });
    expect(check(checks, 'token_kf')).toMatchObject({ ok: false, detail: expect.stringContaining('企业微信连不上'), fix: expect.stringContaining('qyapi.weixin.qq.com') });
    expect(check(checks, 'token_app')).toMatchObject({ ok: false, detail: expect.stringContaining('等了很久没有回答') });
    expect(check(checks, 'kf_accounts')).toMatchObject({ ok: false, detail: expect.stringContaining('等了很久没有回答') });
    expect(check(checks, 'callback')).toMatchObject({ ok: false, detail: `${PUBLIC}/wecom/callback/${SHOP} 连不上`, fix: expect.stringContaining('HTTPS 证书') });
  });

  it('the callback URL answering wrong: 404, another server’s pair, or a wrong body', async () => {
    await edit((m) => (m.wecom.callbackUrl = 'https://xiaoer.example.com/wecom/callback/other-shop-x'));
    expect(check(await run(), 'callback')).toMatchObject({ ok: false, detail: expect.stringContaining('找不到这家店（HTTP 404）') });
    await edit((m) => (m.wecom.callbackUrl = 'https://xiaoer.example.com/hook'));
    expect(check(await run(), 'callback')).toMatchObject({ ok: false, fix: expect.stringContaining(`/wecom/callback/${SHOP}`) });
    await edit((m) => delete m.wecom.callbackUrl);
    probe.get = async () => ({ status: 401, body: '' });
    expect(check(await run(), 'callback')).toMatchObject({ ok: false, detail: expect.stringContaining('不认店里这组 Token 和 EncodingAESKey') });
    probe.get = async () => ({ status: 200, body: 'success' });
    expect(check(await run(), 'callback')).toMatchObject({ ok: false, detail: expect.stringContaining('回答的内容不对') });
  });

  it('no kf account, or none handed to the API, names what to create or hand over', async () => {
    wecom.kfAccounts = [];
    expect(check(await run(), 'kf_accounts')).toMatchObject({ ok: false, detail: '企业微信里一个客服账号都没有', fix: expect.stringContaining('应用管理 → 微信客服') });
    wecom.kfAccounts = [{ open_kfid: 'wkDOC1', name: '小麦客服', manage_privilege: false }];
    expect(check(await run(), 'kf_accounts')).toMatchObject({ ok: false, detail: expect.stringContaining('都没有交给店小二接待'), fix: expect.stringContaining('微信客服 → API') });
  });

  it('--send-test sends one real message to the owners and reports a wrong account', async () => {
    expect(check(await run({ sendTest: true }), 'message_send')).toMatchObject({ ok: true, detail: expect.stringContaining('MaiBoss') });
    expect(wecom.callsTo('message/send').map((c) => (c.req as { touser: string }).touser)).toEqual(['MaiBoss']);
    wecom.invalidUser = 'MaiBoss';
    expect(check(await run({ sendTest: true }), 'message_send')).toMatchObject({ ok: false, detail: expect.stringContaining('MaiBoss'), fix: expect.stringContaining('可见范围') });
    wecom.failNext('message/send', 60020);
    expect(check(await run({ sendTest: true }), 'message_send')).toMatchObject({ ok: false, fix: expect.stringContaining('企业可信IP') });
  });

  it('the group robot: probed without a visible message (44004 = key good), 93000 = address gone', async () => {
    await edit((m, seal) => (m.pushRobot = { url: seal('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1234abcd-5678-efgh'), hint: '…efgh' }));
    wecom.failNext('webhook/send', 44004);
    expect(check(await run(), 'robot')).toMatchObject({ ok: true, detail: expect.stringContaining('没有往群里发消息') });
    expect(wecom.calls.filter((c) => c.api === 'webhook/send').map((c) => (c.req as { text: { content: string } }).text.content)).toEqual(['']);
    wecom.failNext('webhook/send', 93000);
    expect(check(await run(), 'robot')).toMatchObject({ ok: false, detail: expect.stringContaining('地址失效了'), fix: expect.stringContaining('群机器人') });
    // with --send-test a real line goes to the group
    expect(check(await run({ sendTest: true }), 'robot')).toMatchObject({ ok: true, detail: expect.stringContaining('测试消息') });
  });

  it('the app’s 企业微信连接检查 runs the same checks as items, never sends, and falls back to what was recorded without a probe', async () => {
    const live = await checkSetup(deps, SHOP, { wecom, probe, appUrl: () => PUBLIC });
    expect(live.items.map((i) => i.key)).toEqual((await run()).map((c) => c.name));
    expect(live.items.find((i) => i.key === 'message_send')).toMatchObject({ skipped: true, detail: expect.stringContaining('发一条测试报表给我') });
    expect(wecom.callsTo('message/send')).toEqual([]);
    probe.tokenErrors.set('kf', new WecomApiError('gettoken', 40001, 'x'));
    deps.clock.advance(61_000);
    await checkSetup(deps, SHOP, { wecom, probe, appUrl: () => PUBLIC });
    // without a channel: the recorded result of the last live check
    const recorded = await checkSetup(deps, SHOP);
    expect(recorded.items.find((i) => i.key === 'token_kf')).toMatchObject({ ok: false, detail: expect.stringContaining('错误码 40001') });
    expect(recorded.allOk).toBe(false);
  });

  it('the app asks WeCom at most once a minute per shop (gettoken is rate-limited), and at once after the settings change', async () => {
    const channel = { wecom, probe, appUrl: () => PUBLIC };
    await checkSetup(deps, SHOP, channel);
    const once = probe.asked.length;
    expect(once).toBeGreaterThan(0);
    // 今日 and the check page load it again right away: what the first run recorded, no new gettoken
    const again = await checkSetup(deps, SHOP, channel);
    expect(probe.asked.length).toBe(once);
    expect(again.items.find((i) => i.key === 'token_kf')).toMatchObject({ ok: true });
    deps.clock.advance(61_000);
    await checkSetup(deps, SHOP, channel);
    expect(probe.asked.length).toBe(2 * once);
    // the owner fixed a secret: the next check asks WeCom at once
    const m = (await deps.storage.merchants.get(SHOP))!;
    await deps.storage.merchants.save({ ...m, updatedAt: deps.clock.now() + 1 });
    await checkSetup(deps, SHOP, channel);
    expect(probe.asked.length).toBe(3 * once);
  });
});
