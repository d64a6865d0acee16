import type { Conversation } from '../../domain/conversation';
import { changedTo, handOff } from '../../domain/conversation-state';
import type { Merchant } from '../../domain/merchant';
import { openState } from '../../domain/hours';
import { TEXTS, type WecomContext } from '../channel-wecom/context';
import { sendText, type SendOutcome } from '../channel-wecom/outbox';
import { recordUnanswered } from '../knowledge/teach';
import { handoffReply, partialReply } from '../answer/replies';
import { count } from '../reports/counters';
import { queueHandoffNotice } from './handoff-notify';
import { handoffReasonFor } from './handoff-reason';

/** Tells the customer a person will reply, then leaves the conversation in the 待人工 queue. */
export async function handoff(
  ctx: WecomContext,
  merchant: Merchant,
  conv: Conversation,
  source: string,
  questionAt: number,
  /** `partial`: a message with two requests, one answered (`knowledgeIds`), `part` left to a person. */
  why: { reason: string; knowledgeIds: string[]; confidence: number; question?: string; partial?: { answer: string; part: string } },
  replyTo?: string[],
): Promise<'done' | 'retry'> {
  const { deps } = ctx;
  const code = handoffReasonFor(why.reason, why.question);
  const hours = openState(merchant.businessHours, merchant.timezone, deps.clock.now());
  // the reply fits the reason the engine gave (for the learned signal, the one read from the message)
  const fit = why.reason === 'handoff:model' ? code : why.reason;
  const openNow = hours.open ? ({ open: true } as const) : { open: false as const, label: hours.label };
  const res: SendOutcome = await sendText(ctx, {
    merchant,
    conversation: conv,
    sender: 'ai',
    // an apology for a complaint or harm, "马上请店员来" for a person, else the general notice
    text: why.partial
      ? partialReply(why.partial.answer, why.partial.part, fit, openNow)
      : (handoffReply(fit, openNow) ?? (hours.open ? TEXTS.handoff : TEXTS.handoffClosed(hours.label))),
    sourceId: source,
    answer: { knowledgeIds: why.knowledgeIds, confidence: why.confidence, handoff: true, reason: code },
    replyTo,
  });
  if (res.status === 'retry') return 'retry';
  // the session is over (48 h): nobody can reply any more, so there is nothing to hand to a person
  if (res.status === 'blocked' && res.blocked === 'window') return 'done';
  const now = deps.clock.now();
  const fresh = (await deps.storage.conversations.get(merchant.id, conv.id)) ?? conv;
  // the reason goes with the move to 待人工; a conversation already waiting keeps the reason it went there with
  const waiting = changedTo(handOff(fresh, now));
  if (waiting) await deps.storage.conversations.upsert({ ...waiting, handoffReason: code, handoffAt: waiting.waitingSince ?? now });
  await count(deps, merchant, [{ name: 'aiHandoffs', at: questionAt, eventId: `ai:${source}` }]);
  if (why.question)
    await recordUnanswered(deps, {
      merchantId: merchant.id,
      conversationId: conv.id,
      externalUserId: conv.externalUserId,
      question: why.question,
      // the learned signal alone says only "a person"; the teach list groups by the kind the signals name
      reason: why.reason === 'handoff:model' ? `handoff:${code}` : why.reason,
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
