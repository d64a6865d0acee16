import type { Order } from '../../domain/commerce';
import { aiAnswerRate, zeroCounters, type Counters } from '../../domain/counters';
import type { Customer } from '../../domain/customer';
import type { Day } from '../../domain/ids';
import type { StoredProduct } from '../../domain/knowledge';
import type { Merchant } from '../../domain/merchant';
import { addDays, startOfDay } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { isPaid, isRefunded, withFacts } from '../orders/facts';
import { hasOrders } from '../orders/link';
import { COMPARED, type DayTotals } from './daily';

/**
 * What the weekly and monthly reports share: a period's counters summed, its orders read once
 * (bounded), and who bought — new or returning — from the buyers' stored customers (bounded).
 * Never a scan of messages or of all orders.
 */

/** One read of the period's orders takes at most this many; more, and the seller and buyer figures are left out. */
export const PERIOD_ORDERS_READ = 2000;
/** Buyers looked up for new-vs-returning; more, and those figures are left out rather than guessed. */
export const BUYERS_READ = 300;

export interface PeriodInput {
  /** First and last day of the period (inclusive). */
  first: Day;
  last: Day;
  from: number;
  to: number;
  /** Counters of the period and of the one before it (same length), missing days absent. */
  counters: Record<Day, Counters>;
  orders: Order[];
  ordersOmitted: boolean;
  /** The period's buyers' customers, by external user id; null when there were more than BUYERS_READ. */
  customers: Map<string, Customer> | null;
  products: StoredProduct[];
  hasOrders: boolean;
}

export interface BuyerStats {
  /** Distinct matched customers with a paid, unrefunded order in the period. */
  buyers: number;
  /** Buyers whose first order ever is in the period. */
  newBuyers: number;
  /** Buyers who had ordered before the period. */
  returningBuyers: number;
  /**
   * (buyers who had ordered before the period, or ordered 2+ times in it) / buyers; null without
   * buyers. Unmatched orders have no customer and are left out.
   */
  repurchaseRate: number | null;
}

export const days = (first: Day, n: number): Day[] => Array.from({ length: n }, (_, i) => addDays(first, i));

export function sumTotals(
  counters: Record<Day, Counters>,
  list: Day[],
): DayTotals & { firstResponseMsSum: number; firstResponseCount: number; lostCustomers: number; refunds: number } {
  const sum = { ...zeroCounters() };
  for (const d of list) {
    const c = counters[d];
    if (!c) continue;
    for (const k of Object.keys(sum) as (keyof Counters)[]) sum[k] += c[k];
  }
  const totals = Object.fromEntries(COMPARED.map((n) => [n, sum[n]])) as DayTotals;
  return { ...totals, firstResponseMsSum: sum.firstResponseMsSum, firstResponseCount: sum.firstResponseCount, lostCustomers: sum.lostCustomers, refunds: sum.refunds };
}

/** aiAnswered / (aiAnswered + aiHandoffs); null without questions. */
/** Answered and not rejected, over all asked of the AI (domain/counters.ts); reports stored before rejections counted have none. */
export const answerRate = (t: Pick<DayTotals, 'aiAnswered' | 'aiHandoffs'> & { aiRejected?: number }) => aiAnswerRate({ ...t, aiRejected: t.aiRejected ?? 0 });

const counted = (orders: Order[]) => orders.map(withFacts).filter((o) => isPaid(o) && !isRefunded(o));

/** New and returning buyers and the repurchase rate (formula on BuyerStats); null when left out. */
export function buyerStats(orders: Order[], customers: Map<string, Customer> | null, from: number): BuyerStats | null {
  if (!customers) return null;
  const perBuyer = new Map<string, number>();
  for (const o of counted(orders)) if (o.externalUserId) perBuyer.set(o.externalUserId, (perBuyer.get(o.externalUserId) ?? 0) + 1);
  let returning = 0;
  let repeat = 0;
  for (const [id, n] of perBuyer) {
    const first = customers.get(id)?.firstOrderAt;
    const before = first !== undefined && first < from;
    if (before) returning++;
    if (before || n >= 2) repeat++;
  }
  const buyers = perBuyer.size;
  return { buyers, newBuyers: buyers - returning, returningBuyers: returning, repurchaseRate: buyers ? repeat / buyers : null };
}

/** Quantity sold per product (by sku) in paid, unrefunded orders; the shortest name is the product's own. */
export function soldBySku(orders: Order[]): Map<string, { name: string; qty: number }> {
  const bySku = new Map<string, { name: string; qty: number }>();
  for (const o of counted(orders))
    for (const it of o.items) {
      const cur = bySku.get(it.sku) ?? { name: it.name, qty: 0 };
      cur.qty += it.qty;
      if (it.name.length < cur.name.length) cur.name = it.name;
      bySku.set(it.sku, cur);
    }
  return bySku;
}

/**
 * Slow sellers: the shop's listed products that sold least in the period (none first), those
 * out of stock left out (they could not sell). Without a product list there are none.
 */
export function slowSellers(products: StoredProduct[], sold: Map<string, { qty: number }>, n: number): { name: string; qty: number }[] {
  return products
    .filter((p) => p.stock > 0)
    .map((p) => ({ name: p.name, qty: sold.get(p.sku)?.qty ?? 0 }))
    .sort((a, b) => a.qty - b.qty || a.name.localeCompare(b.name))
    .slice(0, n);
}

/**
 * The bounded reads of a period report: one counters range (the period and the one before),
 * the product list, one page of the period's orders (skipped when the counters say none or more
 * than PERIOD_ORDERS_READ), and the buyers' customers (at most BUYERS_READ gets, in parallel).
 */
export async function loadPeriodInput(deps: Deps, merchant: Pick<Merchant, 'id' | 'timezone'>, first: Day, last: Day, before: Day): Promise<PeriodInput> {
  const s = deps.storage;
  const from = startOfDay(first, merchant.timezone);
  const to = startOfDay(addDays(last, 1), merchant.timezone);
  const [counters, products] = await Promise.all([s.counters.days(merchant.id, before, last), s.knowledge.listProducts(merchant.id)]);
  const placed = Object.entries(counters)
    .filter(([d]) => d >= first)
    .reduce((n, [, c]) => n + c.orders, 0);
  const ordersOmitted = placed > PERIOD_ORDERS_READ;
  const orders = placed > 0 && !ordersOmitted ? await s.orders.listPlacedBetween(merchant.id, from, to, PERIOD_ORDERS_READ) : [];
  const buyerIds = [...new Set(counted(orders).flatMap((o) => (o.externalUserId ? [o.externalUserId] : [])))];
  let customers: Map<string, Customer> | null = null;
  if (!ordersOmitted && buyerIds.length <= BUYERS_READ) {
    const found = await Promise.all(buyerIds.map((id) => s.customers.get(merchant.id, id)));
    customers = new Map(found.flatMap((c) => (c ? [[c.externalUserId, c] as const] : [])));
  }
  const seen = Object.values(counters).some((c) => c.orders > 0 || c.revenueFen !== 0);
  return { first, last, from, to, counters, orders, ordersOmitted, customers, products, hasOrders: seen || (await hasOrders(deps, merchant.id)) };
}
