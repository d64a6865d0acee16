import type { Order } from '../../domain/commerce';
import { aiAnswerRate, zeroCounters, type Counters } from '../../domain/counters';
import type { Day } from '../../domain/ids';
import type { StoredProduct } from '../../domain/knowledge';
import type { Merchant } from '../../domain/merchant';
import { changeRatio } from '../../domain/report';
import type { TeachItem } from '../../domain/teach';
import { addDays, startOfDay } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { TEACH_LIST_LIMIT, TEACH_NS } from '../knowledge/teach';
import { isPaid, isRefunded, withFacts } from '../orders/facts';
import { hasOrders } from '../orders/link';

/**
 * The daily report (issue 12 §3): a pure function of the day's counters and a few bounded
 * reads, never a scan of messages. `loadDailyInput` does the reads, `buildDaily` the rest.
 */

/** The counters a report compares with the day before and the same weekday a week before. */
export const COMPARED = ['revenueFen', 'orders', 'newCustomers', 'consultations', 'customerMessages', 'aiAnswered', 'aiHandoffs', 'aiRejected'] as const;
export type ComparedName = (typeof COMPARED)[number];
export type DayTotals = Record<ComparedName, number>;

export interface DailyNumbers extends DayTotals {
  refunds: number;
  /** Mean time to the first reply (ms); null when nobody was answered first that day. */
  firstResponseAvgMs: number | null;
  /** aiAnswered / (aiAnswered + aiHandoffs); null without questions. */
  aiAnswerRate: number | null;
  /** Conversations waiting for a person when the report was built. */
  waitingHuman: number;
  /** False until the shop has any order: revenue is then "not connected", not ¥0. */
  hasOrders: boolean;
  dayBefore: DayTotals;
  weekBefore: DayTotals;
}

export interface DailyDetails {
  /** The day's questions the AI could not answer, most asked first (≤ 5). */
  unanswered: { question: string; count: number }[];
  /** Best sellers of the day by quantity (≤ 5), from paid, unrefunded orders. */
  topSellers: { name: string; qty: number }[];
  /**
   * The day had more orders than one bounded read takes (ORDERS_READ): no top sellers then, rather
   * than a ranking of some of them. Busy shops get theirs from per-product counters, when they exist.
   */
  topSellersOmitted: boolean;
  /** Products at or below their low-stock mark, fewest first (≤ 5). */
  lowStock: { name: string; stock: number; lowStockAt: number }[];
  /** One sentence: what to do tomorrow. */
  advice: string;
}

export interface DailyInput {
  day: Day;
  /** UTC ms bounds of the day in the shop's time zone. */
  from: number;
  to: number;
  /** Counters of `day`, `day - 1` and `day - 7` (missing days as zeros). */
  counters: Record<Day, Counters>;
  waitingHuman: number;
  teach: TeachItem[];
  orders: Order[];
  ordersOmitted: boolean;
  products: StoredProduct[];
  hasOrders: boolean;
}

/** Top sellers come from one read of the day's orders, up to this many (the day's order counter says how many there are). */
export const ORDERS_READ = 500;
const TOP = 5;

/**
 * The bounded reads behind a daily report: one counters range, one count, one page of the
 * teach queue, the product list, the day's orders when the counters say there are some and
 * not more than ORDERS_READ, and (only for a shop whose counters show no order that week) one
 * look for any order at all. Counters are daily totals; when hourly buckets arrive, a report
 * built before the day ends compares with the other days up to the same hour — that changes
 * the counters read here and nothing else.
 */
export async function loadDailyInput(deps: Deps, merchant: Pick<Merchant, 'id' | 'timezone'>, day: Day): Promise<DailyInput> {
  const s = deps.storage;
  const from = startOfDay(day, merchant.timezone);
  const to = startOfDay(addDays(day, 1), merchant.timezone);
  const [counters, waitingHuman, teach, products] = await Promise.all([
    s.counters.days(merchant.id, addDays(day, -7), day),
    s.conversations.countByState(merchant.id, 'waiting_human'),
    s.kv.list<TeachItem>(merchant.id, TEACH_NS, TEACH_LIST_LIMIT),
    s.knowledge.listProducts(merchant.id),
  ]);
  const placed = counters[day]?.orders ?? 0;
  const ordersOmitted = placed > ORDERS_READ;
  const orders = placed > 0 && !ordersOmitted ? await s.orders.listPlacedBetween(merchant.id, from, to, ORDERS_READ) : [];
  const seen = Object.values(counters).some((c) => c.orders > 0 || c.revenueFen !== 0);
  return {
    day,
    from,
    to,
    counters,
    waitingHuman,
    teach: teach.map((e) => e.value),
    orders,
    ordersOmitted,
    products,
    hasOrders: seen || (await hasOrders(deps, merchant.id)),
  };
}

const totals = (c: Counters): DayTotals => Object.fromEntries(COMPARED.map((n) => [n, c[n]])) as DayTotals;

