import type { Conversation, Message } from '../../domain/conversation';
import type { Deps } from '../../ports/deps';

/** How long a customer has waited for the shop, read from the end of their thread. */
export interface WaitInfo {
  /** When the customer's oldest message nobody has answered yet was sent; null when the shop (or the AI) answered the last one. */
  waitFrom: number | null;
  /** A person from the shop wrote after the customer's last message (已回复). */
  replied: boolean;
  /** The customer's own last question (their newest text message). */
  lastQuestion: string | null;
  /** The newest message from a person of the shop (in the app or the WeCom client). */
  lastShopReplyAt: number | null;
}

const fromShop = (m: Message) => m.sender === 'staff' || m.sender === 'servicer';

/**
 * Walks back from the newest message: the customer's messages since the last answer are what
 * they wait on. A handoff notice ("稍等，马上请店员来") answers nothing, so the wait runs through
 * it; a person's reply or an AI answer ends it. Events and system lines are skipped.
 */
export function waitOf(messages: Message[]): WaitInfo {
  let waitFrom: number | null = null;
  let replied = false;
  let waiting = true;
  let lastQuestion: string | null = null;
  let lastShopReplyAt: number | null = null;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.type === 'event' || m.sender === 'system') continue;
    if (lastQuestion === null && m.sender === 'customer' && m.type === 'text') lastQuestion = m.text.slice(0, 200);
    if (lastShopReplyAt === null && fromShop(m)) lastShopReplyAt = m.at;
    if (!waiting) continue;
    if (m.sender === 'customer') waitFrom = m.at;
    else if (fromShop(m)) {
      replied = waitFrom === null;
      waiting = false;
    } else if (m.sender === 'ai' && !m.answer?.handoff) waiting = false;
  }
  return { waitFrom, replied, lastQuestion, lastShopReplyAt };
}

/** Enough of the thread's end to see who spoke last and what the customer asked. */
export const WAIT_WINDOW = 30;

export async function waitOfConversation(deps: Pick<Deps, 'storage'>, c: Conversation): Promise<WaitInfo> {
  return waitOf(await deps.storage.messages.listByConversation(c.merchantId, c.id, WAIT_WINDOW));
}

/**
 * The 待人工 queue, who has waited longest first: those still waiting by the customer's oldest
 * unanswered message, then those the shop has answered (已回复), most recently active first.
 */
export function byLongestWait<T extends { conversation: Conversation; wait: WaitInfo }>(rows: T[]): T[] {
  const from = (r: T) => r.wait.waitFrom ?? r.conversation.waitingSince ?? r.conversation.updatedAt;
  return [...rows].sort((a, b) => {
    if (a.wait.replied !== b.wait.replied) return a.wait.replied ? 1 : -1;
    return a.wait.replied ? b.conversation.updatedAt - a.conversation.updatedAt : from(a) - from(b);
  });
}
