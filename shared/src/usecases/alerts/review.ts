import type { Merchant } from '../../domain/merchant';
import type { OrderEvent } from '../../domain/order-event';
import type { Deps } from '../../ports/deps';
import { reviewAlert } from './raise';
import { raiseAlert } from './store';

/**
 * A bad review that came with an order event (issue 12 §5): stored once per order, pushed by the
 * next alert run with the other alerts. Called for every delivery that carries a review — a
 * repeat, an older event or one that changes nothing else included — because the key makes it
 * once, and a review often arrives on an event that proves nothing new about the payment.
 * The customer's name comes from the order's matched customer, when there is one.
 */
export async function raiseReviewAlert(
  deps: Deps,
  merchant: Pick<Merchant, 'id' | 'timezone'>,
  ev: Pick<OrderEvent, 'orderNo' | 'placedAt' | 'review' | 'customer'>,
): Promise<boolean> {
  if (!reviewAlert(merchant, ev, null, 0)) return false;
  const stored = await deps.storage.orders.get(merchant.id, ev.orderNo);
  const ext = stored?.externalUserId ?? ev.customer.externalUserId;
  const customer = ext ? await deps.storage.customers.get(merchant.id, ext) : null;
  const alert = reviewAlert(merchant, { ...ev, placedAt: stored?.placedAt ?? ev.placedAt }, customer?.name || null, deps.clock.now());
  return alert ? raiseAlert(deps, merchant.id, alert) : false;
}
