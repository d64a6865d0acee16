import type { Customer } from '../../domain/customer';
import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { FakeGroupMsgWecom } from '../../testing/fake-groupmsg';
import { VECTOR_A } from '../../testing/wecom-harness';
import type { WecomContext } from '../channel-wecom/context';
import { createMerchant } from '../shop/merchants';
import { saveMarketingSettings } from '../campaigns/settings';
import { medianGap } from './due';
import { followupStats, previewFollowups } from './preview';
import { runFollowups } from './run';
import { saveFollowup } from './store';

const M = 'shop-a';
const DAY = 86_400_000;
/** 2026-12-08 10:00 Shanghai. */
const NOW = Date.parse('2026-12-08T10:00:00+08:00');
const TODAY = '2026-12-08';

let deps: Deps & { clock: ManualClock };
let wecom: FakeGroupMsgWecom;
let ctx: WecomContext;

const customer = (id: string, over: Partial<Customer> = {}): Customer => ({
  merchantId: M,
  externalUserId: id,
  name: id,
  source: 'contact_way',
  followUserId: 'zhangsan',
  tags: [],
  totalSpentFen: 0,
  orderCount: 0,
  lost: false,
  createdAt: 0,
  updatedAt: 0,
  ...over,
});
const texts = () =>
  wecom
    .callsTo('externalcontact/add_msg_template')
    .map((c) => `${(c.req as { external_userid: string[] }).external_userid[0]}:${(c.req as { text: { content: string } }).text.content}`);

beforeEach(async () => {
  deps = testDeps(NOW);
  wecom = new FakeGroupMsgWecom(() => deps.clock.now());
  ctx = { deps, wecom, answerer: { answer: async () => ({ reply: null, handoff: true, reason: 'test', knowledgeIds: [], confidence: 0 }) } };
  await createMerchant(deps, { id: M, name: '一号店', industry: '奶茶', ...VECTOR_A });
  await deps.storage.members.add({ id: 'm1', merchantId: M, openid: 'o1', name: '张三', role: 'staff', onDuty: true, wecomUserId: 'zhangsan', createdAt: 0 });
  // dormant (30 days for a milk-tea shop): a and b; c bought last week; d never bought; e dormant but opted out; f dormant but deleted us
  await deps.storage.customers.upsert(customer('a', { name: '王姐', orderCount: 3, lastOrderAt: NOW - 40 * DAY }));
  await deps.storage.customers.upsert(customer('b', { name: '', orderCount: 1, lastOrderAt: NOW - 31 * DAY }));
  await deps.storage.customers.upsert(customer('c', { orderCount: 5, lastOrderAt: NOW - 7 * DAY }));
  await deps.storage.customers.upsert(customer('d'));
  await deps.storage.customers.upsert(customer('e', { orderCount: 2, lastOrderAt: NOW - 60 * DAY, optedOutAt: NOW - DAY }));
  await deps.storage.customers.upsert(customer('f', { orderCount: 2, lastOrderAt: NOW - 60 * DAY, lost: true }));
});
afterEach(() => deps.storage.close());

