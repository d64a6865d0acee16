import { AppError } from '../../domain/errors';
import type { Order } from '../../domain/commerce';
import type { Merchant } from '../../domain/merchant';
import type { OrderEvent } from '../../domain/order-event';
import type { Deps } from '../../ports/deps';
import { count } from '../reports/counters';
import { countsFor, mergeEvent, stockTakenBy, withFacts, withPending, type Outcome } from './facts';
import { takeOrderStock } from '../stock/stock';
import { orderAlerts } from '../alerts/raise';
import { raiseAlert } from '../alerts/store';
import { raiseReviewAlert } from '../alerts/review';
import { onOrderForCustomer } from '../tags/jobs';
import { onCampaignOrder } from '../campaigns/attribution';

/** A customer's orders read to recompute their totals; past this a customer is a wholesaler, not a shop's regular. */
export const MAX_ORDERS_PER_CUSTOMER = 5_000;
const MAX_TRIES = 8;

export interface IngestResult {
  orderNo: string;
  outcome: Outcome;
  /** The customer the order belongs to; null: unmatched (the owner can link it in the app). */
  customer: string | null;
}

/**
 * One order event, from the webhook or an import row group. Idempotent by (merchant, orderNo,
 * status, updatedAt): a repeat or an older event that proves nothing new writes nothing.
 *
 * Crash-safe without transactions: everything before the order's compare-and-set write is
 * idempotent and derived from the merged order — counters under deterministic event ids
 * (`order:<no>:paid`, `order:<no>:refund`), stock taken under the order's number, alerts under
 * keys of the order, the customer's totals recomputed from their orders —
 * so a delivery retried after a crash (or after losing a race to a concurrent delivery of the
 * same order) redoes them harmlessly, and the write is the commit point.
 */
export async function ingestOrderEvent(deps: Deps, merchant: Pick<Merchant, 'id' | 'timezone' | 'alerts'>, ev: OrderEvent, source: 'webhook' | 'import'): Promise<IngestResult> {
  // a bad review alerts once per order, whatever this event proves about the payment (a repeat included)
  if (ev.review) await raiseReviewAlert(deps, merchant, ev);
  // a customer whose totals this call wrote with a pending order: settled from storage before returning
  let touched: string | null = null;
  for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
    const stored = await deps.storage.orders.get(merchant.id, ev.orderNo);
    const merged = mergeEvent(stored && withFacts(stored), ev, merchant.id, source);
    if (merged.outcome === 'duplicate' || merged.outcome === 'older') {
      if (touched) await settleCustomer(deps, merchant.id, touched);
      return { orderNo: ev.orderNo, outcome: merged.outcome, customer: stored?.externalUserId ?? null };
    }
    let next = merged.next;
    if (!next.externalUserId) {
      const ext = await matchCustomer(deps, merchant.id, next.customerRef ?? {});
      if (ext) next = { ...next, externalUserId: ext };
    }
    await count(deps, merchant, countsFor(next, merged));
    // idempotent under the order's number, like the counters: a retry takes and alerts nothing twice
    await takeOrderStock(deps, merchant.id, next.id, stockTakenBy(next, merged));
    for (const a of orderAlerts(merchant, next, merged, deps.clock.now())) await raiseAlert(deps, merchant.id, a);
    if (next.externalUserId) {
      await refreshCustomer(deps, merchant.id, next.externalUserId, next);
      touched = next.externalUserId;
    }
    const rev = stored?.rev ?? 0;
    if (await deps.storage.orders.put({ ...next, rev: rev + 1 }, stored ? rev : null)) {
      if (touched) await settleCustomer(deps, merchant.id, touched);
      // the customer's tag rules on their new totals (a customer crosses into VIP now, not at night)
      if (touched) await onOrderForCustomer(deps, merchant.id, touched);
      // a campaign sent to them within 7 days gets the order (once per order, kv-marked)
      if (touched && merged.newPaid) await onCampaignOrder(deps, merchant.id, touched, { id: next.id, placedAt: next.placedAt, paidFen: next.paidFen ?? next.amountFen });
      return { orderNo: ev.orderNo, outcome: merged.outcome, customer: next.externalUserId ?? null };
    }
  }
  throw new AppError('CONFLICT.ORDER_BUSY', '这一单正在被同时更新，请稍后重发', 409);
}

