import type { Conversation, Message } from '../../domain/conversation';
import type { Deps } from '../../ports/deps';
import { customerName } from '../customers/queries';
import { undeliveredConversations } from '../channel-wecom/undelivered';
import { describeKnowledge } from '../knowledge/labels';
import { getTeachItem } from '../knowledge/teach';
import { nameTeachItem, type NamedTeachItem } from '../knowledge/teach-queue';
import { requireConversation } from './require-conversation';
import { byLongestWait, waitOf, waitOfConversation, type WaitInfo } from './waiting';

/** A conversation as people see it: with the customer's name. */
export interface NamedConversation {
  conversation: Conversation;
  customerName: string;
  /** Messages of it that did not go out (没发出去), where the caller looked. */
  undelivered?: number;
  /** How long the customer has waited, where the caller looked (the 待人工 list, a thread). */
  wait?: WaitInfo;
}

/** The WeChat nickname; without one (WeCom gave none, or the fetch failed and is retried later) 顾客 and the id's last four. */
export async function named(deps: Deps, conversation: Conversation): Promise<NamedConversation> {
  const name = await customerName(deps, conversation.merchantId, conversation.externalUserId);
  return { conversation, customerName: name === '客户' ? `顾客${conversation.externalUserId.slice(-4)}` : name };
}

export async function getNamedConversation(deps: Deps, merchantId: string, conversationId: string): Promise<NamedConversation> {
  return named(deps, await requireConversation(deps, merchantId, conversationId));
}

const WAITING_MAX = 200;
/** Messages per page of a thread. */
export const THREAD_PAGE = 50;

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
  } else if (q.filter === 'waiting') {
    // the whole queue in one page, who has waited longest first (it is short: people work it down)
    const queue = await deps.storage.conversations.listWaitingSince(merchantId, Number.MAX_SAFE_INTEGER, WAITING_MAX);
    const rows = [];
    for (const c of queue) rows.push({ ...(await named(deps, c)), wait: await waitOfConversation(deps, c), undelivered: undelivered.get(c.id) ?? 0 });
    return { items: byLongestWait(rows), nextCursor: null };
  } else {
    const states = q.filter === 'ai' ? (['ai'] as const) : undefined;
    page = await deps.storage.conversations.list(merchantId, { states: states ? [...states] : undefined, limit: q.limit, cursor: q.cursor });
  }
  const items = [];
  for (const c of page.items) items.push({ ...(await named(deps, c)), undelivered: undelivered.get(c.id) ?? 0 });
  return { items, nextCursor: page.nextCursor };
}

/** A thread page's position: `<at>_<messageId>` of its oldest message (opaque to the app). */
const cursorOf = (m: Message) => `${m.at}_${m.id}`;
function parseCursor(cursor: string | undefined): { at: number; id: string } | undefined {
  const i = cursor ? cursor.indexOf('_') : -1;
  const at = i > 0 ? Number(cursor!.slice(0, i)) : NaN;
  return Number.isFinite(at) ? { at, id: cursor!.slice(i + 1) } : undefined;
}

/**
 * A thread: its newest messages (with `before`, the page older than that cursor), the cursor of
 * the page before (null at the start), what each knowledge id the AI used stands for, how long
 * the customer has waited, and its entry in the "AI 没答上来" queue (to teach from the thread).
 */
export async function getThread(
  deps: Deps,
  merchantId: string,
  conversationId: string,
  before?: string,
): Promise<NamedConversation & { messages: Message[]; olderCursor: string | null; knowledge: Record<string, string>; teach: NamedTeachItem | null }> {
  const conversation = await requireConversation(deps, merchantId, conversationId);
  const at = parseCursor(before);
  const page = await deps.storage.messages.listByConversation(merchantId, conversation.id, THREAD_PAGE + 1, at);
  const messages = page.length > THREAD_PAGE ? page.slice(1) : page;
  const olderCursor = page.length > THREAD_PAGE && messages[0] ? cursorOf(messages[0]) : null;
  const knowledge = await describeKnowledge(
    deps,
    merchantId,
    messages.flatMap((x) => x.answer?.knowledgeIds ?? []),
  );
  const item = await getTeachItem(deps, merchantId, conversation.id);
  return {
    ...(await named(deps, conversation)),
    // the wait is read from the newest page; an older page leaves it to the newest one
    ...(at ? {} : { wait: waitOf(messages) }),
    messages,
    olderCursor,
    knowledge,
    teach: item ? await nameTeachItem(deps, item) : null,
  };
}
