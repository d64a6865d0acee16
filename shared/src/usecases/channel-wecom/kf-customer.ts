import type { Conversation } from '../../domain/conversation';
import type { Customer } from '../../domain/customer';
import type { Merchant } from '../../domain/merchant';
import type { WecomContext } from './context';
import { count } from '../reports/counters';
import { kfConversationId } from './kf-message';

/**
 * The customer behind a kf external_userid, created on first contact (nickname from
 * kf/customer/batchget when WeCom gives it) and counted once as a new customer.
 */
export async function ensureKfCustomer(
  ctx: WecomContext,
  merchant: Merchant,
  externalUserId: string,
  at: number,
  opts: { messageAt?: number; sourceState?: string } = {},
): Promise<{ customer: Customer; created: boolean }> {
  const { deps } = ctx;
  const now = deps.clock.now();
  const existing = await deps.storage.customers.get(merchant.id, externalUserId);
  if (existing) {
    const lastMessageAt = opts.messageAt !== undefined ? Math.max(existing.lastMessageAt ?? 0, opts.messageAt) : existing.lastMessageAt;
    // the nickname fetch failed when they first wrote: asked again, at most every few minutes
    const named = !existing.name && now - existing.updatedAt >= NICKNAME_RETRY_MS ? await fetchNickname(ctx, merchant.id, externalUserId) : null;
    if (lastMessageAt === existing.lastMessageAt && !named?.name) return { customer: existing, created: false };
    const customer: Customer = { ...existing, ...(named?.name ? { name: named.name } : {}), lastMessageAt, updatedAt: now };
    await deps.storage.customers.upsert(customer);
    return { customer, created: false };
  }
  const { name, avatar } = (await fetchNickname(ctx, merchant.id, externalUserId)) ?? { name: '' };
  // counted before the write: the event id makes a re-run harmless, a crash in between loses nothing
  await count(deps, merchant, [{ name: 'newCustomers', at, eventId: `new:${externalUserId}` }]);
  const customer: Customer = {
    merchantId: merchant.id,
    externalUserId,
    name,
    ...(avatar ? { avatar } : {}),
    source: 'kf',
    ...(opts.sourceState ? { sourceState: opts.sourceState.slice(0, 128) } : {}),
    tags: [],
    totalSpentFen: 0,
    orderCount: 0,
    ...(opts.messageAt !== undefined ? { lastMessageAt: opts.messageAt } : {}),
    lost: false,
    createdAt: at,
    updatedAt: now,
  };
  await deps.storage.customers.upsert(customer);
  return { customer, created: true };
}

const NICKNAME_RETRY_MS = 10 * 60_000;

/** The customer's WeChat nickname (kf/customer/batchget); null when WeCom did not answer. */
async function fetchNickname(ctx: WecomContext, merchantId: string, externalUserId: string): Promise<{ name: string; avatar?: string } | null> {
  try {
    const res = await ctx.wecom.kfCustomerBatchGet(merchantId, { external_userid_list: [externalUserId] });
    const found = res.customer_list.find((c) => c.external_userid === externalUserId);
    if (!found) return { name: '' };
    return {
      name: Array.from(found.nickname ?? '')
        .slice(0, 60)
        .join(''),
      avatar: found.avatar || undefined,
    };
  } catch {
    // the nickname is a nicety: a customer without a name is still a customer (named later)
    return null;
  }
}

/** The customer's one kf conversation, created (in `state`) when there is none yet. */
export async function ensureKfConversation(
  ctx: WecomContext,
  merchantId: string,
  externalUserId: string,
  openKfId: string,
  init: Pick<Conversation, 'state'> & Partial<Conversation>,
): Promise<Conversation> {
  const { deps } = ctx;
  const existing = await deps.storage.conversations.findByCustomer(merchantId, externalUserId, 'kf');
  if (existing) return existing;
  const now = deps.clock.now();
  const conv: Conversation = {
    id: kfConversationId(externalUserId),
    merchantId,
    externalUserId,
    channel: 'kf',
    kfAccountId: openKfId,
    missed: false,
    lastMessagePreview: '',
    updatedAt: now,
    createdAt: now,
    ...init,
  };
  await deps.storage.conversations.upsert(conv);
  return conv;
}
