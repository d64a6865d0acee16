import type { Customer } from '../../domain/customer';
import { AppError } from '../../domain/errors';
import type { Merchant } from '../../domain/merchant';
import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { FakeGroupMsgWecom } from '../../testing/fake-groupmsg';
import { VECTOR_A } from '../../testing/wecom-harness';
import { schedulerTick } from '../scheduling/scheduler';
import { createMerchant } from '../shop/merchants';
import { onCampaignCustomerMessage, onCampaignOrder, isOptOut } from './attribution';
import { createCampaignSendJob, createCampaignTrackJob } from './jobs';
import { cancelCampaign, scheduleCampaign } from './lifecycle';
import { planDraft } from './plan';
import { sendCampaign } from './send';
import { campaignStats } from './stats';
import { saveMarketingSettings } from './settings';
import { REMIND_AFTER_MS, TRACK_EVERY_MS } from './track';
import { previewRule } from '../tags/run';

const M = 'shop-a';
const HOUR = 3_600_000;
/** 2026-12-07 (a Monday) 22:00 in Shanghai: inside the default quiet hours. */
const EVENING = Date.parse('2026-12-07T22:00:00+08:00');
const NEXT_MORNING = Date.parse('2026-12-08T09:00:00+08:00');

let deps: Deps & { clock: ManualClock };
let wecom: FakeGroupMsgWecom;
let merchant: Merchant;
const jobs = () => [createCampaignSendJob(wecom), createCampaignTrackJob(wecom)];
const adds = () => wecom.callsTo('externalcontact/add_msg_template');

function customer(id: string, over: Partial<Customer> = {}): Customer {
  return {
    merchantId: M,
    externalUserId: id,
    name: id,
    source: 'contact_way',
    followUserId: 'zhangsan',
    tags: ['会员'],
    totalSpentFen: 0,
    orderCount: 0,
    lost: false,
    createdAt: 0,
    updatedAt: 0,
    ...over,
  };
}

async function seed(n: number, prefix: string, over: Partial<Customer>) {
  for (let i = 0; i < n; i++) await deps.storage.customers.upsert(customer(`${prefix}${String(i).padStart(5, '0')}`, over));
}

beforeEach(async () => {
  deps = testDeps(EVENING);
  wecom = new FakeGroupMsgWecom(() => deps.clock.now());
  merchant = (await createMerchant(deps, { id: M, name: '一号店', ...VECTOR_A })).merchant;
  for (const [i, userid] of ['zhangsan', 'lisi', 'wangwu'].entries())
    await deps.storage.members.add({ id: `m${i}`, merchantId: M, openid: `o${i}`, name: `店员${i}`, role: 'staff', onDuty: true, wecomUserId: userid, createdAt: 0 });
});
afterEach(() => deps.storage.close());

