import type { Order, OrderStatus } from '../../domain/commerce';
import type { OrderEvent } from '../../domain/order-event';
import type { CustomerOrderTotals } from '../../ports/storage';

/**
 * What one order event does to the stored order, as a pure function (ingest.ts does the I/O).
 *
 * - The stored status follows the latest event by (updatedAt, then the status's place in the
 *   lifecycle for a tie), so the same set of events gives the same order in any arrival order.
 * - Facts only grow: `paid` is proven by paid, fulfilled or refunded (nothing is fulfilled or
 *   refunded without being paid); `refunded` by refunded. A cancelled event proves nothing, so an
 *   order cancelled before payment counts nothing, and a paid order gives money back only by a
 *   refund. An older event changes no status, but still counts a payment it proves if none was
 *   counted yet: totals depend on which events arrived, never on their order.
 */

const RANK: Record<OrderStatus, number> = { paid: 1, fulfilled: 2, cancelled: 3, refunded: 4 };
const PROVES_PAID: ReadonlySet<OrderStatus> = new Set(['paid', 'fulfilled', 'refunded']);

export type Outcome = 'created' | 'updated' | 'duplicate' | 'older';

export interface Merged {
  next: Order;
  outcome: Outcome;
  /** Facts this event added: each moves counters once. */
  newPaid: boolean;
  newRefund: boolean;
}

/**
 * Rows from before the order webhook (the demo seed) carry no facts and no rev; whoever wrote
 * them counted them by their status, so that status is read as the facts already counted.
 */
export function withFacts(o: Order): Order {
  if (o.rev !== undefined) return o;
  const paidFen = o.paidFen ?? (PROVES_PAID.has(o.status) ? o.amountFen : undefined);
  const refundedAt = o.refundedAt ?? (o.status === 'refunded' ? o.updatedAt : undefined);
  return { ...o, ...(paidFen !== undefined ? { paidFen } : {}), ...(refundedAt !== undefined ? { refundedAt } : {}) };
}

export const isPaid = (o: Order) => o.paidFen !== undefined;
export const isRefunded = (o: Order) => o.refundedAt !== undefined;

function newerThan(ev: OrderEvent, o: Order): boolean {
  return ev.updatedAt > o.updatedAt || (ev.updatedAt === o.updatedAt && RANK[ev.status] > RANK[o.status]);
}

/** `stored` must have gone through {@link withFacts}. */
export function mergeEvent(stored: Order | null, ev: OrderEvent, merchantId: string, source: 'webhook' | 'import'): Merged {
  const latest = !stored || newerThan(ev, stored);
  const base: Order = latest
    ? {
        id: ev.orderNo,
        merchantId,
        ...(ev.storeId ? { storeId: ev.storeId } : stored?.storeId ? { storeId: stored.storeId } : {}),
        ...(stored?.externalUserId ? { externalUserId: stored.externalUserId } : {}),
        amountFen: ev.amountFen,
        status: ev.status,
        items: ev.items.map((it) => ({ sku: it.sku, name: it.name, qty: it.qty, priceFen: it.priceFen, ...(it.category ? { category: it.category } : {}) })),
        // the day an order counts on is its placing day: kept from the first event so it never moves
        placedAt: stored?.placedAt ?? ev.placedAt,
        updatedAt: ev.updatedAt,
        customerRef: { ...stored?.customerRef, ...ev.customer },
        source: stored?.source ?? source,
        ...(stored?.paidFen !== undefined ? { paidFen: stored.paidFen } : {}),
        ...(stored?.refundedAt !== undefined ? { refundedAt: stored.refundedAt } : {}),
        ...(stored?.linked ? { linked: stored.linked } : {}),
        ...(stored?.rev !== undefined ? { rev: stored.rev } : {}),
      }
    : stored;
  const newPaid = !isPaid(base) && PROVES_PAID.has(ev.status);
  const newRefund = !isRefunded(base) && ev.status === 'refunded';
  const next: Order = {
    ...base,
    ...(newPaid ? { paidFen: ev.amountFen } : {}),
    ...(newRefund ? { refundedAt: ev.updatedAt } : {}),
  };
  const outcome: Outcome = !stored
    ? 'created'
    : latest || newPaid || newRefund
      ? 'updated'
      : ev.updatedAt === stored.updatedAt && ev.status === stored.status
        ? 'duplicate'
        : 'older';
  return { next, outcome, newPaid, newRefund };
}

