import { attachStaffReply } from '../knowledge/teach';
import type { Conversation, Message } from '../../domain/conversation';
import type { Merchant } from '../../domain/merchant';
import { AppError, notFound } from '../../domain/errors';
import { WecomApiError } from '../../ports/wecom';
import type { Deps } from '../../ports/deps';
import { NS, SENDS_PER_CUSTOMER_MESSAGE, SESSION_WINDOW_MS, optionsOf, requireMerchant, type WecomContext } from './context';
import { count } from '../reports/counters';
import { beginDelivery, readOutbox, settleDelivery, writeOutbox } from './delivery';
import { textPreview } from './kf-message';
import { updateKv } from '../lib/kv-cas';
import { withCustomerLease } from './lease';
import { outgoingMsgId, stableHash } from './msgid';
import { splitByBytes } from './split-text';

/** A send that failed retryably is tried this many times per msgid before it counts as failed for good. */
export const MAX_SEND_ATTEMPTS = 3;

// ---- the 5-per-customer-message budget (kv, per customer) -------------------------------------

interface Budget {
  lastMsgId: string;
  lastCustomerAt: number;
  used: number;
}

/** The customer wrote: the budget starts over (WeCom resets its count on every customer message). */
export async function resetSendBudget(deps: Deps, merchantId: string, externalUserId: string, msgid: string, at: number): Promise<void> {
  await updateKv<Budget>(deps.storage.kv, merchantId, NS.budget, externalUserId, deps.clock.now(), (cur) => {
    if (cur && (cur.lastCustomerAt > at || cur.lastMsgId === msgid)) return undefined;
    return { lastMsgId: msgid, lastCustomerAt: at, used: 0 };
  });
}

export async function sendsLeft(deps: Deps, merchantId: string, externalUserId: string): Promise<number> {
  const b = (await deps.storage.kv.get<Budget>(merchantId, NS.budget, externalUserId))?.value;
  return SENDS_PER_CUSTOMER_MESSAGE - (b?.used ?? 0);
}

async function reserveSend(deps: Deps, merchantId: string, externalUserId: string): Promise<boolean> {
  let ok = false;
  await updateKv<Budget>(deps.storage.kv, merchantId, NS.budget, externalUserId, deps.clock.now(), (cur) => {
    const b = cur ?? { lastMsgId: '', lastCustomerAt: 0, used: 0 };
    ok = b.used < SENDS_PER_CUSTOMER_MESSAGE;
    return ok ? { ...b, used: b.used + 1 } : undefined;
  });
  return ok;
}

async function refundSend(deps: Deps, merchantId: string, externalUserId: string): Promise<void> {
  await updateKv<Budget>(deps.storage.kv, merchantId, NS.budget, externalUserId, deps.clock.now(), (cur) =>
    cur && cur.used > 0 ? { ...cur, used: cur.used - 1 } : undefined,
  );
}

// ---- sending --------------------------------------------------------------------------------

export interface OutgoingText {
  merchant: Pick<Merchant, 'id' | 'timezone'>;
  conversation: Conversation;
  sender: 'ai' | 'staff';
  senderId?: string;
  text: string;
  /** What this reply is for (the customer's msgid, a staff reply's id): part msgids derive from it. */
  sourceId: string;
  answer?: Message['answer'];
}

export interface PartOutcome {
  msgid: string;
  messageId: string;
  status: 'sent' | 'already_sent' | 'failed' | 'not_sent';
  errcode?: number;
  error?: string;
}

export type Blocked = 'state' | 'window' | 'budget';

export interface SendOutcome {
  /** `retry`: a retryable failure; call again with the same sourceId (the msgids are reused). */
  status: 'sent' | 'blocked' | 'failed' | 'retry';
  blocked?: Blocked;
  parts: PartOutcome[];
}