/** Phone numbers as shops write them (`+86 138-1234-5678`) and as customers are stored (`13812345678`). */
export function phoneForms(phone: string): string[] {
  const digits = phone.replace(/\D/g, '');
  const forms = [phone.trim(), digits];
  if (digits.length === 13 && digits.startsWith('86')) forms.push(digits.slice(2));
  return [...new Set(forms.filter(Boolean))];
}

/** By external user id, else by phone; null: unmatched. */
export async function matchCustomer(deps: Deps, merchantId: string, ref: { externalUserId?: string; phone?: string }): Promise<string | null> {
  if (ref.externalUserId && (await deps.storage.customers.get(merchantId, ref.externalUserId))) return ref.externalUserId;
  if (ref.phone) {
    for (const p of phoneForms(ref.phone)) {
      const c = await deps.storage.customers.findByPhone(merchantId, p);
      if (c) return c.externalUserId;
    }
  }
  return null;
}

/**
 * Writes a customer's order totals recomputed from their stored orders, with `pending` (about to
 * be written) in place of its stored version: the same inputs give the same totals, so a retry
 * after a crash between this and the order's write changes nothing twice. The totals are worked
 * out by the storage (one query, not every order read). Returns the version of the orders the
 * totals came from and whether the totals changed (and were written).
 */
export async function refreshCustomer(deps: Deps, merchantId: string, externalUserId: string, pending?: Order): Promise<{ version: string; wrote: boolean }> {
  const { totals, version } = await deps.storage.orders.customerTotals(merchantId, externalUserId, {
    limit: MAX_ORDERS_PER_CUSTOMER,
    ...(pending ? { except: pending.id } : {}),
  });
  const customer = await deps.storage.customers.get(merchantId, externalUserId);
  if (!customer) return { version, wrote: false };
  const t = pending ? withPending(totals, pending) : totals;
  const same =
    customer.totalSpentFen === t.totalSpentFen &&
    customer.orderCount === t.orderCount &&
    customer.firstOrderAt === t.firstOrderAt &&
    customer.lastOrderAt === t.lastOrderAt &&
    (customer.categories ?? []).join('\u0000') === t.categories.join('\u0000');
  if (same) return { version, wrote: false };
  const { firstOrderAt: _f, lastOrderAt: _l, ...rest } = customer;
  await deps.storage.customers.upsert({
    ...rest,
    totalSpentFen: t.totalSpentFen,
    orderCount: t.orderCount,
    ...(t.firstOrderAt !== undefined ? { firstOrderAt: t.firstOrderAt } : {}),
    ...(t.lastOrderAt !== undefined ? { lastOrderAt: t.lastOrderAt } : {}),
    categories: t.categories,
    updatedAt: Math.max(customer.updatedAt, deps.clock.now()),
  });
  return { version, wrote: true };
}

/**
 * After an order's write: the customer's totals from storage alone, repeated while the orders
 * changed between reading them and writing their totals. Concurrent deliveries for one customer
 * each end with this, so the last totals written are of orders nobody changed since: correct.
 * (A round that writes nothing found the stored totals already right for what it read.)
 */
export async function settleCustomer(deps: Deps, merchantId: string, externalUserId: string): Promise<void> {
  for (let round = 0; round < MAX_TRIES; round++) {
    const { version, wrote } = await refreshCustomer(deps, merchantId, externalUserId);
    if (!wrote) return;
    const after = await deps.storage.orders.customerTotals(merchantId, externalUserId, { limit: MAX_ORDERS_PER_CUSTOMER });
    if (after.version === version) return;
  }
}
