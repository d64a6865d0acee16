import type { Message } from '../../domain/conversation';
import type { Customer } from '../../domain/customer';
import { notFound } from '../../domain/errors';
import type { Deps } from '../../ports/deps';
import type { CustomerQuery } from '../../ports/storage';

/** How a customer is called in lists and notices: their WeCom nickname, or 客户 when WeCom gave none. */
export async function customerName(deps: Pick<Deps, 'storage'>, merchantId: string, externalUserId: string): Promise<string> {
  return (await deps.storage.customers.get(merchantId, externalUserId))?.name || '客户';
}

/** Most recently active first; `q` may carry more than the query (a whole request): only the query goes to storage. */
export function listCustomers(deps: Deps, merchantId: string, q: CustomerQuery) {
  return deps.storage.customers.list(merchantId, { search: q.search, tag: q.tag, limit: q.limit, cursor: q.cursor });
}

/** One customer with the last messages of their kf conversation. */
export async function getCustomer(deps: Deps, merchantId: string, externalUserId: string): Promise<{ customer: Customer; recentMessages: Message[] }> {
  const customer = await deps.storage.customers.get(merchantId, externalUserId);
  if (!customer) throw notFound('customer');
  const conv = await deps.storage.conversations.findByCustomer(merchantId, externalUserId, 'kf');
  const recentMessages = conv ? await deps.storage.messages.listByConversation(merchantId, conv.id, 10) : [];
  return { customer, recentMessages };
}
