import type { Order } from '../../domain/commerce';
import { zeroCounters, type Counters } from '../../domain/counters';
import type { StoredProduct } from '../../domain/knowledge';
import type { TeachItem } from '../../domain/teach';
import { utf8Length } from '../channel-wecom/msgid';
import { advise, buildDaily, type DailyInput } from './daily';
import { dailyCard, dailyMarkdown, dailyText, NO_ORDERS_TEXT, yuan, type DailyView } from './daily-text';

const sh = (local: string) => Date.parse(`${local}+08:00`);
const DAY = '2026-11-21'; // a Saturday
const from = sh(`${DAY}T00:00:00`);
const to = sh('2026-11-22T00:00:00');

const counters = (over: Partial<Counters>): Counters => ({ ...zeroCounters(), ...over });
const teachItem = (id: string, question: string, askedAt: number): TeachItem => ({
  id,
  merchantId: 'shop',
  conversationId: id,
  externalUserId: `wm-${id}`,
  question,
  earlier: [],
  reason: 'handoff:unknown',
  askedAt,
});
const order = (id: string, items: Order['items'], over: Partial<Order> = {}): Order => ({
  id,
  merchantId: 'shop',
  amountFen: items.reduce((s, i) => s + i.qty * i.priceFen, 0),
  status: 'paid',
  items,
  placedAt: sh(`${DAY}T12:00:00`),
  updatedAt: sh(`${DAY}T12:00:00`),
  ...over,
});
const product = (sku: string, name: string, stock: number, lowStockAt = 5): StoredProduct => ({ sku, name, priceFen: 1800, stock, lowStockAt, merchantId: 'shop', updatedAt: 0 });

function input(over: Partial<DailyInput> = {}): DailyInput {
  return {
    day: DAY,
    from,
    to,
    counters: {
      [DAY]: counters({
        revenueFen: 123_450,
        orders: 56,
        refunds: 1,
        newCustomers: 8,
        consultations: 42,
        customerMessages: 180,
        aiAnswered: 150,
        aiHandoffs: 10,
        firstResponseMsSum: 90_000,
        firstResponseCount: 10,
      }),
      '2026-11-20': counters({ revenueFen: 110_000, orders: 50, newCustomers: 8, consultations: 40 }),
      '2026-11-14': counters({ revenueFen: 150_000, orders: 60, newCustomers: 4 }),
    },
    waitingHuman: 0,
    teach: [],
    orders: [],
    ordersOmitted: false,
    products: [],
    hasOrders: true,
    ...over,
  };
}

const view = (over: Partial<DailyInput> = {}, showRevenue = true): DailyView => ({ merchantName: '阿香奶茶', day: DAY, ...buildDaily(input(over)), showRevenue });

