import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import type { SubscribeSendRequest, SubscribeSender } from '../../ports/subscribe';
import { WecomApiError } from '../../ports/wecom';
import { testDeps } from '../../../../test/helpers/deps';
import { FakeWecomApi } from '../../testing/fake-wecom-api';
import { callApi } from '../../api/dispatch';
import { createMerchant } from '../shop/merchants';
import { ensureLocalMember } from '../shop/members';
import { updateSettings } from '../shop/settings';
import { schedulerTick } from '../scheduling/scheduler';
import { pushToChannels } from './channels';
import { createDailyReportJob } from './daily-job';
import { creditsOf, grantSubscribe } from './subscribe';
import { parseSubscribeFields, templateData, type SubscribeEnv } from './subscribe-data';
import { testPush } from './test-push';

const sh = (local: string) => Date.parse(`${local}+08:00`);
const CORP = { corpId: 'wx5823bf96d3bd56c7', token: 'QDG6eK', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const TEMPLATE = 'tmpl-report-1';
const OWNER = 'local:shop:owner';

/** WeChat's side, in memory: records each send; a queued errcode makes the next call fail like WeChat would. */
class FakeSubscribeSender implements SubscribeSender {
  sent: SubscribeSendRequest[] = [];
  private failures: number[] = [];
  failNext(errcode: number) {
    this.failures.push(errcode);
  }
  async send(req: SubscribeSendRequest) {
    const errcode = this.failures.shift();
    if (errcode !== undefined) throw new WecomApiError('message/subscribe/send', errcode, 'fake');
    this.sent.push(req);
  }
}

let deps: Deps & { clock: ManualClock };
let wx: FakeSubscribeSender;
let sub: SubscribeEnv;
const shop = async () => (await deps.storage.merchants.get('shop'))!;
const env = () => ({ deps, wecom: new FakeWecomApi(), appUrl: () => 'https://xiaoer.example.com', subscribe: sub });
const grant = (openid: string, n = 1) => Promise.all(Array.from({ length: n }, () => grantSubscribe(deps, sub, openid, { [TEMPLATE]: 'accept' })));
const ledger = (day: string) => ({
  key: `report:daily:shop:${day}`,
  merchantId: 'shop',
  kind: 'report.daily',
  runAt: 0,
  payload: { day },
  status: 'running' as const,
  attempts: 1,
  maxAttempts: 5,
  createdAt: 0,
  updatedAt: 0,
});

beforeEach(async () => {
  deps = testDeps(sh('2026-11-20T21:00:00'));
  await createMerchant(deps, { id: 'shop', name: '阿香奶茶', ...CORP });
  await ensureLocalMember(deps, 'shop', 'owner');
  wx = new FakeSubscribeSender();
  sub = { sender: wx, templateId: TEMPLATE, fields: parseSubscribeFields('thing1:title,time2:time,amount3:amount,thing4:summary') };
});
afterEach(() => deps.storage.close());

describe('subscribe credits', () => {
  it('each accepted tap adds one send; a refusal or another template adds none', async () => {
    await grant(OWNER, 2);
    expect(await grantSubscribe(deps, sub, OWNER, { [TEMPLATE]: 'reject' })).toEqual({ templateId: TEMPLATE, added: 0, left: 2 });
    await expect(grantSubscribe(deps, sub, OWNER, { 'other-tmpl': 'accept' })).rejects.toMatchObject({ code: 'INPUT.INVALID' });
    expect(await creditsOf(deps, TEMPLATE, OWNER)).toBe(2);
  });

  it('the grant action adds to the caller only, whatever openid the request names', async () => {
    const staff = await ensureLocalMember(deps, 'shop', 'staff');
    const channel = {
      deps,
      wecom: new FakeWecomApi(),
      answerer: { answer: async () => ({ reply: null, handoff: true, reason: 't', knowledgeIds: [], confidence: 0 }) },
      subscribe: sub,
    };
    const body = { action: 'reports.subscribe.grant', merchantId: 'shop', results: { [TEMPLATE]: 'accept' }, openid: OWNER, touser: OWNER };
    const { result } = await callApi(deps, { openid: staff.openid! }, body, channel);
    expect(result).toEqual({ templateId: TEMPLATE, added: 1, left: 1 });
    expect(await creditsOf(deps, TEMPLATE, staff.openid!)).toBe(1);
    expect(await creditsOf(deps, TEMPLATE, OWNER)).toBe(0);
    expect((await callApi(deps, { openid: OWNER }, { action: 'reports.subscribe.get', merchantId: 'shop' }, channel)).result).toEqual({ templateId: TEMPLATE, left: 0 });
  });
});

describe('the subscribe channel', () => {
  it('spends one credit per recipient and fills the template within its limits', async () => {
    const second = { id: 'm2', merchantId: 'shop', openid: 'o-second', name: '二老板', role: 'owner' as const, onDuty: true, createdAt: 0 };
    await deps.storage.members.add(second);
    await grant(OWNER, 2);
    await grant(second.openid, 1);
    const title = '一个非常非常非常长的店名加上报表两个字一共超过二十个字了';
    const [out] = await pushToChannels(
      env(),
      await shop(),
      { msgtype: 'text', content: 'x' },
      { channels: ['subscribe'], dedupeKey: 'p1', summary: { title, summary: '订单 3 单', amountFen: 123456, page: 'sub/report/index?merchant=shop' } },
    );
    expect(out).toMatchObject({ channel: 'subscribe', state: 'sent', detail: '已发到微信（2 人）' });
    expect(wx.sent.map((r) => r.touser).sort()).toEqual([OWNER, 'o-second'].sort());
    expect(await creditsOf(deps, TEMPLATE, OWNER)).toBe(1);
    expect(await creditsOf(deps, TEMPLATE, 'o-second')).toBe(0);
    const data = wx.sent[0]!.data;
    expect(Array.from(data.thing1!.value)).toHaveLength(20);
    expect(data.thing1!.value.endsWith('…')).toBe(true);
    expect(data).toMatchObject({ time2: { value: '2026-11-20 21:00' }, amount3: { value: '¥1234.56' }, thing4: { value: '订单 3 单' } });
    expect(wx.sent[0]).toMatchObject({ templateId: TEMPLATE, page: 'sub/report/index?merchant=shop' });
  });

  it('with no credit left it is skipped (no_credit) and asks to subscribe again; nothing is sent', async () => {
    const [out] = await pushToChannels(env(), await shop(), { msgtype: 'text', content: '提醒' }, { channels: ['subscribe'] });
    expect(out).toMatchObject({ state: 'skipped', reason: 'no_credit', detail: '订阅次数用完了，点一下再订阅' });
    expect(wx.sent).toHaveLength(0);
  });

  it('WeChat saying there is none (43101) counts as no credit and sets the count to zero', async () => {
    await grant(OWNER, 3);
    wx.failNext(43101);
    const [out] = await pushToChannels(env(), await shop(), { msgtype: 'text', content: '提醒' }, { channels: ['subscribe'], dedupeKey: 'p' });
    expect(out).toMatchObject({ state: 'skipped', reason: 'no_credit' });
    expect(await creditsOf(deps, TEMPLATE, OWNER)).toBe(0);
  });

  it('without a template on this deployment it says so', async () => {
    sub = { ...sub, templateId: undefined };
    const [out] = await pushToChannels(env(), await shop(), { msgtype: 'text', content: 'x' }, { channels: ['subscribe'] });
    expect(out).toMatchObject({ state: 'skipped', reason: 'no_template' });
  });

  it('the daily job that runs twice sends once and spends once; a failed send is retried by the ledger without a second credit', async () => {
    await grant(OWNER, 3);
    await updateSettings(deps, 'shop', 'local-owner', { reports: { channels: ['subscribe'] } });
    const job = createDailyReportJob({ wecom: new FakeWecomApi(), appUrl: () => 'https://xiaoer.example.com', subscribe: sub });
    wx.failNext(-1);
    await expect(job.run(ledger('2026-11-20'), deps)).rejects.toMatchObject({ code: 'PUSH.FAILED' });
    expect(await creditsOf(deps, TEMPLATE, OWNER)).toBe(2);
    expect(await job.run({ ...ledger('2026-11-20'), attempts: 2 }, deps)).toEqual({ day: '2026-11-20', push: 'off', subscribe: 'sent' });
    expect(await job.run({ ...ledger('2026-11-20'), attempts: 3 }, deps)).toEqual({ day: '2026-11-20', push: 'off', subscribe: 'sent' });
    expect(wx.sent).toHaveLength(1);
    expect(wx.sent[0]!.page).toBe('sub/report/index?merchant=shop&kind=daily&date=2026-11-20');
    expect(wx.sent[0]!.data.thing1).toEqual({ value: '阿香奶茶日报' });
    expect(await creditsOf(deps, TEMPLATE, OWNER)).toBe(2);
  });

  it('through the scheduler: a failed push is retried with backoff and ends sent', async () => {
    await grant(OWNER, 1);
    await updateSettings(deps, 'shop', 'local-owner', { reports: { channels: ['subscribe'] } });
    const job = createDailyReportJob({ wecom: new FakeWecomApi(), appUrl: () => undefined, subscribe: sub });
    wx.failNext(-1);
    await schedulerTick(deps, [job]);
    const key = 'report:daily:shop:2026-11-20';
    expect(await deps.storage.jobs.get(key)).toMatchObject({ status: 'pending', attempts: 1 });
    deps.clock.advance(3600_000);
    await schedulerTick(deps, [job]);
    expect(await deps.storage.jobs.get(key)).toMatchObject({ status: 'done' });
    expect(wx.sent).toHaveLength(1);
    expect(await creditsOf(deps, TEMPLATE, OWNER)).toBe(0);
  });

  it('the test push goes to the caller only and spends their credit', async () => {
    const second = { id: 'm2', merchantId: 'shop', openid: 'o-second', name: '二老板', role: 'owner' as const, onDuty: true, createdAt: 0 };
    await deps.storage.members.add(second);
    await grant(OWNER, 1);
    await grant(second.openid, 1);
    const owner = (await deps.storage.members.list('shop')).find((m) => m.openid === OWNER)!;
    expect(await testPush(env(), 'shop', owner, 'subscribe')).toMatchObject({ channel: 'subscribe', state: 'sent' });
    expect(wx.sent.map((r) => r.touser)).toEqual([OWNER]);
    expect(wx.sent[0]!.data.thing1!.value).toMatch(/^（测试）/);
    expect(await testPush(env(), 'shop', owner, 'subscribe')).toMatchObject({ state: 'skipped', reason: 'no_credit' });
    expect(await creditsOf(deps, TEMPLATE, 'o-second')).toBe(1);
  });
});

describe('template fields', () => {
  it('a bad field mapping is refused at start, not at the first push', () => {
    expect(() => parseSubscribeFields('thing1:title,nope')).toThrow(/订阅消息字段配置不对/);
    expect(() => parseSubscribeFields('thing1:price')).toThrow(/订阅消息字段配置不对/);
  });

  it('a keyword with nothing to say is left out rather than filled with a made-up value', () => {
    const data = templateData(
      { fields: parseSubscribeFields('thing1:title,amount2:amount,phrase3:summary') },
      { title: '提醒', summary: '库存快没了请补货', page: 'p' },
      { name: '店', timezone: 'Asia/Shanghai' },
      0,
    );
    expect(data).toEqual({ thing1: { value: '提醒' }, phrase3: { value: '库存快没…' } });
  });
});
