import { zeroCounters, type Counters } from '../../domain/counters';
import type { Customer } from '../../domain/customer';
import type { Order } from '../../domain/commerce';
import type { StoredProduct } from '../../domain/knowledge';
import { TrendChartInput } from '../../ports/chart';
import { aiCoveragePart, buildMonthly, growthPart, NEUTRAL, responsivenessPart, retentionPart, stockHealthPart } from './monthly';
import { buyerStats, type PeriodInput } from './period';
import { latestMonthlySlot, latestWeeklySlot, lastDayOf, planMonthlyReports, planWeeklyReports, previousMonth } from './period-schedule';
import { buildWeekly, weeklyChart, weeklyText } from './weekly';

const sh = (local: string) => Date.parse(`${local}+08:00`);
const c = (part: Partial<Counters>): Counters => ({ ...zeroCounters(), ...part });
const order = (id: string, who: string | undefined, placed: string, items: [string, string, number][], extra: Partial<Order> = {}): Order => ({
  id,
  merchantId: 'shop',
  ...(who ? { externalUserId: who } : {}),
  amountFen: 1000,
  paidFen: 1000,
  status: 'paid',
  rev: 1,
  items: items.map(([sku, name, qty]) => ({ sku, name, qty, priceFen: 500 })),
  placedAt: sh(`${placed}T12:00:00`),
  updatedAt: sh(`${placed}T12:00:00`),
  ...extra,
});
const customer = (id: string, firstOrderAt: number): Customer => ({ merchantId: 'shop', externalUserId: id, firstOrderAt }) as unknown as Customer;
const product = (sku: string, name: string, stock: number, lowStockAt = 5): StoredProduct => ({ merchantId: 'shop', sku, name, priceFen: 500, stock, lowStockAt, updatedAt: 0 });

// the week of Monday 2026-11-16; the one before starts on 2026-11-09
const MON = '2026-11-16';
const weekInput = (): PeriodInput => ({
  first: MON,
  last: '2026-11-22',
  from: sh(`${MON}T00:00:00`),
  to: sh('2026-11-23T00:00:00'),
  counters: {
    '2026-11-09': c({ revenueFen: 10_000, orders: 2, consultations: 4 }),
    '2026-11-16': c({ revenueFen: 3000, orders: 3, consultations: 5, aiAnswered: 6, aiHandoffs: 2, newCustomers: 1 }),
    '2026-11-18': c({ revenueFen: 1000, orders: 1, consultations: 2, aiAnswered: 2 }),
    '2026-11-22': c({ revenueFen: 2000, orders: 2, consultations: 1, newCustomers: 2 }),
  },
  orders: [
    order('o1', 'wmA', MON, [['T1', '杨枝甘露（大杯）', 2]]),
    order('o2', 'wmA', '2026-11-18', [['T1', '杨枝甘露', 1]]),
    order('o3', 'wmB', MON, [['T2', '芋圆奶茶', 1]]),
    order('o4', 'wmC', '2026-11-22', [['T3', '柠檬茶', 5]]),
    // refunded: no seller, no buyer
    order('o5', 'wmD', '2026-11-22', [['T4', '烧仙草', 9]], { refundedAt: sh('2026-11-22T13:00:00') }),
    // unmatched: sold, but nobody to count as a buyer
    order('o6', undefined, MON, [['T2', '芋圆奶茶', 1]]),
  ],
  ordersOmitted: false,
  customers: new Map([
    ['wmA', customer('wmA', sh(`${MON}T12:00:00`))],
    ['wmB', customer('wmB', sh('2026-10-01T12:00:00'))],
    ['wmC', customer('wmC', sh('2026-11-22T12:00:00'))],
  ]),
  products: [product('T1', '杨枝甘露', 50), product('T2', '芋圆奶茶', 40), product('T3', '柠檬茶', 30), product('T5', '椰果', 20), product('T6', '珍珠', 0)],
  hasOrders: true,
});