describe('daily report builder', () => {
  it("takes the day's numbers from the counters and the comparison days from day - 1 and day - 7", () => {
    const { numbers } = buildDaily(input({ waitingHuman: 2 }));
    expect(numbers).toMatchObject({
      revenueFen: 123_450,
      orders: 56,
      refunds: 1,
      newCustomers: 8,
      consultations: 42,
      customerMessages: 180,
      aiAnswered: 150,
      aiHandoffs: 10,
      firstResponseAvgMs: 9_000,
      aiAnswerRate: 150 / 160,
      waitingHuman: 2,
      hasOrders: true,
    });
    expect(numbers.dayBefore).toMatchObject({ revenueFen: 110_000, orders: 50, consultations: 40 });
    expect(numbers.weekBefore).toMatchObject({ revenueFen: 150_000, orders: 60, newCustomers: 4, consultations: 0 });
    // no questions, no first responses: nothing to divide
    const quiet = buildDaily(input({ counters: {} })).numbers;
    expect(quiet).toMatchObject({ revenueFen: 0, aiAnswerRate: null, firstResponseAvgMs: null, dayBefore: { revenueFen: 0 } });
  });

  it('ranks the unanswered questions of that day by how many asked, alike ones together, at most 5', () => {
    const at = sh(`${DAY}T15:00:00`);
    const teach = [
      teachItem('c1', '能开发票吗？', at),
      teachItem('c2', '能开发票吗', at + 1),
      teachItem('c3', '  能开发票吗?? ', at + 2),
      teachItem('c4', '可以带狗吗', at + 3),
      teachItem('c5', '有停车位吗', at + 4),
      teachItem('c6', '周日开门吗', at + 5),
      teachItem('c7', '能预订包场吗', at + 6),
      teachItem('c8', '有没有无糖的', at + 7),
      teachItem('old', '昨天的问题', from - 1),
      teachItem('next', '第二天的问题', to),
    ];
    const { details } = buildDaily(input({ teach }));
    expect(details.unanswered).toHaveLength(5);
    expect(details.unanswered[0]).toEqual({ question: '能开发票吗？', count: 3 });
    // ties: the latest asked first
    expect(details.unanswered.slice(1).map((q) => q.question)).toEqual(['有没有无糖的', '能预订包场吗', '周日开门吗', '有停车位吗']);
  });

  it('counts top sellers from paid, unrefunded orders, sizes of one product together; low stock fewest first', () => {
    const tea = { sku: 'T1', name: '杨枝甘露', qty: 1, priceFen: 1800 };
    const orders = [
      order('o1', [tea, { sku: 'T2', name: '珍珠奶茶', qty: 2, priceFen: 900 }]),
      order('o2', [{ ...tea, name: '杨枝甘露（大杯）', qty: 2 }]),
      order('o3', [{ sku: 'T3', name: '芋泥波波', qty: 9, priceFen: 1500 }], { status: 'refunded', rev: 2, paidFen: 13_500, refundedAt: sh(`${DAY}T13:00:00`) }),
      order('o4', [{ sku: 'T4', name: '柠檬茶', qty: 9, priceFen: 1000 }], { status: 'cancelled', rev: 1 }),
    ];
    const products = [product('p1', '芒果', 3), product('p2', '椰果', 0), product('p3', '茶叶', 50), product('p4', '牛奶', 10, 10)];
    const { details } = buildDaily(input({ orders, products }));
    expect(details.topSellers).toEqual([
      { name: '杨枝甘露', qty: 3 },
      { name: '珍珠奶茶', qty: 2 },
    ]);
    expect(details.lowStock.map((p) => [p.name, p.stock])).toEqual([
      ['椰果', 0],
      ['芒果', 3],
      ['牛奶', 10],
    ]);
  });

  it('gives one rule-based sentence for tomorrow, the most pressing first', () => {
    const n = buildDaily(input()).numbers;
    const none = { unanswered: [], topSellers: [], topSellersOmitted: false, lowStock: [] };
    expect(advise({ ...n, waitingHuman: 3 }, { ...none, unanswered: [{ question: '能开发票吗', count: 2 }] })).toBe('明天一早先回复还在等的 3 位客户。');
    expect(advise(n, { ...none, unanswered: [{ question: '能开发票吗', count: 2 }] })).toBe('把「能开发票吗」教给 AI，客户再问它就会答了。');
    expect(advise(n, { ...none, lowStock: [{ name: '芒果', stock: 1, lowStockAt: 5 }] })).toBe('记得补货：芒果。');
    expect(advise({ ...n, aiAnswered: 6, aiHandoffs: 6, aiAnswerRate: 0.5 }, none)).toBe('AI 回答率只有 50%，去知识库补几条客户常问的问题。');
    // 123,450 against 150,000 a week before: down 18%, not yet 20%
    expect(advise(n, none)).toBe('一切顺利，明天照常就好。');
    expect(advise({ ...n, revenueFen: 100_000 }, none)).toBe('营业额比上周同一天少了 33%，可以给老客户发个优惠提醒。');
    expect(advise({ ...n, revenueFen: 0, hasOrders: false, consultations: 0 }, none)).toBe('这一天没有客户来问，可以把客服二维码放到门店和朋友圈里。');
  });
});