describe('a campaign to 25,000 customers across 3 members', () => {
  it('plans chunked tasks, moves past quiet hours, sends once however often the scheduler runs, and tracks what WeCom did', async () => {
    await seed(12_000, 'z', { followUserId: 'zhangsan' });
    await seed(8_000, 'l', { followUserId: 'lisi' });
    await seed(4_900, 'w', { followUserId: 'wangwu' });
    await seed(60, 'lost', { lost: true });
    await seed(40, 'x', { followUserId: 'wangwu', optedOutAt: 1 });

    const plan = await planDraft(deps, merchant, { name: '双十二', audience: { any: ['会员'] }, texts: ['双十二全场八折'] });
    expect(plan.bySender).toEqual([
      { userid: 'zhangsan', count: 12_000, chunks: 2 },
      { userid: 'lisi', count: 8_000, chunks: 1 },
      { userid: 'wangwu', count: 4_900, chunks: 1 },
    ]);
    expect(plan.excluded).toEqual([
      { reason: 'lost', count: 60 },
      { reason: 'optedOut', count: 40 },
    ]);
    expect(plan.sendAt).toBe(NEXT_MORNING);
    await scheduleCampaign(deps, merchant, plan.campaignId);

    // nothing before its time; at its time, twice, the tasks are made once
    await schedulerTick(deps, jobs(), { now: NEXT_MORNING - 60_000 });
    expect(adds()).toHaveLength(0);
    deps.clock.set(NEXT_MORNING);
    await schedulerTick(deps, jobs(), { now: NEXT_MORNING });
    await schedulerTick(deps, jobs(), { now: NEXT_MORNING });
    await sendCampaign({ deps, wecom }, M, plan.campaignId);
    expect(adds().map((c) => [(c.req as { sender: string }).sender, (c.req as { external_userid: string[] }).external_userid.length])).toEqual(
      expect.arrayContaining([
        ['zhangsan', 10_000],
        ['zhangsan', 2_000],
        ['lisi', 8_000],
        ['wangwu', 4_900],
      ]),
    );
    expect(adds()).toHaveLength(4);

    // the members confirm: some customers turn out not to be friends any more, some are over WeCom's quota
    for (const t of wecom.tasks.values()) wecom.confirm(t.msgid, (id) => (id === 'z00003' ? 2 : id.startsWith('w0000') ? 3 : 1));
    deps.clock.set(NEXT_MORNING + TRACK_EVERY_MS);
    await schedulerTick(deps, jobs(), { now: NEXT_MORNING + TRACK_EVERY_MS });
    const c = (await deps.storage.campaigns.get(M, plan.campaignId))!;
    expect(c.status).toBe('sent');
    const stats = campaignStats(await deps.storage.campaigns.recipientCounts(M, plan.campaignId), 1);
    expect(stats).toMatchObject({ planned: 24_900, confirmed: 24_900, delivered: 24_900 - 1 - 10, failed: 11, waiting: 0 });
    expect((await deps.storage.campaigns.listRecipients(M, plan.campaignId, { limit: 5, status: 'quota' })).items.map((r) => r.externalUserId)).toEqual([
      'w00000',
      'w00001',
      'w00002',
      'w00003',
      'w00004',
    ]);
  }, 120_000);
});