describe('weekly report builder', () => {
  it('sums the week, keeps the daily series, compares with the week before, ranks sellers', () => {
    const { numbers, details } = buildWeekly(weekInput());
    expect(numbers).toMatchObject({ first: MON, last: '2026-11-22', revenueFen: 6000, orders: 6, consultations: 8, newCustomers: 3, aiAnswered: 8, aiHandoffs: 2 });
    expect(numbers.aiAnswerRate).toBeCloseTo(0.8);
    expect(numbers.dailyRevenueFen).toEqual([3000, 0, 1000, 0, 0, 0, 2000]);
    expect(numbers.dailyConsultations).toEqual([5, 0, 2, 0, 0, 0, 1]);
    expect(numbers.weekBefore).toMatchObject({ revenueFen: 10_000, orders: 2, consultations: 4 });
    // wmA: first order this week, twice → new and repeat; wmB: ordered before → returning; wmC: new once
    expect(numbers.buyers).toEqual({ buyers: 3, newBuyers: 2, returningBuyers: 1, repurchaseRate: 2 / 3 });
    expect(details.bestSellers).toEqual([
      { name: '柠檬茶', qty: 5 },
      { name: '杨枝甘露', qty: 3 },
      { name: '芋圆奶茶', qty: 2 },
    ]);
    // out of stock (珍珠) could not sell; 椰果 sold nothing
    expect(details.slowSellers).toEqual([
      { name: '椰果', qty: 0 },
      { name: '芋圆奶茶', qty: 2 },
      { name: '杨枝甘露', qty: 3 },
      { name: '柠檬茶', qty: 5 },
    ]);
    const text = weeklyText('阿香奶茶', numbers, details);
    expect(text).toContain('营业额 ¥60（比上周少 40%）');
    expect(text).toContain('复购率 67%');
    expect(weeklyText('阿香奶茶', numbers, details, false)).not.toContain('营业额');
  });

  it('leaves buyers and sellers out rather than guessing from part of a busy week', () => {
    const { numbers, details } = buildWeekly({ ...weekInput(), orders: [], ordersOmitted: true, customers: null });
    expect(numbers.buyers).toBeNull();
    expect(details).toEqual({ bestSellers: [], slowSellers: [], sellersOmitted: true });
  });

  it('draws a chart the chart port accepts: revenue and consultations, or consultations alone without orders', () => {
    const { numbers } = buildWeekly(weekInput());
    const chart = TrendChartInput.parse(weeklyChart(numbers));
    expect(chart.series.map((s) => [s.name, s.values])).toEqual([
      ['营业额', [3000, 0, 1000, 0, 0, 0, 2000]],
      ['咨询人数', [5, 0, 2, 0, 0, 0, 1]],
    ]);
    expect(TrendChartInput.parse(weeklyChart({ ...numbers, hasOrders: false })).series).toHaveLength(1);
  });

  it('repurchase: null without buyers; a customer with no first order on record counts as new', () => {
    expect(buyerStats([], new Map(), 0)).toEqual({ buyers: 0, newBuyers: 0, returningBuyers: 0, repurchaseRate: null });
    expect(buyerStats([order('x', 'wmZ', MON, [])], new Map(), sh(`${MON}T00:00:00`))).toEqual({ buyers: 1, newBuyers: 1, returningBuyers: 0, repurchaseRate: 0 });
  });
});

describe('monthly health score', () => {
  it('scores each part by its formula, NEUTRAL where there is nothing to measure', () => {
    expect([growthPart(80, 100), growthPart(100, 100), growthPart(120, 100), growthPart(150, 100), growthPart(5, 0)]).toEqual([0, 10, 20, 20, NEUTRAL]);
    expect(growthPart(110, 100)).toBe(15);
    expect([retentionPart(0), retentionPart(0.2), retentionPart(0.9), retentionPart(null)]).toEqual([0, 10, 20, NEUTRAL]);
    expect([responsivenessPart(30_000), responsivenessPart(60_000), responsivenessPart(30 * 60_000), responsivenessPart(null)]).toEqual([20, 20, 0, NEUTRAL]);
    expect(responsivenessPart(15.5 * 60_000)).toBe(10);
    expect([aiCoveragePart(0.75), aiCoveragePart(null)]).toEqual([15, NEUTRAL]);
    expect([stockHealthPart(4, 1), stockHealthPart(0, 0)]).toEqual([15, NEUTRAL]);
  });

  it('adds the parts to a score of 0–100 and suggests three things for the weakest parts', () => {
    const input: PeriodInput = {
      first: '2026-11-01',
      last: '2026-11-30',
      from: sh('2026-11-01T00:00:00'),
      to: sh('2026-12-01T00:00:00'),
      counters: {
        '2026-10-05': c({ revenueFen: 100_000, orders: 10, consultations: 10 }),
        '2026-11-03': c({ revenueFen: 90_000, orders: 9, consultations: 12, aiAnswered: 5, aiHandoffs: 5, firstResponseMsSum: 2 * 15.5 * 60_000, firstResponseCount: 2 }),
      },
      orders: [order('o1', 'wmA', '2026-11-03', [['T1', '杨枝甘露', 1]]), order('o2', 'wmB', '2026-11-03', [['T1', '杨枝甘露', 1]])],
      ordersOmitted: false,
      customers: new Map([
        ['wmA', customer('wmA', sh('2026-09-01T12:00:00'))],
        ['wmB', customer('wmB', sh('2026-11-03T12:00:00'))],
      ]),
      products: [product('T1', '杨枝甘露', 2), product('T2', '芋圆奶茶', 40)],
      hasOrders: true,
    };
    const { numbers, details } = buildMonthly(input);
    expect(numbers).toMatchObject({
      month: '2026-11',
      revenueFen: 90_000,
      monthBefore: { revenueFen: 100_000 },
      aiAnswerRate: 0.5,
      firstResponseAvgMs: 15.5 * 60_000,
      lowStockProducts: 1,
      products: 2,
    });
    // growth −10% → 5; retention 50% → 20; responsiveness 15.5 min → 10; AI 50% → 10; stock 1 of 2 low → 10
    expect(numbers.health.parts).toEqual({ growth: 5, retention: 20, responsiveness: 10, aiCoverage: 10, stockHealth: 10 });
    expect(numbers.health.score).toBe(55);
    expect(details.suggestions).toHaveLength(3);
    expect(details.suggestions[0]).toContain('营业额比上个月少了 10%');
    expect(details.suggestions[1]).toContain('客户平均等 16 分钟');
    expect(details.suggestions[2]).toContain('AI 回答率 50%');
  });

  it('a shop with nothing to measure scores 50 and still gets three suggestions', () => {
    const empty: PeriodInput = {
      first: '2026-11-01',
      last: '2026-11-30',
      from: 0,
      to: 1,
      counters: {},
      orders: [],
      ordersOmitted: false,
      customers: new Map(),
      products: [],
      hasOrders: false,
    };
    const { numbers, details } = buildMonthly(empty);
    expect(numbers.health.score).toBe(50);
    expect(new Set(details.suggestions).size).toBe(3);
  });
});