describe('daily report texts', () => {
  it('reads like an owner would say it: money in yuan, changes against the day before and last week', () => {
    const text = dailyText(view({ waitingHuman: 2 }));
    expect(text.split('\n')).toEqual([
      '【店小二】阿香奶茶 11月21日 周六 日报',
      '营业额 ¥1,234.50（比前一天多 12%，比上周六少 18%）',
      '订单 56 单，退款 1 单',
      '新客户 8 位（和前一天一样，比上周六多 100%）',
      '来咨询的客户 42 位，共 180 条消息（比前一天多 5%）',
      'AI 答了 150 个问题，转人工 10 个，回答率 94%',
      '平均第一次回复用了 9 秒',
      '还有 2 位客户在等人回复',
      '明天：明天一早先回复还在等的 2 位客户。',
    ]);
    expect(yuan(100)).toBe('¥1');
    expect(yuan(123_456_789)).toBe('¥1,234,567.89');
  });

  it('says where revenue comes from until the shop has any order, never ¥0 as if real', () => {
    const text = dailyText(view({ hasOrders: false, counters: { [DAY]: counters({ consultations: 3, customerMessages: 5 }) } }));
    expect(text).toContain(`营业额：${NO_ORDERS_TEXT}`);
    expect(text).not.toContain('¥');
    expect(text).not.toMatch(/订单 \d/);
    expect(dailyCard(view({ hasOrders: false }), 'https://x.example/r').description).toContain(NO_ORDERS_TEXT);
  });

  it('leaves revenue out for staff', () => {
    const staff = view({}, false);
    expect(dailyText(staff)).not.toContain('营业额');
    expect(dailyCard(staff, 'https://x.example/r').description).not.toContain('¥');
    expect(dailyMarkdown(staff, undefined)).not.toContain('营业额');
  });

  it("fits WeCom's limits: markdown ≤ 2048 bytes (lists go first), card title ≤ 128 and description ≤ 512 bytes", () => {
    const long = '这是一个非常非常长的问题，客户问了很多很多细节，关于配送范围、时间、包装和发票，'.repeat(2);
    const at = sh(`${DAY}T10:00:00`);
    const teach = Array.from({ length: 5 }, (_, i) => teachItem(`c${i}`, `${i}${long}`, at + i));
    const products = Array.from({ length: 5 }, (_, i) => product(`p${i}`, `一个名字很长很长的商品${i}号`, i));
    const orders = Array.from({ length: 5 }, (_, i) => order(`o${i}`, [{ sku: `s${i}`, name: `招牌特别推荐的超大杯鲜果茶加奶盖加珍珠第${i}款`, qty: 10 - i, priceFen: 1800 }]));
    const v = { ...view({ teach, products, orders, waitingHuman: 1 }), merchantName: '店'.repeat(60) };
    const md = dailyMarkdown(v, 'https://xiaoer.example.com/#/sub/report/index?merchant=shop&kind=daily&date=2026-11-21');
    expect(utf8Length(md)).toBeLessThanOrEqual(2048);
    expect(md).toContain('营业额');
    expect(md).toContain('[看完整报表](https://xiaoer.example.com/');
    // the lists went from the last (stock, then sellers) until it fitted; the questions stayed
    expect(md).not.toContain('库存不多了');
    expect(md).not.toContain('卖得最好');
    expect(md).toContain('AI 没答上来的问题');
    expect(dailyText(v)).toContain('卖得最好');
    const card = dailyCard(v, 'https://xiaoer.example.com/r');
    expect(utf8Length(card.title)).toBeLessThanOrEqual(128);
    expect(utf8Length(card.description)).toBeLessThanOrEqual(512);
    expect(card.description).toContain('<div class="highlight">营业额 ¥1,234.50');
    expect(card.description).toContain('还有 1 位客户在等人回复');
  });
});
