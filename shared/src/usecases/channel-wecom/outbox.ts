import type { Conversation, Message } from '../../domain/conversation';
import { maySend } from '../../domain/conversation-state';
import type { Merchant } from '../../domain/merchant';
import { AppError } from '../../domain/errors';
import { WecomApiError } from '../../ports/wecom';
import type { Deps } from '../../ports/deps';
import { NS, SENDS_PER_CUSTOMER_MESSAGE, SESSION_WINDOW_MS, type WecomContext } from './context';
import { count } from '../reports/counters';
import { beginDelivery, readOutbox, settleDelivery, writeOutbox } from './delivery';
import { clearInflight, noteInflight } from './inflight';
import { textPreview } from './kf-message';
import { updateKv } from '../lib/kv-cas';
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

/** Takes one send from the customer's budget; false when it is used up. (resend.ts uses it too.) */
export async function reserveSend(deps: Deps, merchantId: string, externalUserId: string): Promise<boolean> {
  let ok = false;
  await updateKv<Budget>(deps.storage.kv, merchantId, NS.budget, externalUserId, deps.clock.now(), (cur) => {
    const b = cur ?? { lastMsgId: '', lastCustomerAt: 0, used: 0 };
    ok = b.used < SENDS_PER_CUSTOMER_MESSAGE;
    return ok ? { ...b, used: b.used + 1 } : undefined;
  });
  return ok;
}

export async function refundSend(deps: Deps, merchantId: string, externalUserId: string): Promise<void> {
  await updateKv<Budget>(deps.storage.kv, merchantId, NS.budget, externalUserId, deps.clock.now(), (cur) => (cur && cur.used > 0 ? { ...cur, used: cur.used - 1 } : undefined));
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
  /** The customer messages (our ids) this reply answers; kept on every part. */
  replyTo?: string[];
}

export interface PartOutcome {
  msgid: string;
  messageId: string;
  status: 'sent' | 'already_sent' | 'maybe_sent' | 'failed' | 'not_sent';
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
      ...(out.replyTo?.length ? { replyTo: out.replyTo } : {}),
    };
    const part: PartOutcome = { msgid, messageId: message.id, status: 'not_sent' };
    parts.push(part);
    const prior = await readOutbox(deps, merchantId, msgid);
    if (prior?.status === 'sent') {
      part.status = 'already_sent';
      continue;
    }
    // intended but never settled: the process died during the send. WeCom may or may not have it,
    // and whether it drops a repeated msgid is unconfirmed, so never send it again (at most once):
    // the thread shows it as 可能已发出 for a person to check (a later msg_send_fail marks it failed)
    if (prior?.status === 'pending' || prior?.status === 'unknown') {
      if (prior.status === 'pending') {
        await writeOutbox(deps, merchantId, msgid, (cur) => ({ ...base(message, conv, cur), status: 'unknown', updatedAt: deps.clock.now() }));
        await settleDelivery(deps, message, 'unknown', true);
      }
      part.status = 'maybe_sent';
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
    await noteInflight(deps, merchantId, conv.externalUserId, { msgid, message });
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
      await clearInflight(deps, merchantId, conv.externalUserId, [msgid]);
      part.status = 'failed';
      part.error = error;
      if (api) part.errcode = api.errcode;
      return { status: final ? 'failed' : 'retry', parts };
    }
    await writeOutbox(deps, merchantId, msgid, (cur) => ({
      ...base(message, conv, cur),
      status: 'sent',
      attempts,
      errcode: undefined,
      error: undefined,
      updatedAt: deps.clock.now(),
    }));
    await settleDelivery(deps, message, 'sent', true);
    await clearInflight(deps, merchantId, conv.externalUserId, [msgid]);
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