describe('weekly and monthly planning', () => {
  const shop = { id: 'shop', timezone: 'Asia/Shanghai', createdAt: sh('2026-01-01T00:00:00') } as Parameters<typeof planWeeklyReports>[1][number];

  it('weekly: Monday 09:00 local, keyed by the Monday of the week it reports on; the latest slot only', () => {
    expect(latestWeeklySlot(sh('2026-11-23T09:00:00'), shop)).toEqual({ week: '2026-11-16', at: sh('2026-11-23T09:00:00') });
    expect(latestWeeklySlot(sh('2026-11-23T08:59:00'), shop)).toEqual({ week: '2026-11-09', at: sh('2026-11-16T09:00:00') });
    expect(latestWeeklySlot(sh('2026-11-29T23:00:00'), shop)?.week).toBe('2026-11-16');
    expect(planWeeklyReports(sh('2026-11-23T09:00:00'), [shop])).toEqual([
      expect.objectContaining({ key: 'report:weekly:shop:2026-11-16', kind: 'report.weekly', runAt: sh('2026-11-23T09:00:00'), payload: { week: '2026-11-16' } }),
    ]);
  });

  it('monthly: the 5th at 09:00 local, keyed by the month it reports on (across a year)', () => {
    expect(latestMonthlySlot(sh('2026-12-05T09:00:00'), shop)).toEqual({ month: '2026-11', at: sh('2026-12-05T09:00:00') });
    expect(latestMonthlySlot(sh('2026-12-05T08:00:00'), shop)?.month).toBe('2026-10');
    expect(latestMonthlySlot(sh('2027-01-20T12:00:00'), shop)?.month).toBe('2026-12');
    expect(planMonthlyReports(sh('2027-01-05T09:00:30'), [shop])).toEqual([expect.objectContaining({ key: 'report:monthly:shop:2026-12', payload: { month: '2026-12' } })]);
    expect([previousMonth('2026-01'), lastDayOf('2026-02'), lastDayOf('2028-02'), lastDayOf('2026-12')]).toEqual(['2025-12', '2026-02-28', '2028-02-29', '2026-12-31']);
  });

  it('never catches up a slot from before the shop existed, but a tick on time runs', () => {
    const fresh = { ...shop, createdAt: sh('2026-11-23T09:30:00') };
    expect(planWeeklyReports(sh('2026-11-23T10:00:00'), [fresh])).toEqual([]);
    expect(planMonthlyReports(sh('2026-12-05T10:00:00'), [{ ...shop, createdAt: sh('2026-12-05T09:30:00') }])).toEqual([]);
    expect(planWeeklyReports(sh('2026-11-23T09:00:20'), [{ ...shop, createdAt: sh('2026-11-23T09:00:10') }])).toHaveLength(1);
  });
});
