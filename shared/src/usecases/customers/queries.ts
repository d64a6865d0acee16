import type { Message } from '../../domain/conversation';
import type { Customer } from '../../domain/customer';
import { notFound } from '../../domain/errors';
import type { Deps } from '../../ports/deps';
import type { CustomerQuery } from '../../ports/storage';

/** How a customer is called in lists and notices: their WeCom nickname, or 客户 when WeCom gave none. */
export async function customerName(deps: Pick<Deps, 'storage'>, merchantId: string, externalUserId: string): Promise<string> {
  return (await deps.storage.customers.get(merchantId, externalUserId))?.name || '客户';
}

/** Filtered and sorted as asked (most recently active first by default), with the count of every match; `q` may be a whole request: only the query goes to storage. */
export function listCustomers(deps: Deps, merchantId: string, q: CustomerQuery) {
  return deps.storage.customers.list(merchantId, { search: q.search, tag: q.tag, tags: q.tags, tagMode: q.tagMode, sort: q.sort, limit: q.limit, cursor: q.cursor });
}

/** One customer with the last messages of their kf conversation and their store's name. */
export async function getCustomer(deps: Deps, merchantId: string, externalUserId: string): Promise<{ customer: Customer; recentMessages: Message[]; storeName: string | null }> {
  const customer = await deps.storage.customers.get(merchantId, externalUserId);
  if (!customer) throw notFound('customer');
  const conv = await deps.storage.conversations.findByCustomer(merchantId, externalUserId, 'kf');
  const recentMessages = conv ? await deps.storage.messages.listByConversation(merchantId, conv.id, 10) : [];
  const storeName = customer.storeId ? ((await deps.storage.stores.list(merchantId)).find((s) => s.id === customer.storeId)?.name ?? null) : null;
  return { customer, recentMessages, storeName };
}