/** Our row id for a reply part: parts of one reply sort in order even within one millisecond. */
export const replyMessageId = (sourceId: string, part: number) => `out_${stableHash('reply', sourceId).slice(0, 24)}_${String(part).padStart(2, '0')}`;

/** Who may send in which of our states: the bot only in `ai`, a person also in `waiting_human`; nobody in `human_in_wecom`. */
export function maySend(state: Conversation['state'], sender: OutgoingText['sender']): boolean {
  return state === 'ai' || (state === 'waiting_human' && sender === 'staff');
}

/**
 * Sends a text through kf/send_msg: only when our state allows it, within 48 h of the
 * customer's last message, within the 5-per-customer-message budget; split at 2048 bytes, one
 * deterministic msgid per part (reused on retry; a part already sent is never sent again); each
 * part stored as a Message with its delivery.
 */
export async function sendText(ctx: WecomContext, out: OutgoingText): Promise<SendOutcome> {
  const { deps } = ctx;
  const conv = out.conversation;
  const merchantId = out.merchant.id;
  if (!maySend(conv.state, out.sender)) return { status: 'blocked', blocked: 'state', parts: [] };
  const now = deps.clock.now();
  const last = conv.lastCustomerMessageAt;
  if (last === undefined || now - last > SESSION_WINDOW_MS) return { status: 'blocked', blocked: 'window', parts: [] };
  if (!conv.kfAccountId) throw new AppError('WECOM.NO_KF_ACCOUNT', '这个会话没有客服账号，发不出去', 500);

  const texts = splitByBytes(out.text);
  const parts: PartOutcome[] = [];
  let sentAny = false;
  for (let i = 0; i < texts.length; i++) {
    const msgid = outgoingMsgId(out.sourceId, String(i));
    const message: Message = {
      id: replyMessageId(out.sourceId, i),
      merchantId,
      conversationId: conv.id,
      sender: out.sender,
      ...(out.senderId ? { senderId: out.senderId } : {}),
      at: deps.clock.now(),
      wecomMsgId: msgid,
      type: 'text',
      text: texts[i],
      ...(out.answer && i === 0 ? { answer: out.answer } : {}),
    };
    const part: PartOutcome = { msgid, messageId: message.id, status: 'not_sent' };
    parts.push(part);
    const prior = await readOutbox(deps, merchantId, msgid);
    if (prior?.status === 'sent') {
      part.status = 'already_sent';
      continue;
    }
    if (!(await reserveSend(deps, merchantId, conv.externalUserId))) {
      // out of budget: what is left is kept as failed (never sent later: the budget is per customer message)
      for (let j = i; j < texts.length; j++) {
        const id = outgoingMsgId(out.sourceId, String(j));
        const m: Message = { ...message, id: replyMessageId(out.sourceId, j), wecomMsgId: id, text: texts[j], ...(j === 0 && out.answer ? { answer: out.answer } : {}) };
        await writeOutbox(deps, merchantId, id, (cur) => ({ ...base(m, conv, cur), status: 'failed', error: 'budget', updatedAt: deps.clock.now() }));
        await settleDelivery(deps, m, 'failed', true);
        if (j > i) parts.push({ msgid: id, messageId: m.id, status: 'not_sent', error: 'budget' });
      }
      part.error = 'budget';
      return { status: 'blocked', blocked: 'budget', parts };
    }
    const attempts = (prior?.attempts ?? 0) + 1;
    await writeOutbox(deps, merchantId, msgid, (cur) => ({ ...base(message, conv, cur), status: 'pending', attempts, updatedAt: deps.clock.now() }));
    await beginDelivery(deps, message);
    try {
      await ctx.wecom.kfSendMsg(merchantId, { touser: conv.externalUserId, open_kfid: conv.kfAccountId, msgid, msgtype: 'text', text: { content: texts[i] } });
    } catch (err) {
      await refundSend(deps, merchantId, conv.externalUserId);
      const api = err instanceof WecomApiError ? err : null;
      const retryable = api ? api.retryable : true; // a network error: WeCom may not have it
      const final = !retryable || attempts >= MAX_SEND_ATTEMPTS;
      const error = api ? `${api.errcode} ${api.errmsg}` : err instanceof Error ? err.message : String(err);
      await writeOutbox(deps, merchantId, msgid, (cur) => ({
        ...base(message, conv, cur),
        status: 'failed',
        attempts,
        ...(api ? { errcode: api.errcode } : {}),
        error: error.slice(0, 300),
        updatedAt: deps.clock.now(),
      }));
      await settleDelivery(deps, message, 'failed', final);
      part.status = 'failed';
      part.error = error;
      if (api) part.errcode = api.errcode;
      return { status: final ? 'failed' : 'retry', parts };
    }
    await writeOutbox(deps, merchantId, msgid, (cur) => ({ ...base(message, conv, cur), status: 'sent', attempts, errcode: undefined, error: undefined, updatedAt: deps.clock.now() }));
    await settleDelivery(deps, message, 'sent', true);
    part.status = 'sent';
    sentAny = true;
  }
  if (sentAny) await afterSent(ctx, out, parts);
  return { status: 'sent', parts };
}