export function buildDaily(input: DailyInput): { numbers: DailyNumbers; details: DailyDetails } {
  const c = input.counters[input.day] ?? zeroCounters();
  const numbers: DailyNumbers = {
    ...totals(c),
    refunds: c.refunds,
    firstResponseAvgMs: c.firstResponseCount > 0 ? Math.round(c.firstResponseMsSum / c.firstResponseCount) : null,
    aiAnswerRate: aiAnswerRate(c),
    waitingHuman: input.waitingHuman,
    hasOrders: input.hasOrders,
    dayBefore: totals(input.counters[addDays(input.day, -1)] ?? zeroCounters()),
    weekBefore: totals(input.counters[addDays(input.day, -7)] ?? zeroCounters()),
  };
  const lists = {
    unanswered: topUnanswered(input.teach, input.from, input.to),
    topSellers: topSellers(input.orders),
    topSellersOmitted: input.ordersOmitted,
    lowStock: lowStock(input.products),
  };
  return { numbers, details: { ...lists, advice: advise(numbers, lists) } };
}

/** The same question asked in different conversations, told apart from punctuation and case. */
const normalise = (q: string) =>
  q
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/[?？。.!！~～,，\s]+$/u, '')
    .toLowerCase();

export function topUnanswered(items: TeachItem[], from: number, to: number): DailyDetails['unanswered'] {
  const byQuestion = new Map<string, { question: string; count: number; last: number }>();
  for (const it of items) {
    if (it.askedAt < from || it.askedAt >= to) continue;
    const key = normalise(it.question);
    if (!key) continue;
    const cur = byQuestion.get(key) ?? { question: it.question.trim().slice(0, 60), count: 0, last: 0 };
    cur.count++;
    cur.last = Math.max(cur.last, it.askedAt);
    byQuestion.set(key, cur);
  }
  return [...byQuestion.values()]
    .sort((a, b) => b.count - a.count || b.last - a.last)
    .slice(0, TOP)
    .map(({ question, count }) => ({ question, count }));
}

export function topSellers(orders: Order[]): DailyDetails['topSellers'] {
  const bySku = new Map<string, { name: string; qty: number }>();
  for (const raw of orders) {
    const o = withFacts(raw);
    if (!isPaid(o) || isRefunded(o)) continue;
    for (const it of o.items) {
      const cur = bySku.get(it.sku) ?? { name: it.name, qty: 0 };
      cur.qty += it.qty;
      // sizes and options share a sku: the shortest name is the product's own (杨枝甘露, not 杨枝甘露（大杯）)
      if (it.name.length < cur.name.length) cur.name = it.name;
      bySku.set(it.sku, cur);
    }
  }
  return [...bySku.values()].sort((a, b) => b.qty - a.qty || a.name.localeCompare(b.name)).slice(0, TOP);
}

export function lowStock(products: StoredProduct[]): DailyDetails['lowStock'] {
  return products
    .filter((p) => p.stock <= (p.lowStockAt ?? 5))
    .sort((a, b) => a.stock - b.stock || a.name.localeCompare(b.name))
    .slice(0, TOP)
    .map((p) => ({ name: p.name, stock: p.stock, lowStockAt: p.lowStockAt ?? 5 }));
}

const percent = (r: number) => `${Math.round(Math.abs(r) * 100)}%`;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

/**
 * One sentence for tomorrow, by the first rule that applies: people waiting come first, then
 * what the AI should learn, stock, a weak AI answer rate, a sales drop, no customers at all.
 */
export function advise(n: DailyNumbers, d: Omit<DailyDetails, 'advice'>): string {
  if (n.waitingHuman > 0) return `明天一早先回复还在等的 ${n.waitingHuman} 位客户。`;
  if (d.unanswered.length) {
    const more = d.unanswered.length > 1 ? `等 ${d.unanswered.length} 个问题` : '';
    return `把「${clip(d.unanswered[0]!.question, 20)}」${more}教给 AI，客户再问它就会答了。`;
  }
  if (d.lowStock.length)
    return `记得补货：${d.lowStock
      .slice(0, 3)
      .map((p) => p.name)
      .join('、')}。`;
  const asked = n.aiAnswered + n.aiHandoffs;
  if (asked >= 10 && n.aiAnswerRate !== null && n.aiAnswerRate < 0.7) return `AI 回答率只有 ${percent(n.aiAnswerRate)}，去知识库补几条客户常问的问题。`;
  const wow = n.hasOrders ? changeRatio(n.revenueFen, n.weekBefore.revenueFen) : null;
  if (wow !== null && wow <= -0.2) return `营业额比上周同一天少了 ${percent(wow)}，可以给老客户发个优惠提醒。`;
  if (n.consultations === 0) return '这一天没有客户来问，可以把客服二维码放到门店和朋友圈里。';
  return '一切顺利，明天照常就好。';
}
