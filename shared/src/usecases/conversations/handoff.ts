import type { Conversation } from '../../domain/conversation';
import { changedTo, handOff } from '../../domain/conversation-state';
import type { Merchant } from '../../domain/merchant';
import { openState } from '../../domain/hours';
import { TEXTS, type WecomContext } from '../channel-wecom/context';
import { sendText, type SendOutcome } from '../channel-wecom/outbox';
import { recordUnanswered } from '../knowledge/teach';
import { count } from '../reports/counters';
import { queueHandoffNotice } from './handoff-notify';

/** Tells the customer a person will reply, then leaves the conversation in the 待人工 queue. */
export async function handoff(
  ctx: WecomContext,
  merchant: Merchant,
  conv: Conversation,
  source: string,
  questionAt: number,
  why: { reason: string; knowledgeIds: string[]; confidence: number; question?: string },
  replyTo?: string[],
): Promise<'done' | 'retry'> {
  const { deps } = ctx;
  const hours = openState(merchant.businessHours, merchant.timezone, deps.clock.now());
  const res: SendOutcome = await sendText(ctx, {
    merchant,
    conversation: conv,
    sender: 'ai',
    text: hours.open ? TEXTS.handoff : TEXTS.handoffClosed(hours.label),
    sourceId: source,
    answer: { knowledgeIds: why.knowledgeIds, confidence: why.confidence, handoff: true },
    replyTo,
  });
  if (res.status === 'retry') return 'retry';
  // the session is over (48 h): nobody can reply any more, so there is nothing to hand to a person
  if (res.status === 'blocked' && res.blocked === 'window') return 'done';
  const now = deps.clock.now();
  const fresh = (await deps.storage.conversations.get(merchant.id, conv.id)) ?? conv;
  const waiting = changedTo(handOff(fresh, now));
  if (waiting) await deps.storage.conversations.upsert(waiting);
  await count(deps, merchant, [{ name: 'aiHandoffs', at: questionAt, eventId: `ai:${source}` }]);
  if (why.question)
    await recordUnanswered(deps, {
      merchantId: merchant.id,
      conversationId: conv.id,
      externalUserId: conv.externalUserId,
      question: why.question,
      reason: why.reason,
      askedAt: questionAt,
    });
  const customerName = (await deps.storage.customers.get(merchant.id, conv.externalUserId))?.name || '客户';
  await queueHandoffNotice(
    { deps, wecom: ctx.wecom, appUrl: ctx.appUrl },
    merchant,
    conv,
    { customerName, question: why.question ?? '', reason: why.reason },
    source,
    hours.open ? now : hours.opensAt,
  );
  return 'done';
}
