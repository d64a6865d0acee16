import type { Conversation } from '../../domain/conversation';
import { changedTo, resumeAiAfterSilence } from '../../domain/conversation-state';
import { DEFAULT_FOLLOW_UP, FollowUpSetting, resumedText } from '../../domain/conversation-state-follow-up';
import type { Merchant } from '../../domain/merchant';
import type { Deps } from '../../ports/deps';
import type { WecomContext } from '../channel-wecom/context';
import { queueHandoffNotice } from './handoff-notify';
import { waitOfConversation } from './waiting';

/**
 * The owner's choice for a customer who writes again while a person holds the conversation
 * (店铺设置 · 客户再发消息时): tell the shop again, or let the AI answer what it is sure of once
 * the shop has been quiet for N minutes. Applied at the customer's next message (ingest), before
 * the AI decides whether to answer, and by the scheduler's timer (resume-ai.ts) for a customer
 * who wrote while the shop was busy and then waited N minutes without writing again.
 */
const NS = 'conversation-settings';
const KEY = 'follow-up';
/** One renewed notice per conversation in this long, however many lines the customer sends. */
const RENOTIFY_MS = 2 * 60_000;

export async function getFollowUp(deps: Pick<Deps, 'storage'>, merchantId: string): Promise<FollowUpSetting> {
  const raw = (await deps.storage.kv.get(merchantId, NS, KEY))?.value;
  const parsed = FollowUpSetting.safeParse(raw);
  return parsed.success ? parsed.data : DEFAULT_FOLLOW_UP;
}

export async function setFollowUp(deps: Pick<Deps, 'storage' | 'clock'>, merchantId: string, next: FollowUpSetting): Promise<FollowUpSetting> {
  const value = FollowUpSetting.parse(next);
  for (let attempt = 0; attempt < 3; attempt++) {
    const cur = await deps.storage.kv.get(merchantId, NS, KEY);
    if (await deps.storage.kv.set(merchantId, NS, KEY, value, cur?.version ?? null, deps.clock.now())) return value;
  }
  return getFollowUp(deps, merchantId);
}

/**
 * A new customer message in a conversation a person holds: renew the notice, or hand the
 * conversation back to the AI (resumeAiAfterSilence) with a line in the thread saying why.
 * Returns the conversation as it now is.
 */
export async function followUpCustomerMessage(ctx: WecomContext, merchant: Merchant, conv: Conversation, msgid: string, question: string): Promise<Conversation> {
  if (conv.state !== 'waiting_human') return conv;
  const { deps } = ctx;
  const setting = await getFollowUp(deps, merchant.id);
  const now = deps.clock.now();
  if (setting.mode === 'ai_after') {
    const wait = await waitOfConversation(deps, conv);
    return (await resumeAi(deps, conv, setting.minutes, wait.lastShopReplyAt, msgid, now)) ?? conv;
  }
  const customerName = (await deps.storage.customers.get(merchant.id, conv.externalUserId))?.name || '客户';
  await queueHandoffNotice(
    { deps, wecom: ctx.wecom, appUrl: ctx.appUrl },
    merchant,
    conv,
    { customerName, question, reason: 'follow_up' },
    `again:${Math.floor(now / RENOTIFY_MS)}`,
    now,
  );
  return conv;
}

/**
 * resumeAiAfterSilence applied and stored, with the thread's line saying why (`resume:<msgid>`,
 * named after the customer message it resumed for, so a re-run stores the line once). Null when
 * the shop has not been quiet long enough. Shared by the customer's next message (above) and the
 * scheduler's timer (resume-ai.ts).
 */
export async function resumeAi(
  deps: Pick<Deps, 'storage'>,
  conv: Conversation,
  minutes: number,
  lastShopReplyAt: number | null,
  msgid: string,
  now: number,
): Promise<Conversation | null> {
  const resumed = changedTo(resumeAiAfterSilence(conv, now, { minutes, lastShopReplyAt: lastShopReplyAt ?? undefined }));
  if (!resumed) return null;
  await deps.storage.conversations.upsert(resumed);
  await deps.storage.messages.add({
    id: `resume:${msgid}`,
    merchantId: conv.merchantId,
    conversationId: conv.id,
    sender: 'system',
    at: now,
    type: 'event',
    event: 'ai_resumed',
    detail: { minutes, text: resumedText(minutes) },
  });
  return resumed;
}