function base(message: Message, conv: Conversation, cur: { attempts: number } | null) {
  return { messageId: message.id, conversationId: conv.id, externalUserId: conv.externalUserId, attempts: cur?.attempts ?? 0 };
}

/** First-response time of the session (once), and the conversation's preview. */
async function afterSent(ctx: WecomContext, out: OutgoingText, parts: PartOutcome[]) {
  const { deps } = ctx;
  const now = deps.clock.now();
  const conv = out.conversation;
  if (conv.sessionStartedAt !== undefined) {
    const eventId = `frt:${conv.id}:${conv.sessionStartedAt}`;
    await count(deps, out.merchant, [
      { name: 'firstResponseMsSum', at: conv.sessionStartedAt, eventId, amount: Math.max(0, now - conv.sessionStartedAt) },
      { name: 'firstResponseCount', at: conv.sessionStartedAt, eventId },
    ]);
  }
  const fresh = await deps.storage.conversations.get(conv.merchantId, conv.id);
  // a handoff notice keeps the customer's question as the preview: that is what the person picking it up reads first
  const preview = out.answer?.handoff ? fresh?.lastMessagePreview : textPreview(out.text);
  if (fresh && parts.length) await deps.storage.conversations.upsert({ ...fresh, lastMessagePreview: preview ?? '', updatedAt: now });
}

// ---- people's actions from the app ---------------------------------------------------------------

export interface StaffReplyInput {
  merchantId: string;
  conversationId: string;
  /** The member replying (owner or staff). */
  memberId: string;
  text: string;
  /** The app's id for this reply: a retry with the same id reuses the msgids and never sends twice. */
  clientMsgId?: string;
}

/**
 * A person replies from the app (the bot is silent in `waiting_human`; allowed in `ai` too),
 * through the same outbox: same 48 h window, same 5-per-customer-message budget.
 */
