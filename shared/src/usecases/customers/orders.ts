import type { Order } from '../../domain/commerce';
import type { Customer } from '../../domain/customer';
import type { Deps } from '../../ports/deps';

/** How many orders the profile lists: one bounded read, enough to see what someone usually buys. */
export const CUSTOMER_RECENT_ORDERS = 20;
/** Lines named in an order's summary before it says 等N样. */
const SUMMARY_LINES = 3;

export interface CustomerOrders {
  /** Newest first. */
  recent: Order[];
  firstOrderAt: number | null;
  lastOrderAt: number | null;
  categories: string[];
}

/** 杨枝甘露×2、珍珠奶茶 — or 杨枝甘露、珍珠奶茶、芋泥波波等5样 for a long order. */
export function orderSummary(o: Order): string {
  const names = o.items.map((it) => (it.qty > 1 ? `${it.name}×${it.qty}` : it.name));
  if (names.length <= SUMMARY_LINES) return names.join('、');
  return `${names.slice(0, SUMMARY_LINES).join('、')}等${names.length}样`;
}

/**
 * The orders part of a customer's profile: the latest orders in one bounded read, and the totals
 * the order ingest keeps on the customer (first/last order, categories), so a customer with
 * hundreds of orders costs the same one read.
 */
export async function customerOrders(deps: Pick<Deps, 'storage'>, customer: Customer): Promise<CustomerOrders> {
  const recent = await deps.storage.orders.listByCustomer(customer.merchantId, customer.externalUserId, CUSTOMER_RECENT_ORDERS);
  return {
    recent,
    firstOrderAt: customer.firstOrderAt ?? null,
    lastOrderAt: customer.lastOrderAt ?? null,
    categories: customer.categories ?? [],
  };
}
