import type { Conversation, Message } from '../../domain/conversation';
import type { Merchant } from '../../domain/merchant';
import { rulesOf } from '../../domain/answer-rules';
import { openState } from '../../domain/hours';
import { dayOf } from '../../domain/time';
import { bannedWordsIn, checkReply } from '../answer/safety';
import { recordUnanswered } from '../knowledge/teach';
import { queueHandoffNotice } from '../conversations/handoff-notify';
import type { AnswerDecision } from '../../ports/answerer';
import type { KfMessage } from '../../ports/wecom';
import { SESSION_WINDOW_MS, TEXTS, optionsOf, requireMerchant, type WecomContext } from './context';
import { count } from '../reports/counters';
import { applyKfEvent, applyServicerMessage } from './kf-events';
import { ensureKfConversation, ensureKfCustomer } from './kf-customer';
import { isText, previewOf, sentAt, toMessage } from './kf-message';
import { markDone, readQueue, updateQueued, type QueueItem } from './kf-queue';
import { leaseRemainingMs, tryAcquireLease } from './lease';
import { resetSendBudget, sendText, type SendOutcome } from './outbox';

/** A batch whose answer failed retryably this often is dropped (the messages stay stored). */
export const MAX_ANSWER_ATTEMPTS = 5;
const RETRY_MS = 5_000;

export type DrainResult =
  | { status: 'done'; processed: number }
  | { status: 'deferred'; reason: 'fragments' | 'busy' | 'retry'; retryInMs: number; processed: number };

const customerOf = (m: KfMessage) => m.external_userid || m.event?.external_userid || '';

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
  const conv = await ensureKfConversation(ctx, merchant.id, ext, m.open_kfid, { state: 'ai', wecomState: 1, sessionStartedAt: at });
  const message = flagBanned(
    await keepMedia(ctx, merchant.id, toMessage(m, { merchantId: merchant.id, conversationId: conv.id, sender: 'customer', at })),
    rulesOf(merchant).bannedWords,
  );
  await deps.storage.messages.add(message);

  const last = conv.lastCustomerMessageAt;
  const ended = conv.state === 'closed' || (last !== undefined && at - last > SESSION_WINDOW_MS);
  const alreadyApplied = last !== undefined && at <= last && !ended;
  let next: Conversation = conv;
  if (ended && (last === undefined || at > last)) {
    next = { ...conv, state: 'ai', wecomState: 1, sessionStartedAt: at, waitingSince: undefined, missed: false };
  } else if (conv.sessionStartedAt === undefined) {
    next = { ...conv, sessionStartedAt: at };
  }
  if (!alreadyApplied || next !== conv) {
    next = {
      ...next,
      kfAccountId: next.kfAccountId ?? m.open_kfid,
      lastCustomerMessageAt: Math.max(last ?? 0, at),
      lastMessagePreview: previewOf(message),
      updatedAt: deps.clock.now(),
    };
    await deps.storage.conversations.upsert(next);
  }
  await resetSendBudget(deps, merchant.id, ext, m.msgid, at);
  await count(deps, merchant, [
    { name: 'customerMessages', at, eventId: `kf:msg:${m.msgid}` },
    { name: 'consultations', at, eventId: `consult:${dayOf(at, merchant.timezone)}:${ext}` },
  ]);
  return next;
}

/**
 * Works through a customer's queue under their lease, in order: stores every new item (customer
 * messages, servicer replies, session events), then answers the customer's pending messages as
 * one question once the newest is older than the fragment window. Returns `deferred` with when
 * to come back (fragments still arriving, another worker busy, a retryable send failure); the
 * caller re-runs then (the inbox entry stays pending, the sweep is the backstop).
 */
export async function drainCustomer(ctx: WecomContext, merchantId: string, externalUserId: string): Promise<DrainResult> {
  const { deps } = ctx;
  const opts = optionsOf(ctx);
  let processed = 0;
  for (let round = 0; round < 5; round++) {
    const lease = await tryAcquireLease(deps, merchantId, externalUserId, opts.leaseMs);
    if (!lease) {
      const left = await leaseRemainingMs(deps, merchantId, externalUserId);
      return { status: 'deferred', reason: 'busy', retryInMs: Math.min(Math.max(left, 500), opts.leaseMs), processed };
    }
    let result: DrainResult;
    try {
      result = await drainUnderLease(ctx, merchantId, externalUserId);
    } finally {
      await lease.release();
    }
    processed += result.processed;
    if (result.status === 'deferred') return { ...result, processed };
    // items appended while we held the lease by a worker that found it busy: take them too
    if (!(await readQueue(deps, merchantId, externalUserId)).length) return { status: 'done', processed };
  }
  return { status: 'deferred', reason: 'busy', retryInMs: 1_000, processed };
}