export async function staffReply(ctx: WecomContext, input: StaffReplyInput): Promise<{ parts: PartOutcome[] }> {
  const { deps } = ctx;
  const text = input.text.trim();
  if (!text) throw new AppError('INPUT.INVALID', '回复内容不能为空', 400);
  const merchant = await requireMerchant(ctx, input.merchantId);
  const first = await deps.storage.conversations.get(input.merchantId, input.conversationId);
  if (!first) throw notFound('conversation');
  if (first.channel !== 'kf') throw new AppError('CONFLICT.CHANNEL', '这个会话不是微信客服会话，不能从这里回复', 409);
  const sourceId = `staff:${input.conversationId}:${input.clientMsgId ?? deps.ids.id('reply')}`;
  return withCustomerLease(deps, input.merchantId, first.externalUserId, optionsOf(ctx).leaseMs, async () => {
    const conv = (await deps.storage.conversations.get(input.merchantId, input.conversationId)) ?? first;
    if (conv.state === 'human_in_wecom') throw new AppError('CONFLICT.HUMAN_IN_WECOM', '这个会话已转到企业微信人工接待，请在企业微信里回复', 409);
    if (conv.state === 'closed') throw new AppError('CONFLICT.SESSION_CLOSED', '会话已结束，等客户再发消息后才能回复', 409);
    const res = await sendText(ctx, { merchant, conversation: conv, sender: 'staff', senderId: input.memberId, text, sourceId });
    if (res.status === 'blocked' && res.blocked === 'window') throw new AppError('CONFLICT.REPLY_WINDOW', '客户最后一条消息已超过 48 小时，微信客服不能再回复', 409);
    if (res.status === 'blocked' && res.blocked === 'budget')
      throw new AppError('CONFLICT.REPLY_LIMIT', `客户每发一条消息，最多只能回复 ${SENDS_PER_CUSTOMER_MESSAGE} 条；等客户再发消息后才能继续回复`, 409);
    if (res.status === 'blocked') throw new AppError('CONFLICT.STATE', '现在不能回复这个会话', 409);
    if (res.status !== 'sent') {
      const failed = res.parts.find((p) => p.status === 'failed');
      throw new AppError('WECOM.SEND_FAILED', `发送失败${res.status === 'retry' ? '，请稍后重试' : ''}：${failed?.error ?? ''}`.slice(0, 200), 502, { parts: res.parts });
    }
    await attachStaffReply(deps, input.merchantId, conv.id, { text, at: deps.clock.now(), by: 'staff' });
    return { parts: res.parts };
  });
}

/**
 * 转企业微信人工: kf/service_state/trans to 3 with the chosen servicer; from then on that person
 * replies in the WeCom client (origin 5) and the bot never sends in this session. Audited.
 */
export async function transferToWecomHuman(
  ctx: WecomContext,
  merchantId: string,
  conversationId: string,
  servicerUserId: string,
  actor: string,
): Promise<Conversation> {
  const { deps } = ctx;
  if (!servicerUserId.trim()) throw new AppError('INPUT.INVALID', '请选择接待的企业微信成员', 400);
  const first = await deps.storage.conversations.get(merchantId, conversationId);
  if (!first) throw notFound('conversation');
  return withCustomerLease(deps, merchantId, first.externalUserId, optionsOf(ctx).leaseMs, async () => {
    const conv = (await deps.storage.conversations.get(merchantId, conversationId)) ?? first;
    if (conv.state === 'closed') throw new AppError('CONFLICT.SESSION_CLOSED', '会话已结束，不能再转人工', 409);
    if (!conv.kfAccountId) throw new AppError('CONFLICT.CHANNEL', '这个会话不是微信客服会话，不能转企业微信人工', 409);
    if (conv.state === 'human_in_wecom') return conv;
    await ctx.wecom.kfServiceStateTrans(merchantId, {
      open_kfid: conv.kfAccountId,
      external_userid: conv.externalUserId,
      service_state: 3,
      servicer_userid: servicerUserId,
    });
    const now = deps.clock.now();
    const next: Conversation = { ...conv, state: 'human_in_wecom', wecomState: 3, waitingSince: undefined, updatedAt: now };
    await deps.storage.conversations.upsert(next);
    await deps.storage.messages.add({
      id: deps.ids.id('msg'),
      merchantId,
      conversationId,
      sender: 'system',
      senderId: actor,
      at: now,
      type: 'event',
      event: 'transfer_to_wecom',
      detail: { servicerUserId },
    });
    await deps.storage.audit.append({
      id: deps.ids.id('audit'),
      merchantId,
      actor,
      action: 'conversation.transfer_to_wecom',
      target: conversationId,
      detail: { servicerUserId, from: conv.state },
      at: now,
    });
    return next;
  });
}
