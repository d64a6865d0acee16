import type { CustomerFacts } from '../../ports/storage';
import { abDraw, MAX_PER_TASK, planCampaign, type PlanInput } from './planner';
import { compare } from './stats';
import { isPersonal, renderText } from './variables';

const fact = (id: string, over: Partial<CustomerFacts> = {}): CustomerFacts => ({
  externalUserId: id,
  name: id,
  tags: ['会员'],
  totalSpentFen: 0,
  orderCount: 0,
  createdAt: 0,
  source: 'contact_way',
  followUserId: 'zhangsan',
  lost: false,
  ...over,
});

const base = (customers: CustomerFacts[], over: Partial<PlanInput> = {}): PlanInput => ({
  audience: '会员',
  customers,
  senders: new Set(['zhangsan', 'lisi', 'wangwu']),
  used: new Map(),
  quotaLimit: 4,
  variants: 1,
  personal: false,
  seed: 'c1',
  ...over,
});

describe('the campaign planner', () => {
  it('groups 25,000 customers by their member, chunks at 10,000, and explains everyone left out', () => {
    const customers: CustomerFacts[] = [];
    const add = (n: number, prefix: string, over: Partial<CustomerFacts>) => {
      for (let i = 0; i < n; i++) customers.push(fact(`${prefix}${i}`, over));
    };
    add(12_000, 'z', { followUserId: 'zhangsan' });
    add(8_000, 'l', { followUserId: 'lisi' });
    add(4_700, 'w', { followUserId: 'wangwu' });
    add(100, 'lost', { lost: true });
    add(50, 'out', { optedOutAt: 5 });
    add(30, 'gone', { followUserId: 'left-the-shop' });
    add(20, 'nomember', { followUserId: undefined });
    add(100, 'full', { followUserId: 'wangwu' });
    add(500, 'other', { tags: ['路人'] });
    const used = new Map(Array.from({ length: 100 }, (_, i) => [`full${i}`, { used: i % 2 ? 4 : 0, quotaHit: i % 2 === 0 }]));
    const plan = planCampaign(base(customers, { used }));
    expect(plan.bySender).toEqual([
      { userid: 'zhangsan', count: 12_000, chunks: 2 },
      { userid: 'lisi', count: 8_000, chunks: 1 },
      { userid: 'wangwu', count: 4_700, chunks: 1 },
    ]);
    expect(plan.recipients).toBe(24_700);
    expect(plan.recipients).toBe(plan.bySender.reduce((s, x) => s + x.count, 0));
    expect(plan.excluded).toEqual([
      { reason: 'lost', count: 100 },
      { reason: 'quota', count: 100 },
      { reason: 'optedOut', count: 50 },
      { reason: 'noSender', count: 50 },
    ]);
    // everyone in the audience is either a recipient or excluded, once
    expect(plan.recipients + plan.excluded.reduce((s, x) => s + x.count, 0)).toBe(25_000);
    expect(new Set(plan.list.map((r) => r.externalUserId)).size).toBe(24_700);
  });

  it('counts each customer once, by the first reason, and leaves out the recently messaged', () => {
    const plan = planCampaign(
      base([fact('a', { optedOutAt: 1, lost: true }), fact('b', { lost: true, followUserId: undefined }), fact('c'), fact('d')], {
        recentlyMessaged: new Set(['c']),
        used: new Map([['c', { used: 9, quotaHit: true }]]),
      }),
    );
    expect(plan.excluded.sort((x, y) => (x.reason < y.reason ? -1 : 1))).toEqual([
      { reason: 'lost', count: 1 },
      { reason: 'optedOut', count: 1 },
      { reason: 'recentlyMessaged', count: 1 },
    ]);
    expect(plan.list).toEqual([{ externalUserId: 'd', sender: 'zhangsan', variant: 0 }]);
  });

  it('splits an A/B test by a seeded draw, about half each, the same on every plan', () => {
    const customers = Array.from({ length: 2000 }, (_, i) => fact(`c${i}`));
    const a = planCampaign(base(customers, { variants: 2 }));
    const b = planCampaign(base(customers, { variants: 2 }));
    expect(b.list).toEqual(a.list);
    const arm1 = a.list.filter((r) => r.variant === 1).length;
    expect(arm1).toBeGreaterThan(900);
    expect(arm1).toBeLessThan(1100);
    // another campaign draws again
    expect(customers.filter((c) => abDraw('c2', c.externalUserId) !== abDraw('c1', c.externalUserId)).length).toBeGreaterThan(800);
    // two arms of one member are two tasks
    expect(a.bySender).toEqual([{ userid: 'zhangsan', count: 2000, chunks: 2 }]);
  });

  it('makes one task per customer for a text that names each one', () => {
    const plan = planCampaign(base([fact('a'), fact('b'), fact('c', { followUserId: 'lisi' })], { personal: true }));
    expect(plan.bySender).toEqual([
      { userid: 'zhangsan', count: 2, chunks: 2 },
      { userid: 'lisi', count: 1, chunks: 1 },
    ]);
    expect(MAX_PER_TASK).toBe(10_000);
  });
});

describe('variables', () => {
  it('render per customer, with words for what is missing', () => {
    const t = '{称呼}，{多少天没来}天没见啦，{上次买的}回货了';
    expect(isPersonal(t)).toBe(true);
    expect(isPersonal('周末第二杯半价')).toBe(false);
    expect(renderText(t, { 称呼: '王姐', 多少天没来: '12', 上次买的: '杨枝甘露' })).toBe('王姐，12天没见啦，杨枝甘露回货了');
    expect(renderText(t, {})).toBe('亲，好些天没见啦，上次那款回货了');
  });
});

describe('the A/B verdict (two-proportion test)', () => {
  it('names a winner only on a real difference with enough people', () => {
    const big = compare('下单', [
      { converted: 120, delivered: 1000 },
      { converted: 60, delivered: 1000 },
    ]);
    expect(big.winner).toBe(0);
    expect(big.text).toContain('A 写法更好');
    expect(big.text).toContain('12%（120/1000）');
    const close = compare('下单', [
      { converted: 52, delivered: 1000 },
      { converted: 48, delivered: 1000 },
    ]);
    expect(close.winner).toBeNull();
    expect(close.text).toContain('还看不出来');
    // a huge-looking difference on a handful of people is still no verdict
    const small = compare('回复', [
      { converted: 4, delivered: 10 },
      { converted: 0, delivered: 10 },
    ]);
    expect(small.winner).toBeNull();
    expect(small.text).toContain('人数还太少');
  });
});
