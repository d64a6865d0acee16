import { PLATFORM } from '@xiaoer/shared/domain/job';
import type { ManualClock } from '@xiaoer/shared/domain/time';
import type { Deps } from '@xiaoer/shared/ports/deps';
import type { WecomApi } from '@xiaoer/shared/ports/wecom';
import { readStatus, recordProblem } from '@xiaoer/shared/usecases/channel-wecom/channel-status';
import { dashboardToday } from '@xiaoer/shared/usecases/shop/dashboard';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { checkSetup } from '@xiaoer/shared/usecases/shop/setup-check';
import { createWecomApi } from '../cloudfunctions/server/wecom/api-client';
import { createTokenStore, TOKEN_NS } from '../cloudfunctions/server/wecom/token-store';
import type { FetchLike } from '../cloudfunctions/server/wecom/http';
import { testDeps } from './helpers/deps';
import { VECTOR_A } from './helpers/host';

/**
 * A configuration error on a real WeCom call (a wrong secret, the kf API switched off, an IP not
 * trusted, …) shows on 今日 and in the checker with its fix as soon as it happens, without the
 * owner running a check, and goes away by itself with the next call of that kind that succeeds.
 */
const SHOP = 'shop-p';
const SEND = { touser: 'wmA', open_kfid: 'wkA', msgid: 'p1', msgtype: 'text' as const, text: { content: '您好' } };

/** WeCom as a fetch: each path answers from its queue of errcodes (0 = ok), then ok. */
function fakeWecom() {
  const queues = new Map<string, number[]>();
  const seen: string[] = [];
  const fetch: FetchLike = async (input) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const path = new URL(url).pathname.replace('/cgi-bin/', '');
    seen.push(path);
    const errcode = queues.get(path)?.shift() ?? 0;
    const body = errcode
      ? { errcode, errmsg: 'from the fake' }
      : { errcode: 0, errmsg: 'ok', ...(path === 'gettoken' ? { access_token: `T${seen.length}`, expires_in: 7200 } : { msgid: 'p1' }) };
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, seen, fail: (path: string, ...codes: number[]) => queues.set(path, [...(queues.get(path) ?? []), ...codes]) };
}

let deps: Deps & { clock: ManualClock };
let wall: number;
let wecom: ReturnType<typeof fakeWecom>;
let api: WecomApi;

beforeEach(async () => {
  const base = testDeps();
  wall = Date.now();
  // the client's "no problem here" memo runs on wall time: a movable one here
  deps = { ...base, timers: { ...base.timers, wallNow: () => wall } };
  await createMerchant(deps, { id: SHOP, name: '五号店', ...VECTOR_A, agentId: 1000002, appSecret: 'app-secret-0123456789', kfSecret: 'kf-secret-0123456789' });
  wecom = fakeWecom();
  api = createWecomApi({ baseUrl: 'http://wecom.test', deps, fetch: wecom.fetch, sleep: async () => undefined });
});
afterEach(() => deps.storage.close());

const problems = async (role: 'owner' | 'staff' = 'owner') => (await dashboardToday(deps, SHOP, role)).wecomProblems;
const setupItem = async (key: string) => (await checkSetup(deps, SHOP)).items.find((i) => i.key === key)!;

