import type { Conversation, Message } from '../../domain/conversation';
import { initialState, openSession, sessionOver } from '../../domain/conversation-state';
import type { Merchant } from '../../domain/merchant';
import { rulesOf } from '../../domain/answer-rules';
import { dayOf } from '../../domain/time';
import { bannedWordsIn } from '../answer/safety';
import type { WecomContext } from '../channel-wecom/context';
import { ensureKfConversation, ensureKfCustomer } from '../channel-wecom/kf-customer';
import { customerOf, previewOf, sentAt, toMessage } from '../channel-wecom/kf-message';
import type { QueueItem } from '../channel-wecom/kf-queue';
import { resetSendBudget } from '../channel-wecom/outbox';
import { count } from '../reports/counters';
import { followUpCustomerMessage } from './follow-up';
import { onCustomerMessage } from '../tags/jobs';
import { onCampaignCustomerMessage } from '../campaigns/attribution';

/**
 * Origin 3: stores the customer's message (id from its msgid), creates or refreshes the customer
 * (first contact counts as new), opens a new session in `ai` when the previous one ended (closed,
 * or 48 h since the customer's last message), resets the send budget, and counts the message and
 * the day's consultation. Idempotent: a re-run stores and counts nothing twice.
 */
export async function ingestCustomerMessage(ctx: WecomContext, merchant: Merchant, item: QueueItem): Promise<Conversation> {
  const { deps } = ctx;
  const m = item.msg;
  const ext = customerOf(m);
  const at = sentAt(m) || item.seenAt;
  await ensureKfCustomer(ctx, merchant, ext, at, { messageAt: at });
  const conv = await ensureKfConversation(ctx, merchant.id, ext, m.open_kfid, initialState('ai', at));
  const message = flagBanned(
    await keepMedia(ctx, merchant.id, toMessage(m, { merchantId: merchant.id, conversationId: conv.id, sender: 'customer', at })),
    rulesOf(merchant).bannedWords,
  );
  await deps.storage.messages.add(message);
  // 退订 marks them; any message is a reply to the campaign they got last (before the tag rules, which read that)
  await onCampaignCustomerMessage(deps, merchant.id, ext, at, message.type === 'text' ? message.text : null);
  // keyword tag rules read the customer's recent texts; their rules run for this customer only
  await onCustomerMessage(deps, merchant.id, ext, message);

  const last = conv.lastCustomerMessageAt;
  const alreadyApplied = last !== undefined && at <= last && !sessionOver(conv, at);
  let next: Conversation = openSession(conv, at, deps.clock.now()).conversation;
  if (!alreadyApplied || next !== conv) {
    next = {
      ...next,
      kfAccountId: next.kfAccountId ?? m.open_kfid,
      lastCustomerMessageAt: Math.max(last ?? 0, at),
      lastMessagePreview: previewOf(message),
      updatedAt: deps.clock.now(),
    };
    await deps.storage.conversations.upsert(next);
    // a person holds it: the owner's setting says whether to tell them again or let the AI answer
    if (!alreadyApplied) next = await followUpCustomerMessage(ctx, merchant, next, m.msgid, message.type === 'text' ? message.text : '');
  }
  await resetSendBudget(deps, merchant.id, ext, m.msgid, at);
  await count(deps, merchant, [
    { name: 'customerMessages', at, eventId: `kf:msg:${m.msgid}` },
    { name: 'consultations', at, eventId: `consult:${dayOf(at, merchant.timezone)}:${ext}` },
  ]);
  return next;
}

/** Marks a customer message that contains banned words (shown to the owner; the AI still decides normally). */
function flagBanned(message: Message, extra: string[]): Message {
  if (message.type !== 'text') return message;
  const words = bannedWordsIn(message.text, extra);
  return words.length ? { ...message, flags: words.map((w) => `banned:${w}`) } : message;
}

/**
 * Copies a customer's image, voice, video or file out of WeCom (media/get) into our media
 * store while its media_id is still valid, and points the message at our copy. On failure the
 * media_id stays: the thread shows the message either way.
 */
async function keepMedia(ctx: WecomContext, merchantId: string, message: Message): Promise<Message> {
  if (!ctx.media || !('mediaRef' in message) || !message.mediaRef || message.mediaRef.startsWith('media:')) return message;
  try {
    const file = await ctx.wecom.mediaGet(merchantId, 'kf', message.mediaRef);
    const ref = await ctx.media.save(merchantId, file);
    return { ...message, mediaRef: ref, mime: file.contentType, ...(message.type === 'file' && file.fileName ? { fileName: file.fileName } : {}) };
  } catch {
    return message;
  }
}