describe('campaign life', () => {
  beforeEach(async () => {
    deps.clock.set(NEXT_MORNING);
    await seed(5, 'c', {});
  });

  const sendNow = async (texts = ['上新啦']) => {
    const p = await planDraft(deps, merchant, { audience: '会员', texts });
    await scheduleCampaign(deps, merchant, p.campaignId);
    await sendCampaign({ deps, wecom }, M, p.campaignId);
    return p.campaignId;
  };
  const confirmAll = () => {
    for (const t of wecom.tasks.values()) if (t.status === 0 && !t.cancelled) wecom.confirm(t.msgid);
  };
  const track = (at: number) => {
    deps.clock.set(at);
    return schedulerTick(deps, jobs(), { now: at });
  };

  it('never plans a customer who said 退订 again', async () => {
    expect(isOptOut('退订')).toBe(true);
    expect(isOptOut('别发了，谢谢')).toBe(true);
    expect(isOptOut('请不要再发了！')).toBe(true);
    expect(isOptOut('别发了吗？还有货吗')).toBe(false);
    expect(isOptOut('这个能退吗')).toBe(false);
    await onCampaignCustomerMessage(deps, M, 'c00001', deps.clock.now(), '退订');
    const p = await planDraft(deps, merchant, { audience: '会员', texts: ['上新啦'] });
    expect(p.recipients).toBe(4);
    expect(p.excluded).toEqual([{ reason: 'optedOut', count: 1 }]);
  });

  it('leaves out whoever opted out between the plan and the send', async () => {
    const p = await planDraft(deps, merchant, { audience: '会员', texts: ['上新啦'] });
    await onCampaignCustomerMessage(deps, M, 'c00002', deps.clock.now(), '不要再发了');
    await scheduleCampaign(deps, merchant, p.campaignId);
    await sendCampaign({ deps, wecom }, M, p.campaignId);
    expect((adds()[0]!.req as { external_userid: string[] }).external_userid).not.toContain('c00002');
    // the send plans again: the stored plan now says who dropped out and why
    expect((await deps.storage.campaigns.get(M, p.campaignId))!.plan).toMatchObject({ recipients: 4, excluded: [{ reason: 'optedOut', count: 1 }] });
    expect((await deps.storage.campaigns.listRecipients(M, p.campaignId, { limit: 10 })).items.map((r) => r.externalUserId)).not.toContain('c00002');
  });

  it('counts each customer’s quota across campaigns (1 per day), waiting tasks included', async () => {
    await saveMarketingSettings(deps, M, { quota: 'day1' });
    merchant = (await deps.storage.merchants.get(M))!;
    await sendNow();
    // the first is waiting for its member: it already uses today's one send
    const again = await planDraft(deps, merchant, { audience: '会员', texts: ['再来一条'] });
    expect(again).toMatchObject({ recipients: 0, excluded: [{ reason: 'quota', count: 5 }] });
    deps.clock.set(NEXT_MORNING + 24 * HOUR);
    expect((await planDraft(deps, merchant, { audience: '会员', texts: ['明天的'] })).recipients).toBe(5);
  });

  it('attributes a reply and an order within 7 days to the campaign the customer got last', async () => {
    const id = await sendNow();
    confirmAll();
    await track(NEXT_MORNING + TRACK_EVERY_MS);
    await onCampaignCustomerMessage(deps, M, 'c00000', NEXT_MORNING + HOUR, '有大杯吗');
    await onCampaignOrder(deps, M, 'c00000', { id: 'o1', placedAt: NEXT_MORNING + 2 * HOUR, paidFen: 2500 });
    await onCampaignOrder(deps, M, 'c00000', { id: 'o1', placedAt: NEXT_MORNING + 2 * HOUR, paidFen: 2500 });
    await onCampaignOrder(deps, M, 'c00000', { id: 'o2', placedAt: NEXT_MORNING + 3 * HOUR, paidFen: 1000 });
    // eight days later is not the campaign's any more
    await onCampaignOrder(deps, M, 'c00001', { id: 'o3', placedAt: NEXT_MORNING + 8 * 24 * HOUR, paidFen: 9900 });
    expect(campaignStats(await deps.storage.campaigns.recipientCounts(M, id), 1)).toMatchObject({ delivered: 5, replied: 1, ordered: 1, revenueFen: 3500 });
    // the 回复过活动 tag condition now holds for the one who replied, and only for them
    const replied = await previewRule(deps, M, { when: { field: 'repliedToCampaign', op: '=', value: true } });
    expect(replied.sample.map((c) => c.externalUserId)).toEqual(['c00000']);
  });

  it('reminds a member who has not confirmed (WeCom and our own message), at most 3 times a day', async () => {
    const id = await sendNow();
    for (let h = 1; h <= 30; h++) await track(NEXT_MORNING + h * HOUR);
    const c = (await deps.storage.campaigns.get(M, id))!;
    // reminders from 2 h on, 8 h apart: 2 h, 10 h, 18 h, 26 h
    expect(c.tasks[0]!.reminders.map((r) => (r - NEXT_MORNING) / HOUR)).toEqual([2, 10, 18, 26]);
    expect(REMIND_AFTER_MS).toBe(2 * HOUR);
    expect(wecom.reminds).toHaveLength(4);
    expect(wecom.callsTo('message/send').map((x) => (x.req as { touser: string }).touser)).toEqual(['zhangsan', 'zhangsan', 'zhangsan', 'zhangsan']);
    expect(c.status).toBe('sending');
  });

  it('cancels what members have not confirmed; what was sent stays sent', async () => {
    await seed(3, 'l', { followUserId: 'lisi' });
    const id = await sendNow();
    const zhang = [...wecom.tasks.values()].find((t) => t.sender === 'zhangsan')!;
    wecom.confirm(zhang.msgid);
    await track(NEXT_MORNING + TRACK_EVERY_MS);
    await cancelCampaign({ deps, wecom }, M, id);
    expect(wecom.callsTo('externalcontact/cancel_groupmsg_send').map((x) => (x.req as { msgid: string }).msgid)).toEqual(
      [...wecom.tasks.values()].filter((t) => t.sender === 'lisi').map((t) => t.msgid),
    );
    const stats = campaignStats(await deps.storage.campaigns.recipientCounts(M, id), 1);
    expect(stats).toMatchObject({ delivered: 5, cancelled: 3 });
    expect((await deps.storage.campaigns.get(M, id))!.status).toBe('cancelled');
    // a send job that starts after the cancel makes nothing
    await sendCampaign({ deps, wecom }, M, id);
    expect(adds()).toHaveLength(2);
  });

  it('after a crash between WeCom’s answer and our write, finds the task at WeCom instead of making it twice', async () => {
    const p = await planDraft(deps, merchant, { audience: '会员', texts: ['上新啦'] });
    await scheduleCampaign(deps, merchant, p.campaignId);
    // WeCom makes the task, then the answer is lost (a timeout after the request got through)
    const real = wecom.addMsgTemplate.bind(wecom);
    let lost = 1;
    wecom.addMsgTemplate = async (m, req) => {
      const r = await real(m, req);
      if (lost-- > 0) throw new AppError('WECOM.TIMEOUT', '超时', 504);
      return r;
    };
    await expect(sendCampaign({ deps, wecom }, M, p.campaignId)).rejects.toThrow('超时');
    expect((await deps.storage.campaigns.get(M, p.campaignId))!.tasks).toMatchObject([{ key: 'zhangsan:0:0', state: 'creating' }]);
    deps.clock.advance(60_000);
    await sendCampaign({ deps, wecom }, M, p.campaignId);
    expect(adds()).toHaveLength(1);
    expect(wecom.tasks.size).toBe(1);
    const after = (await deps.storage.campaigns.get(M, p.campaignId))!;
    expect(after.tasks).toMatchObject([{ key: 'zhangsan:0:0', state: 'created', msgid: 'gm1' }]);
    expect((await deps.storage.campaigns.listRecipients(M, p.campaignId, { limit: 10, status: 'waiting' })).items).toHaveLength(5);
  });

  it('a 取消 that lands while the tasks are being made stops the one in flight and makes no more', async () => {
    await seed(3, 'l', { followUserId: 'lisi' });
    const p = await planDraft(deps, merchant, { audience: '会员', texts: ['上新啦'] });
    await scheduleCampaign(deps, merchant, p.campaignId);
    const real = wecom.addMsgTemplate.bind(wecom);
    wecom.addMsgTemplate = async (m, req) => {
      const r = await real(m, req);
      // the owner's 取消 while WeCom answers the first task
      if (wecom.tasks.size === 1) await cancelCampaign({ deps, wecom }, M, p.campaignId);
      return r;
    };
    await sendCampaign({ deps, wecom }, M, p.campaignId);
    expect(adds()).toHaveLength(1);
    expect(wecom.callsTo('externalcontact/cancel_groupmsg_send').map((c) => (c.req as { msgid: string }).msgid)).toEqual(['gm1']);
    expect((await deps.storage.campaigns.get(M, p.campaignId))!.status).toBe('cancelled');
    expect(campaignStats(await deps.storage.campaigns.recipientCounts(M, p.campaignId), 1)).toMatchObject({ waiting: 0, delivered: 0 });
  });

  it('sends each customer their own text when it names them', async () => {
    await deps.storage.customers.upsert(customer('c00000', { name: '王姐' }));
    await sendNow(['{称呼}，新品到了']);
    expect(
      adds()
        .map((c) => (c.req as { text: { content: string } }).text.content)
        .sort(),
    ).toEqual(['c00001，新品到了', 'c00002，新品到了', 'c00003，新品到了', 'c00004，新品到了', '王姐，新品到了']);
  });
});