describe('follow-ups', () => {
  it('preview this week’s dormant customers, send nothing before the owner turns it on, then each once per dormancy', async () => {
    const [dormant] = await previewFollowups(deps, M);
    expect(dormant).toMatchObject({ kind: 'dormant', enabled: false, count: 2 });
    expect(dormant!.sample.map((s) => s.externalUserId).sort()).toEqual(['a', 'b']);
    // c turns 30 days dormant within the week: the preview says which day
    deps.clock.set(NOW + 23 * DAY + 1);
    expect((await previewFollowups(deps, M))[0]!.sample.map((s) => [s.externalUserId, s.day]).sort()).toContainEqual(['c', '2026-12-31']);
    deps.clock.set(NOW);

    expect(await runFollowups(ctx, M, TODAY)).toEqual([]);
    await saveFollowup(deps, M, 'dormant', { enabled: true });
    const first = await runFollowups(ctx, M, TODAY);
    expect(first).toEqual([{ kind: 'dormant', due: 4, viaMember: 2, viaKf: 0, skipped: 0 }]);
    expect(texts().sort()).toEqual([
      'a:王姐，好久不见～40天没来了，店里上了新品，给您留了一份小优惠，来店报名字就能用～',
      'b:亲，好久不见～31天没来了，店里上了新品，给您留了一份小优惠，来店报名字就能用～',
    ]);
    // the same day again, and the next day: nobody twice for the same dormancy
    expect((await runFollowups(ctx, M, TODAY))[0]).toMatchObject({ viaMember: 0 });
    deps.clock.set(NOW + DAY);
    expect((await runFollowups(ctx, M, '2026-12-09'))[0]).toMatchObject({ viaMember: 0 });
    expect((await previewFollowups(deps, M))[0]!.count).toBe(0);
    // a buys again and goes quiet again: a new dormancy, a new message
    await deps.storage.customers.upsert(customer('a', { name: '王姐', orderCount: 4, lastOrderAt: NOW - 35 * DAY + DAY }));
    expect((await runFollowups(ctx, M, '2026-12-09'))[0]).toMatchObject({ viaMember: 1 });
  });

  it('keeps to the daily cap and to one follow-up per customer a day', async () => {
    await saveMarketingSettings(deps, M, { followupDailyCap: 1 });
    await saveFollowup(deps, M, 'dormant', { enabled: true });
    await deps.storage.customers.upsert(customer('a', { name: '王姐', orderCount: 3, lastOrderAt: NOW - 40 * DAY, birthday: { month: 12, day: 8 } }));
    await saveFollowup(deps, M, 'birthday', { enabled: true });
    const r = await runFollowups(ctx, M, TODAY);
    expect(r.map((x) => [x.kind, x.viaMember, x.skipped])).toEqual([
      ['dormant', 1, 1],
      ['birthday', 0, 0],
    ]);
    expect(wecom.callsTo('externalcontact/add_msg_template')).toHaveLength(1);
  });

  it('reaches a 微信客服 customer only inside their open 48 h window', async () => {
    await saveFollowup(deps, M, 'dormant', { enabled: true, texts: ['{称呼}，好久不见'] });
    for (const [id, ago] of [
      ['k1', 2 * 3_600_000],
      ['k2', 50 * 3_600_000],
    ] as const) {
      await deps.storage.customers.upsert(customer(id, { source: 'kf', followUserId: undefined, orderCount: 1, lastOrderAt: NOW - 45 * DAY }));
      await deps.storage.conversations.upsert({
        id: `conv-${id}`,
        merchantId: M,
        externalUserId: id,
        channel: 'kf',
        kfAccountId: 'wkA',
        state: 'ai',
        lastCustomerMessageAt: NOW - ago,
        missed: false,
        lastMessagePreview: '',
        createdAt: 0,
        updatedAt: 0,
      });
    }
    const [r] = await runFollowups(ctx, M, TODAY);
    expect(r).toMatchObject({ viaKf: 1, viaMember: 2, skipped: 1 });
    expect(wecom.sentTexts('k1')).toEqual(['k1，好久不见']);
    expect(wecom.sentTexts('k2')).toEqual([]);
  });

  it('splits two texts between the customers and counts each version', async () => {
    for (let i = 0; i < 40; i++) await deps.storage.customers.upsert(customer(`z${i}`, { orderCount: 1, lastOrderAt: NOW - 45 * DAY }));
    await saveFollowup(deps, M, 'dormant', { enabled: true, texts: ['A：{称呼}，好久不见', 'B：{称呼}，想你啦'] });
    const [r] = await runFollowups(ctx, M, TODAY);
    const sent = texts();
    expect(sent.length).toBe(r!.viaMember);
    const a = sent.filter((t) => t.includes(':A：')).length;
    expect(a).toBeGreaterThan(5);
    expect(sent.length - a).toBeGreaterThan(5);
    const stats = (await followupStats(deps, M)).dormant!;
    expect(stats.runs).toBe(1);
    expect(stats.arms.map((x) => x.planned)).toEqual([a, sent.length - a]);
    expect(stats.ab?.replied.text).toContain('还看不出来');
  });

  it('finds a repurchase cycle by the median gap between orders', () => {
    expect(medianGap([0, 10, 20, 60].map((d) => d * DAY))).toBe(10 * DAY);
    expect(medianGap([0, 10, 30].map((d) => d * DAY))).toBe(15 * DAY);
    expect(medianGap([5])).toBeNull();
  });
});
