import type { Message } from '../../domain/conversation';
import type { Merchant } from '../../domain/merchant';
import { rulesOf } from '../../domain/answer-rules';
import type { AnswerDecision } from '../../ports/answerer';
import { checkReply } from '../answer/safety';
import { delivered, findRejections } from '../answer/rejection';
import { TEXTS, type WecomContext } from '../channel-wecom/context';
import { isText, messageIdFor, sentAt } from '../channel-wecom/kf-message';
import type { QueueItem } from '../channel-wecom/kf-queue';
import { sendText } from '../channel-wecom/outbox';
import { recordUnanswered } from '../knowledge/teach';
import { count } from '../reports/counters';
import { handoff } from './handoff';
import { isOptOut } from '../campaigns/attribution';

/** Non-text messages at the end of the thread, counting only the customer's own messages. */
function trailingNonText(history: Message[]): number {
  let n = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const m = history[i];
    if (m.sender !== 'customer') continue;
    if (m.type === 'text') break;
    n++;
  }
  return n;
}

/**
 * Decides and replies for one batch: the answer engine on the merged text; non-text only →
 * a polite ask to type, or a handoff after the second non-text message in a row. Only in `ai`.
 */
export async function answerAndReply(ctx: WecomContext, merchant: Merchant, externalUserId: string, batch: QueueItem[]): Promise<'done' | 'retry'> {
  const { deps } = ctx;
  const conv = await deps.storage.conversations.findByCustomer(merchant.id, externalUserId, 'kf');
  if (!conv || conv.state !== 'ai') return 'done'; // a person has it (or it ended): stored, not answered
  const last = batch[batch.length - 1];
  const source = last.msg.msgid;
  const questionAt = sentAt(last.msg) || last.seenAt;
  // the reply (or handoff notice) records every message of the batch it answers, not just the last
  const replyTo = batch.map((i) => messageIdFor(i.msg.msgid));
  const handOver = (why: Parameters<typeof handoff>[5]) => handoff(ctx, merchant, conv, source, questionAt, why, replyTo);
  const history = await deps.storage.messages.listByConversation(merchant.id, conv.id, 30);
  const text = batch
    .filter((i) => isText(i.msg))
    .map((i) => i.msg.text!.content.trim())
    .filter(Boolean)
    .join('\n');

  await countRejections(ctx, merchant, history, new Set(replyTo));

  if (!text) {
    if (trailingNonText(history) >= 2) return handOver({ reason: 'non_text', knowledgeIds: [], confidence: 0 });
    const res = await sendText(ctx, { merchant, conversation: conv, sender: 'ai', text: TEXTS.askForText, sourceId: source, replyTo });
    return res.status === 'retry' ? 'retry' : 'done';
  }

  // 退订 was recorded at ingest (campaigns/attribution.ts): the customer hears it took, not an answer engine's guess
  if (isOptOut(text)) {
    const res = await sendText(ctx, { merchant, conversation: conv, sender: 'ai', text: TEXTS.optedOut, sourceId: source, replyTo });
    return res.status === 'retry' ? 'retry' : 'done';
  }

  const rules = rulesOf(merchant);
  const who = await deps.storage.customers.get(merchant.id, externalUserId);
  const decision = await ctx.answerer.answer({
    merchantId: merchant.id,
    externalUserId,
    text,
    history,
    rules,
    shop: { name: merchant.name, persona: merchant.aiPersona },
    customer: who ? { name: who.name, tags: who.tags, orderCount: who.orderCount } : undefined,
    deadline: ctx.deadline,
  });
  const spend = costOf(decision);
  const confidence = Math.min(1, Math.max(0, Number.isFinite(decision.confidence) ? decision.confidence : 0));
  const unanswered = { merchantId: merchant.id, conversationId: conv.id, externalUserId, question: text, askedAt: questionAt };
  if (decision.handoff || !decision.reply?.trim()) {
    // two requests, one answered: the reply says both, and the 待人工 entry names the part left
    const part = decision.handoff && decision.partial ? checkReply(decision.partial.answer, rules.bannedWords) : undefined;
    if (part?.ok && decision.partial)
      return handOver({
        reason: decision.reason,
        knowledgeIds: decision.knowledgeIds,
        confidence,
        question: decision.partial.part,
        partial: { answer: part.text, part: decision.partial.part },
      });
    return handOver({ reason: decision.reason, knowledgeIds: decision.partial ? [] : decision.knowledgeIds, confidence, question: text });
  }
  if (decision.reason === 'chitchat') {
    // a greeting or thanks answered in kind: neither an answer nor a question left open (no `answer` on it)
    const res = await sendText(ctx, { merchant, conversation: conv, sender: 'ai', text: decision.reply, sourceId: source, replyTo });
    return res.status === 'retry' ? 'retry' : 'done';
  }
  const checked = checkReply(decision.reply, rules.bannedWords);
  if (!checked.ok) return handOver({ reason: checked.reason, knowledgeIds: decision.knowledgeIds, confidence, question: text });
  const answered = decision.knowledgeIds.length > 0;
  // a second question in a row the AI could not answer: a person takes over
  if (!answered && previousUnanswered(history)) {
    return handOver({ reason: 'unanswered_twice', knowledgeIds: [], confidence, question: text });
  }
  const res = await sendText(ctx, {
    merchant,
    conversation: conv,
    sender: 'ai',
    text: checked.text,
    sourceId: source,
    answer: { knowledgeIds: decision.knowledgeIds, confidence, handoff: false, ...spend, ...(decision.suggestedId ? { suggestedId: decision.suggestedId } : {}) },
    replyTo,
  });
  if (res.status === 'retry') return 'retry';
  const delivered = res.parts.some((p) => p.status === 'sent' || p.status === 'already_sent');
  if (!answered) {
    // a clarifying question: the customer got no answer yet, so it is one for the teach queue
    await recordUnanswered(deps, { ...unanswered, reason: decision.reason || 'clarify' });
    return 'done';
  }
  // answered = the customer got (at least the start of) the answer
  if (delivered) await count(deps, merchant, [{ name: 'aiAnswered', at: questionAt, eventId: `ai:${source}` }]);
  return 'done';
}