/** The counter increments an order's new facts make, under ids that make each count once. */
export function countsFor(o: Order, m: Pick<Merged, 'newPaid' | 'newRefund'>) {
  const store = o.storeId ? { storeId: o.storeId } : {};
  const paidId = `order:${o.id}:paid`;
  const refundId = `order:${o.id}:refund`;
  const paid = m.newPaid
    ? [
        { name: 'orders' as const, at: o.placedAt, eventId: paidId, ...store },
        { name: 'revenueFen' as const, at: o.placedAt, eventId: paidId, amount: o.paidFen!, ...store },
      ]
    : [];
  const refund = m.newRefund
    ? [
        { name: 'refunds' as const, at: o.refundedAt!, eventId: refundId, ...store },
        { name: 'revenueFen' as const, at: o.refundedAt!, eventId: refundId, amount: -o.paidFen!, ...store },
      ]
    : [];
  return [...paid, ...refund];
}

/**
 * Stock is one more fact counted once: the items of an order are taken from stock when its
 * payment is first proven (a refund puts nothing back: the goods may be gone), under the order's
 * number, which the stock ledger remembers (usecases/stock/stock.ts).
 */
export function stockTakenBy(o: Order, m: Pick<Merged, 'newPaid'>): { sku: string; qty: number }[] {
  return m.newPaid ? o.items.map((it) => ({ sku: it.sku, qty: it.qty })) : [];
}

export type CustomerTotals = CustomerOrderTotals;

/**
 * A customer's numbers from their orders: spend and count over paid orders not refunded; first
 * and last order over every paid order (refunded too: they did come); categories of what they kept.
 * (The SQLite adapter works out the same in SQL: OrderRepo.customerTotals.)
 */
export function customerTotals(orders: Order[]): CustomerTotals {
  const out: CustomerTotals = { totalSpentFen: 0, orderCount: 0, categories: [] };
  const cats = new Set<string>();
  for (const raw of orders) {
    const o = withFacts(raw);
    if (!isPaid(o)) continue;
    out.firstOrderAt = Math.min(out.firstOrderAt ?? o.placedAt, o.placedAt);
    out.lastOrderAt = Math.max(out.lastOrderAt ?? o.placedAt, o.placedAt);
    if (isRefunded(o)) continue;
    out.totalSpentFen += o.paidFen!;
    out.orderCount++;
    for (const it of o.items) if (it.category) cats.add(it.category);
  }
  out.categories = [...cats].sort();
  return out;
}

/** `customerTotals` plus `pending`'s contribution: totals of stored orders without it, and it. */
export function withPending(stored: CustomerTotals, pending: Order): CustomerTotals {
  const p = customerTotals([pending]);
  if (p.firstOrderAt === undefined) return stored;
  const min = (a: number | undefined, b: number) => (a === undefined ? b : Math.min(a, b));
  const max = (a: number | undefined, b: number) => (a === undefined ? b : Math.max(a, b));
  return {
    totalSpentFen: stored.totalSpentFen + p.totalSpentFen,
    orderCount: stored.orderCount + p.orderCount,
    firstOrderAt: min(stored.firstOrderAt, p.firstOrderAt),
    lastOrderAt: max(stored.lastOrderAt, p.lastOrderAt!),
    categories: [...new Set([...stored.categories, ...p.categories])].sort(),
  };
}

/** The (order, rev) pairs of a list of orders, in one string: equal strings, unchanged orders. */
export const revsOf = (orders: Order[]) =>
  orders
    .map((o) => `${o.id}@${o.rev ?? 0}`)
    .sort()
    .join(',');