describe('WeCom configuration problems', () => {
  it('a kf call refused with 95017 shows on 今日 with the fix at once, and clears with the next kf success', async () => {
    wecom.fail('kf/send_msg', 95017);
    await expect(api.kfSendMsg(SHOP, SEND)).rejects.toMatchObject({ errcode: 95017, isConfig: true });
    expect(await problems()).toEqual([
      {
        kind: 'kf',
        title: '微信客服的 API 没有打开',
        fix: expect.stringContaining('应用管理 → 微信客服 → API'),
        effect: 'AI 现在回不了客户',
        at: deps.clock.now(),
      },
    ]);
    // staff cannot fix it: they are not shown
    expect(await problems('staff')).toEqual([]);
    // the checker says the same, without a live check (no channel passed)
    expect(await setupItem('token_kf')).toMatchObject({ ok: false, detail: expect.stringContaining('微信客服的 API 没有打开'), fix: expect.stringContaining('打开 API') });

    // another kind succeeding says nothing about kf
    await api.messageSend(SHOP, { touser: 'boss', msgtype: 'text', text: { content: '有客户找你' } });
    expect((await problems()).map((p) => p.kind)).toEqual(['kf']);

    await api.kfSendMsg(SHOP, SEND);
    expect(await problems()).toEqual([]);
    expect(await setupItem('token_kf')).toMatchObject({ ok: true, fix: null });
  });

  it('a wrong secret (40001 from gettoken) names the secret and where to copy it', async () => {
    wecom.fail('gettoken', 40001);
    await expect(api.kfSyncMsg(SHOP, {})).rejects.toMatchObject({ errcode: 40001, api: 'gettoken' });
    expect(await problems()).toEqual([expect.objectContaining({ kind: 'kf', title: '微信客服的 Secret 不对', fix: expect.stringContaining('重新复制 Secret') })]);
    expect((await readStatus(deps, SHOP)).problems?.kf).toMatchObject({ api: 'gettoken', errcode: 40001 });
    // fixed: the next call gets a token and succeeds
    await api.kfSyncMsg(SHOP, {});
    expect(await problems()).toEqual([]);
  });

  it('orders several problems by what they break: customers first', async () => {
    wecom.fail('message/send', 60020);
    wecom.fail('kf/sync_msg', 48002);
    await expect(api.messageSend(SHOP, { touser: 'boss', msgtype: 'text', text: { content: 'x' } })).rejects.toMatchObject({ errcode: 60020 });
    await expect(api.kfSyncMsg(SHOP, {})).rejects.toMatchObject({ errcode: 48002 });
    expect((await problems()).map((p) => [p.kind, p.title])).toEqual([
      ['kf', '店小二没有权限收发微信客服消息'],
      ['app', '企业微信不认这台服务器的 IP'],
    ]);
  });

  it('records nothing for trouble that is not configuration (busy, a bad request)', async () => {
    wecom.fail('kf/send_msg', -1, -1, -1);
    await expect(api.kfSendMsg(SHOP, SEND)).rejects.toMatchObject({ errcode: -1 });
    wecom.fail('kf/send_msg', 40008);
    await expect(api.kfSendMsg(SHOP, SEND)).rejects.toMatchObject({ errcode: 40008 });
    expect(await problems()).toEqual([]);
    expect((await readStatus(deps, SHOP)).problems ?? {}).toEqual({});
  });

  it('a problem another process recorded is cleared by this one within a minute of its next success', async () => {
    await api.kfSyncMsg(SHOP, {});
    await recordProblem(deps, SHOP, 'kf', 'kf/send_msg', 95017);
    // this process just saw kf work: it does not read the status again on every call
    await api.kfSyncMsg(SHOP, {});
    expect(await problems()).toHaveLength(1);
    wall += 61_000;
    await api.kfSyncMsg(SHOP, {});
    expect(await problems()).toEqual([]);
  });

  it('the token refresh job reports a secret that stopped working, before any customer is affected', async () => {
    const tokens = createTokenStore({ baseUrl: 'http://wecom.test', deps, fetch: wecom.fetch });
    const merchant = (await deps.storage.merchants.get(SHOP))!;
    await tokens.getToken(merchant, 'app');
    deps.clock.advance(7200_000 - 10 * 60_000);
    wecom.fail('gettoken', 40001);
    expect(await tokens.refreshExpiring([merchant], 15 * 60_000)).toMatchObject({ failed: 1 });
    expect(await deps.storage.kv.get(PLATFORM, TOKEN_NS, `${VECTOR_A.corpId}:app`)).toBeNull();
    expect(await problems()).toEqual([expect.objectContaining({ kind: 'app', title: '自建应用的 Secret 不对' })]);
  });
});