/**
 * A customer's "不是，我是问…" right after an AI answer: that answer moves from answered to
 * rejected, counted at the rejection's time (event-time counters), once per answer. Found with
 * the same rule `counters rebuild` uses (answer/rejection.ts).
 */
async function countRejections(ctx: WecomContext, merchant: Merchant, history: Message[], batch: Set<string>): Promise<void> {
  const found = findRejections(history).filter((r) => batch.has(r.rejection.id) && delivered(history, r.answer));
  await count(
    ctx.deps,
    merchant,
    found.flatMap((r) => [
      { name: 'aiAnswered' as const, at: r.rejection.at, eventId: `reject:${r.answer.id}`, amount: -1 },
      { name: 'aiRejected' as const, at: r.rejection.at, eventId: `reject:${r.answer.id}` },
    ]),
  );
}

/** Which engine answered and what the model call cost, kept on the reply (per-reply cost). */
function costOf(d: AnswerDecision & { engine?: string; costFen?: number }): { engine?: string; costFen?: number } {
  return { ...(d.engine ? { engine: d.engine } : {}), ...(d.costFen ? { costFen: d.costFen } : {}) };
}

/** Was the AI's last reply in this thread one without an answer (a clarifying question)? */
function previousUnanswered(history: Message[]): boolean {
  for (let i = history.length - 1; i >= 0; i--) {
    const m = history[i]!;
    if (m.sender === 'staff' || m.sender === 'servicer') return false;
    if (m.sender !== 'ai' || !m.answer) continue;
    return !m.answer.handoff && m.answer.knowledgeIds.length === 0;
  }
  return false;
}
