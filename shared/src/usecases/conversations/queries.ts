import type { Conversation, Message } from '../../domain/conversation';
import type { Deps } from '../../ports/deps';
import { customerName } from '../customers/queries';
import { undeliveredConversations } from '../channel-wecom/undelivered';
import { describeKnowledge } from '../knowledge/labels';
import { getTeachItem } from '../knowledge/teach';
import { nameTeachItem, type NamedTeachItem } from '../knowledge/teach-queue';
import { requireConversation } from './require-conversation';

/** A conversation as people see it: with the customer's name. */
export interface NamedConversation {
  conversation: Conversation;
  customerName: string;
  /** Messages of it that did not go out (没发出去), where the caller looked. */
  undelivered?: number;
}

export async function named(deps: Deps, conversation: Conversation): Promise<NamedConversation> {
  return { conversation, customerName: await customerName(deps, conversation.merchantId, conversation.externalUserId) };
}

export async function getNamedConversation(deps: Deps, merchantId: string, conversationId: string): Promise<NamedConversation> {
  return named(deps, await requireConversation(deps, merchantId, conversationId));
}

/**
 * The 会话 tab: most recently updated first, filtered to the 待人工 queue, to what the AI holds,
 * or to conversations with a message that did not go out (没发出去: one page, from the outbox's
 * index). Every row says how many of its messages did not go out.
 */
export async function listConversations(
  deps: Deps,
  merchantId: string,
  q: { filter: 'waiting' | 'ai' | 'all' | 'undelivered'; limit: number; cursor?: string },
): Promise<{ items: NamedConversation[]; nextCursor: string | null }> {
  const undelivered = await undeliveredConversations(deps, merchantId);
  let page: { items: Conversation[]; nextCursor: string | null };
  if (q.filter === 'undelivered') {
    const found = [];
    for (const id of undelivered.keys()) {
      const c = await deps.storage.conversations.get(merchantId, id);
      if (c) found.push(c);
    }
    page = { items: found.sort((a, b) => b.updatedAt - a.updatedAt).slice(0, q.limit), nextCursor: null };
  } else {
    const states = q.filter === 'waiting' ? (['waiting_human'] as const) : q.filter === 'ai' ? (['ai'] as const) : undefined;
    page = await deps.storage.conversations.list(merchantId, { states: states ? [...states] : undefined, limit: q.limit, cursor: q.cursor });
  }
  const items = [];
  for (const c of page.items) items.push({ ...(await named(deps, c)), undelivered: undelivered.get(c.id) ?? 0 });
  return { items, nextCursor: page.nextCursor };
}

/**
 * A thread: its last 100 messages, what each knowledge id the AI used stands for, and its entry
 * in the "AI 没答上来" queue (to teach from the thread).
 */
export async function getThread(
  deps: Deps,
  merchantId: string,
  conversationId: string,
): Promise<NamedConversation & { messages: Message[]; knowledge: Record<string, string>; teach: NamedTeachItem | null }> {
  const conversation = await requireConversation(deps, merchantId, conversationId);
  const messages = await deps.storage.messages.listByConversation(merchantId, conversation.id, 100);
  const knowledge = await describeKnowledge(
    deps,
    merchantId,
    messages.flatMap((x) => x.answer?.knowledgeIds ?? []),
  );
  const item = await getTeachItem(deps, merchantId, conversation.id);
  return {
    ...(await named(deps, conversation)),
    messages,
    knowledge,
    teach: item ? await nameTeachItem(deps, item) : null,
  };
}
