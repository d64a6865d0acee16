import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { ensureLocalMember } from '@xiaoer/shared/usecases/shop/members';
import { pushToChannels } from '@xiaoer/shared/usecases/reports/channels';
import { creditsOf, grantSubscribe } from '@xiaoer/shared/usecases/reports/subscribe';
import { runCli } from '../cloudfunctions/server/cli/main';
import { SANDBOX_SUBSCRIBE_TEMPLATE } from '../cloudfunctions/server/config';
import { SANDBOX_MP_TOKEN } from '../cloudfunctions/server/wecom/subscribe-sender';
import { startTestHost, VECTOR_A, type TestHost } from './helpers/host';

/**
 * The mini-program subscribe message on the local host (NOT verified against WeChat): the
 * sandbox's `message/subscribe/send` checks the request as WeChat documents it and keeps
 * WeChat's count of one send per subscription; the product's channel goes through it, and the
 * sends show in `sandbox sent --merchant`.
 */
const SHOP = 'sub-shop';
const OPENID = 'local:sub-shop:owner';
let h: TestHost;
const saved = { DATA_DIR: process.env.DATA_DIR, PORT: process.env.PORT };

beforeAll(async () => {
  h = await startTestHost();
  await createMerchant(h.rt.deps, { id: SHOP, name: '订阅小店', ...VECTOR_A });
  await ensureLocalMember(h.rt.deps, SHOP, 'owner');
  process.env.DATA_DIR = h.dataDir;
  process.env.PORT = new URL(h.url).port;
});
afterAll(async () => {
  for (const [k, v] of Object.entries(saved))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  await h.close();
});

type Json = Record<string, any>;
const send = async (body: unknown, token: string | null = SANDBOX_MP_TOKEN): Promise<Json> => {
  const q = token === null ? '' : `?access_token=${token}`;
  const res = await fetch(`${h.url}/sandbox/cgi-bin/message/subscribe/send${q}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
};
const good = (over: Json = {}) => ({
  touser: OPENID,
  template_id: SANDBOX_SUBSCRIBE_TEMPLATE,
  page: `sub/report/index?merchant=${SHOP}&kind=daily&date=2026-11-22`,
  data: { thing1: { value: '订阅小店日报' }, time2: { value: '2026-11-22 21:00' }, amount3: { value: '¥12.5' } },
  miniprogram_state: 'formal',
  ...over,
});
const grant = () => grantSubscribe(h.rt.deps, h.rt.inbox.subscribe, OPENID, { [SANDBOX_SUBSCRIBE_TEMPLATE]: 'accept' });
const sentList = async () => {
  const out = await runCli(['sandbox', 'sent', '--merchant', SHOP, '--json']);
  expect(out.code).toBe(0);
  return (JSON.parse(out.stdout) as Json[]).filter((r) => r.api === 'message/subscribe/send');
};

describe('sandbox message/subscribe/send', () => {
  it('checks the request as WeChat does', async () => {
    await grant();
    expect((await send(good(), null)).errcode).toBe(41001);
    expect((await send(good(), 'not-the-token')).errcode).toBe(40001);
    expect((await send(good({ touser: '' }))).errcode).toBe(40003);
    expect((await send(good({ template_id: 'bad id!' }))).errcode).toBe(40037);
    expect((await send(good({ page: 'https://evil.example.com/x' }))).errcode).toBe(41030);
    expect((await send(good({ data: {} }))).errcode).toBe(47003);
    expect((await send(good({ data: { thing1: { value: '二'.repeat(21) } } }))).errcode).toBe(47003);
    expect((await send(good({ data: { thing1: '不是对象' } }))).errcode).toBe(47003);
    expect((await send(good({ data: { amount3: { value: '十二元' } } }))).errcode).toBe(47003);
    expect((await send(good({ miniprogram_state: 'beta' }))).errcode).toBe(47003);
    // none of the refused calls used the one subscription
    expect(await send(good())).toMatchObject({ errcode: 0, errmsg: 'ok' });
  });

  it('one send per subscription the user granted: past it, 43101', async () => {
    expect((await send(good())).errcode).toBe(43101);
    await grant();
    expect((await send(good())).errcode).toBe(0);
    expect((await send(good())).errcode).toBe(43101);
  });

  it("the product's channel goes through it, and WeChat's count wins when the two disagree; sends show in `sandbox sent --merchant`", async () => {
    // three taps recorded in all; the raw calls above used two of them at WeChat, behind the product's back
    await grant();
    const env = { deps: h.rt.deps, wecom: h.rt.wecom, subscribe: h.rt.inbox.subscribe };
    const merchant = (await h.rt.storage.merchants.get(SHOP))!;
    const push = () => pushToChannels(env, merchant, { msgtype: 'text', content: '【订阅小店】提醒\n· 招牌奶茶剩 2 件，该准备补货了' }, { channels: ['subscribe'] });
    expect(await push()).toMatchObject([{ channel: 'subscribe', state: 'sent' }]);
    expect(await creditsOf(h.rt.deps, SANDBOX_SUBSCRIBE_TEMPLATE, OPENID)).toBe(2);
    // the product still counts 2, WeChat none: 43101, and the product's count follows WeChat's
    expect(await push()).toMatchObject([{ channel: 'subscribe', state: 'skipped', reason: 'no_credit', detail: '订阅次数用完了，点一下再订阅' }]);
    expect(await creditsOf(h.rt.deps, SANDBOX_SUBSCRIBE_TEMPLATE, OPENID)).toBe(0);
    const calls = (await sentList()).length;
    // with none left the product does not even ask
    expect(await push()).toMatchObject([{ state: 'skipped', reason: 'no_credit' }]);
    const sent = await sentList();
    expect(sent).toHaveLength(calls);
    const [ok, refused] = sent.slice(-2);
    expect(ok).toMatchObject({ to: OPENID, msgtype: `subscribe:${SANDBOX_SUBSCRIBE_TEMPLATE}`, errcode: 0 });
    expect(ok!.text).toContain('thing1=【订阅小店】提醒');
    expect(ok!.text).toContain('thing4=招牌奶茶剩 2 件，该准备补货了');
    expect(refused).toMatchObject({ to: OPENID, errcode: 43101 });
    // every call is listed, refused ones with their code (the first test's checks included)
    expect(sent.map((r) => r.errcode)).toEqual(expect.arrayContaining([40003, 47003, 43101, 0]));
  });
});