async function drainUnderLease(ctx: WecomContext, merchantId: string, externalUserId: string): Promise<DrainResult> {
  const { deps } = ctx;
  const opts = optionsOf(ctx);
  const merchant = await requireMerchant(ctx, merchantId);
  let processed = 0;
  const items = await readQueue(deps, merchantId, externalUserId);

  // 1. store / apply everything new, in order
  const storedIds: string[] = [];
  const finished: string[] = [];
  for (const item of items) {
    if (item.stored) continue;
    const m = item.msg;
    if (m.origin === 3) {
      await ingestCustomerMessage(ctx, merchant, item);
      storedIds.push(m.msgid);
    } else {
      if (m.origin === 5) await applyServicerMessage(ctx, merchant, m);
      else await applyKfEvent(ctx, merchant, m);
      finished.push(m.msgid);
    }
  }
  processed += finished.length;
  await updateQueued(deps, merchantId, externalUserId, [...storedIds, ...finished], (i) => (i.msg.origin === 3 ? { ...i, stored: true } : null));
  await markDone(deps, merchantId, finished);

  // 2. answer the customer's pending messages together, once they stopped typing
  const pending = items.filter((i) => i.msg.origin === 3);
  if (!pending.length) return { status: 'done', processed };
  // when the customer last typed: WeCom's send time, or when we saw it if that is earlier (skew)
  const newest = Math.max(...pending.map((i) => Math.min(i.seenAt, sentAt(i.msg) || i.seenAt)));
  const quiet = deps.clock.now() - newest;
  if (quiet < opts.fragmentWindowMs) return { status: 'deferred', reason: 'fragments', retryInMs: opts.fragmentWindowMs - quiet, processed };

  const outcome = await answerBatch(ctx, merchant, externalUserId, pending);
  const ids = pending.map((i) => i.msg.msgid);
  if (outcome === 'retry') {
    const attempts = Math.max(...pending.map((i) => i.attempts ?? 0)) + 1;
    if (attempts < MAX_ANSWER_ATTEMPTS) {
      await updateQueued(deps, merchantId, externalUserId, ids, (i) => ({ ...i, attempts }));
      return { status: 'deferred', reason: 'retry', retryInMs: RETRY_MS, processed };
    }
  }
  await updateQueued(deps, merchantId, externalUserId, ids, () => null);
  await markDone(deps, merchantId, ids);
  return { status: 'done', processed: processed + pending.length };
}

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
async function answerBatch(ctx: WecomContext, merchant: Merchant, externalUserId: string, batch: QueueItem[]): Promise<'done' | 'retry'> {
  const { deps } = ctx;
  const conv = await deps.storage.conversations.findByCustomer(merchant.id, externalUserId, 'kf');
  if (!conv || conv.state !== 'ai') return 'done'; // a person has it (or it ended): stored, not answered
  const last = batch[batch.length - 1];
  const source = last.msg.msgid;
  const questionAt = sentAt(last.msg) || last.seenAt;
  const history = await deps.storage.messages.listByConversation(merchant.id, conv.id, 30);
  const text = batch
    .filter((i) => isText(i.msg))
    .map((i) => i.msg.text!.content.trim())
    .filter(Boolean)
    .join('\n');

  if (!text) {
    if (trailingNonText(history) >= 2) return handoff(ctx, merchant, conv, source, questionAt, { reason: 'non_text', knowledgeIds: [], confidence: 0 });
    const res = await sendText(ctx, { merchant, conversation: conv, sender: 'ai', text: TEXTS.askForText, sourceId: source });
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
    return handoff(ctx, merchant, conv, source, questionAt, { reason: decision.reason, knowledgeIds: decision.knowledgeIds, confidence, question: text });
  }
  const checked = checkReply(decision.reply, rules.bannedWords);
  if (!checked.ok) return handoff(ctx, merchant, conv, source, questionAt, { reason: checked.reason, knowledgeIds: decision.knowledgeIds, confidence, question: text });
  const answered = decision.knowledgeIds.length > 0;
  // a second question in a row the AI could not answer: a person takes over
  if (!answered && previousUnanswered(history)) {
    return handoff(ctx, merchant, conv, source, questionAt, { reason: 'unanswered_twice', knowledgeIds: [], confidence, question: text });
  }
  const res = await sendText(ctx, {
    merchant,
    conversation: conv,
    sender: 'ai',
    text: checked.text,
    sourceId: source,
    answer: { knowledgeIds: decision.knowledgeIds, confidence, handoff: false, ...spend, ...(decision.suggestedId ? { suggestedId: decision.suggestedId } : {}) },
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

/** Marks a customer message that contains banned words (shown to the owner; the AI still decides normally). */
function flagBanned(message: Message, extra: string[]): Message {
  if (message.type !== 'text') return message;
  const words = bannedWordsIn(message.text, extra);
  return words.length ? { ...message, flags: words.map((w) => `banned:${w}`) } : message;
}

/** Tells the customer a person will reply, then leaves the conversation in the 待人工 queue. */
async function handoff(
  ctx: WecomContext,
  merchant: Merchant,
  conv: Conversation,
  source: string,
  questionAt: number,
  why: { reason: string; knowledgeIds: string[]; confidence: number; question?: string },
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
  });
  if (res.status === 'retry') return 'retry';
  // the session is over (48 h): nobody can reply any more, so there is nothing to hand to a person
  if (res.status === 'blocked' && res.blocked === 'window') return 'done';
  const now = deps.clock.now();
  const fresh = (await deps.storage.conversations.get(merchant.id, conv.id)) ?? conv;
  if (fresh.state === 'ai') await deps.storage.conversations.upsert({ ...fresh, state: 'waiting_human', waitingSince: now, updatedAt: now });
  await count(deps, merchant, [{ name: 'aiHandoffs', at: questionAt, eventId: `ai:${source}` }]);
  if (why.question) await recordUnanswered(deps, { merchantId: merchant.id, conversationId: conv.id, externalUserId: conv.externalUserId, question: why.question, reason: why.reason, askedAt: questionAt });
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
