import { AppError } from '../../domain/errors';
import type { Order } from '../../domain/commerce';
import type { Deps } from '../../ports/deps';
import { recordAudit } from '../shop/audit';
import { requireMerchant } from '../shop/require-merchant';
import { withFacts } from './facts';
import { refreshCustomer, settleCustomer } from './ingest';

/** Unmatched orders (no customer found by external user id or phone), newest first, for the owner to link. */
export async function listUnmatchedOrders(deps: Deps, merchantId: string, limit: number): Promise<Order[]> {
  await requireMerchant(deps, merchantId);
  return deps.storage.orders.listUnmatched(merchantId, limit);
}

/**
 * Links an unmatched order to a customer the owner picked: the order gets the customer and the
 * customer's totals are recomputed with it. Counters do not move (they counted the order already).
 */
export async function linkOrder(deps: Deps, input: { merchantId: string; orderNo: string; externalUserId: string; actorId: string }): Promise<Order> {
  const { merchantId, orderNo, externalUserId } = input;
  await requireMerchant(deps, merchantId);
  if (!(await deps.storage.customers.get(merchantId, externalUserId))) throw new AppError('NOT_FOUND.CUSTOMER', '没找到这个客户', 404);
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await deps.storage.orders.get(merchantId, orderNo);
    if (!stored) throw new AppError('NOT_FOUND.ORDER', '没找到这一单', 404);
    if (stored.externalUserId === externalUserId) return stored;
    if (stored.externalUserId) throw new AppError('CONFLICT.ORDER_LINKED', '这一单已经属于另一位客户了', 409);
    const rev = stored.rev ?? 0;
    const next: Order = { ...withFacts(stored), externalUserId, linked: { by: input.actorId, at: deps.clock.now() }, rev: rev + 1 };
    await refreshCustomer(deps, merchantId, externalUserId, next);
    if (await deps.storage.orders.put(next, rev)) {
      await settleCustomer(deps, merchantId, externalUserId);
      await recordAudit(deps, { merchantId, actor: input.actorId, action: 'orders.link', target: orderNo, detail: { externalUserId } });
      return next;
    }
  }
  throw new AppError('CONFLICT.ORDER_BUSY', '这一单正在被同时更新，请稍后再试', 409);
}

/** Whether the shop has ever had an order (webhook, import or the demo seed): 今日 shows revenue only then. */
export async function hasOrders(deps: Deps, merchantId: string): Promise<boolean> {
  return (await deps.storage.orders.listPlacedBetween(merchantId, 0, Number.MAX_SAFE_INTEGER, 1)).length > 0;
}
