import { setPushRobot } from '@xiaoer/shared/usecases/reports/channels';
import { runCli } from '../cloudfunctions/server/cli/main';
import { DEMO_MERCHANT_ID, DEMO_WECOM } from '../cloudfunctions/server/demo';
import { sandboxControl, type TestHost } from './helpers/host';
import { useDemoHostForCli } from './helpers/demo-cli';

/**
 * Issue 17's acceptance for the setup doctor, as a person runs it: a host on a fresh data folder
 * with the demo shop, and `npm run cli -- doctor --merchant <id> --json` against it (the CLI
 * reaches the host's WeCom sandbox, as `simulate` does). The demo shop passes every check; each
 * deliberately broken shop fails with its exact problem and fix — broken through its settings
 * (an EncodingAESKey of the wrong length, a 127.0.0.1 callback URL) or through the sandbox (no kf
 * account, gettoken answering 40001 or 60020).
 */
let h: TestHost;
useDemoHostForCli((host) => (h = host));
// a customer wrote once, so "last event received" has something to show
// (and is answered before the checks run, so no reply is still being worked on when the host stops)
beforeAll(async () => {
  await sandboxControl(h.url)('customer-message', { merchantId: DEMO_MERCHANT_ID, externalUserId: 'wmDoctor', text: '你们几点开门？' });
  for (let i = 0; i < 150; i++) {
    // the host's clock is a ManualClock: let product time pass (the 2 s fragment window is on it)
    h.clock.advance(100);
    const sent = (await sandboxControl(h.url)(`sent?merchantId=${DEMO_MERCHANT_ID}`)) as { api: string; to: string }[];
    if (sent.some((r) => r.api === 'kf/send_msg' && r.to === 'wmDoctor')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the demo shop did not answer the customer within 15 s');
}, 30_000);

type Check = { name: string; ok: boolean; detail: string; fix: string | null; label: string; skipped?: boolean };
const ctl = (route: string, body?: unknown) => sandboxControl(h.url)(route, body);

async function doctor(id: string, ...extra: string[]): Promise<{ code: number; checks: Check[]; raw: string }> {
  const out = await runCli(['doctor', '--merchant', id, ...extra, '--json']);
  const parsed = JSON.parse(out.stdout) as { checks: Check[] };
  expect(Object.keys(parsed)).toEqual(['checks']);
  return { code: out.code, checks: parsed.checks, raw: out.stdout };
}
const one = (checks: Check[], name: string) => checks.find((c) => c.name === name)!;
const failing = (checks: Check[]) => checks.filter((c) => !c.ok).map((c) => c.name);

/** A shop made with `merchant create`, its own corp (sandbox faults are per shop), every secret and an owner account. */
async function shop(id: string, extra: string[] = []) {
  const n = String(id.length).padStart(2, '0') + id.replace(/[^a-z]/g, '').slice(0, 8);
  const made = await runCli([
    'merchant',
    'create',
    '--id',
    id,
    '--name',
    `坏掉的店${id}`,
    '--corp-id',
    `ww${n.padEnd(16, '0')}`,
    '--token',
    `Tok${id.replace(/[^A-Za-z0-9]/g, '')}`,
    '--aes-key',
    DEMO_WECOM.aesKey,
    '--kf-secret',
    `kf-${id}-secret`,
    '--app-secret',
    `app-${id}-secret`,
    '--agent-id',
    '1000002',
    ...extra,
    '--json',
  ]);
  expect(made.code).toBe(0);
}

const SECRETS = [DEMO_WECOM.token, DEMO_WECOM.aesKey, DEMO_WECOM.kfSecret, DEMO_WECOM.appSecret, DEMO_WECOM.contactSecret];

describe('npm run cli -- doctor', () => {
  it('passes the demo shop on every check against the sandbox, exit 0, no secret printed', async () => {
    const { code, checks, raw } = await doctor(DEMO_MERCHANT_ID);
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
    expect(failing(checks)).toEqual([]);
    expect(code).toBe(0);
    expect(one(checks, 'callback_url').detail).toContain(`${h.url}/wecom/callback/${DEMO_MERCHANT_ID}（本地沙箱用这个地址`);
    expect(one(checks, 'callback')).toMatchObject({ ok: true, detail: expect.stringContaining('回答正确') });
    expect(one(checks, 'kf_accounts').detail).toContain('能用');
    expect(one(checks, 'events').detail).toContain('最近一次');
    expect(one(checks, 'message_send')).toMatchObject({ ok: true, skipped: true, detail: expect.stringContaining('--send-test') });
    for (const s of SECRETS) expect(raw).not.toContain(s);
    const sent = (await ctl(`sent?merchantId=${DEMO_MERCHANT_ID}`)) as { api: string }[];
    expect(sent.filter((r) => r.api === 'message/send' || r.api === 'webhook/send')).toEqual([]);

    // the human form: one line per check, exit 0
    const text = await runCli(['doctor', '--merchant', DEMO_MERCHANT_ID]);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n').filter((l) => /^[✓✗–] /.test(l))).toHaveLength(checks.length);
    expect(text.stdout).toContain('都通过了');
  });

  it('--send-test sends one real message to the owner, and a robot is probed without a message in the group', async () => {
    await setPushRobot(h.rt.deps, DEMO_MERCHANT_ID, 'doctor-test', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=doctor-robot-key-0001');
    // the sandbox lists a robot's sends under the shop it was given to
    await ctl('webhook-key', { merchantId: DEMO_MERCHANT_ID, key: 'doctor-robot-key-0001' });
    const quiet = await doctor(DEMO_MERCHANT_ID);
    expect(one(quiet.checks, 'robot')).toMatchObject({ ok: true, detail: expect.stringContaining('没有往群里发消息') });
    const probes = ((await ctl(`sent?merchantId=${DEMO_MERCHANT_ID}`)) as { api: string; errcode: number }[]).filter((r) => r.api === 'webhook/send');
    // the probe WeCom refuses (empty content): nothing reached the group
    expect(probes.map((r) => r.errcode)).toEqual([44004]);

    const loud = await doctor(DEMO_MERCHANT_ID, '--send-test');
    expect(failing(loud.checks)).toEqual([]);
    expect(loud.code).toBe(0);
    expect(one(loud.checks, 'message_send')).toMatchObject({ ok: true, detail: expect.stringContaining(DEMO_WECOM.ownerUserId) });
    const sent = (await ctl(`sent?merchantId=${DEMO_MERCHANT_ID}`)) as { api: string; to: string; errcode: number }[];
    expect(sent.filter((r) => r.api === 'message/send').map((r) => [r.to, r.errcode])).toEqual([[DEMO_WECOM.ownerUserId, 0]]);
    expect(sent.filter((r) => r.api === 'webhook/send').map((r) => r.errcode)).toEqual([44004, 0]);
    await setPushRobot(h.rt.deps, DEMO_MERCHANT_ID, 'doctor-test', null);
  });

  it('an EncodingAESKey of the wrong length (as stored by hand or an old version: merchant create refuses it)', async () => {
    await shop('bad-aes');
    const m = (await h.rt.storage.merchants.get('bad-aes'))!;
    await h.rt.storage.merchants.save({ ...m, wecom: { ...m.wecom, callback: { ...m.wecom.callback, aesKey: h.rt.deps.secrets.seal(DEMO_WECOM.aesKey.slice(0, 40)) } } });
    const { code, checks } = await doctor('bad-aes');
    expect(code).toBe(1);
    expect(one(checks, 'aes_key')).toMatchObject({ ok: false, detail: 'EncodingAESKey 有 40 位，应该正好 43 位', fix: expect.stringContaining('接收消息 → 设置API接收') });
    // everything that does not depend on the key still passes
    expect(one(checks, 'token_kf').ok).toBe(true);
    expect(one(checks, 'kf_accounts').ok).toBe(true);
  });

  it('a 127.0.0.1 callback URL set for the shop', async () => {
    await shop('bad-url', ['--callback-url', 'http://127.0.0.1:8787/wecom/callback/bad-url']);
    const { code, checks } = await doctor('bad-url');
    expect(code).toBe(1);
    expect(one(checks, 'callback_url')).toMatchObject({ ok: false, detail: expect.stringContaining('是本机地址（127.0.0.1），企业微信的服务器连不上') });
    expect(one(checks, 'callback_url').fix).toContain('应用管理 → 自建应用 → 你的应用 → 接收消息 → 设置API接收');
  });

  it('no kf account at WeCom', async () => {
    await shop('no-kf');
    await ctl('kf-accounts', { merchantId: 'no-kf', accounts: [] });
    const { code, checks } = await doctor('no-kf');
    expect(code).toBe(1);
    expect(failing(checks)).toContain('kf_accounts');
    expect(one(checks, 'kf_accounts')).toMatchObject({ detail: '企业微信里一个客服账号都没有', fix: expect.stringContaining('应用管理 → 微信客服') });
  });

  it('gettoken answering 40001 (wrong secret) and 60020 (untrusted IP), injected at the sandbox for one shop', async () => {
    await shop('bad-secret');
    await ctl('fault', { api: 'gettoken', errcode: 40001, times: 10, merchantId: 'bad-secret' });
    const wrong = await doctor('bad-secret');
    await ctl('fault', { api: 'gettoken', times: 0 });
    expect(wrong.code).toBe(1);
    expect(one(wrong.checks, 'token_kf')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('微信客服的 Secret 不对（错误码 40001）'),
      fix: expect.stringContaining('重新复制 Secret'),
    });
    expect(one(wrong.checks, 'token_app')).toMatchObject({ ok: false, detail: expect.stringContaining('自建应用的 Secret 不对') });

    await shop('bad-ip');
    await ctl('fault', { api: 'gettoken', errcode: 60020, times: 10, merchantId: 'bad-ip' });
    const ip = await doctor('bad-ip');
    await ctl('fault', { api: 'gettoken', times: 0 });
    expect(ip.code).toBe(1);
    expect(one(ip.checks, 'token_app')).toMatchObject({ ok: false, detail: expect.stringContaining('企业微信不认这台服务器的 IP（错误码 60020）') });
    expect(one(ip.checks, 'token_app').fix).toContain('企业可信IP');
    expect(one(ip.checks, 'token_app').fix).toContain('固定出口 IP');
    // the fault was this shop's: the demo shop's gettoken was not touched meanwhile
    expect((await doctor(DEMO_MERCHANT_ID)).code).toBe(0);
  });

  it('an unknown shop is an error envelope, exit 1', async () => {
    const out = await runCli(['doctor', '--merchant', 'no-such-shop', '--json']);
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: false, code: 'NOT_FOUND.MERCHANT' });
  });
});
