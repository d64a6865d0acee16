import type { Conversation, Message } from '../../domain/conversation';
import { maySend } from '../../domain/conversation-state';
import { AppError } from '../../domain/errors';
import { WecomApiError } from '../../ports/wecom';
import { SESSION_WINDOW_MS, type WecomContext } from './context';
import { readOutbox, settleDelivery, writeOutbox } from './delivery';
import { clearInflight, noteInflight } from './inflight';
import { refundSend, reserveSend, type Blocked } from './outbox';

export type ResendOutcome = { status: 'sent' | 'already_sent' } | { status: 'blocked'; blocked: Blocked } | { status: 'failed'; error: unknown };

export type StoredText = Extract<Message, { type: 'text' }> & { wecomMsgId: string };

/**
 * Sends one stored outgoing text again because a person asked to (重发): a send that failed, or
 * one whose process died mid-send (unknown, or a pending record nobody is working on: the caller
 * holds the customer's lease). This is the one place where the outbox's at-most-once rule gives
 * way, by a person's decision. Everything else is as for any send: our state must let a person
 * send, within 48 h of the customer's last message and the 5-per-customer-message budget, with
 * the message's own msgid (WeCom may recognise a repeat), the outcome in the outbox and the row.
 */
export async function resendText(ctx: WecomContext, conv: Conversation, message: StoredText): Promise<ResendOutcome> {
  const { deps } = ctx;
  const merchantId = conv.merchantId;
  const msgid = message.wecomMsgId;
  const prior = await readOutbox(deps, merchantId, msgid);
  if (prior?.status === 'sent') return { status: 'already_sent' };
  if (!maySend(conv.state, 'staff')) return { status: 'blocked', blocked: 'state' };
  const last = conv.lastCustomerMessageAt;
  if (last === undefined || deps.clock.now() - last > SESSION_WINDOW_MS) return { status: 'blocked', blocked: 'window' };
  if (!conv.kfAccountId) throw new AppError('WECOM.NO_KF_ACCOUNT', '这个会话没有客服账号，发不出去', 500);
  if (!(await reserveSend(deps, merchantId, conv.externalUserId))) return { status: 'blocked', blocked: 'budget' };

  const base = { messageId: message.id, conversationId: conv.id, externalUserId: conv.externalUserId, attempts: (prior?.attempts ?? 0) + 1 };
  await noteInflight(deps, merchantId, conv.externalUserId, { msgid, message });
  await writeOutbox(deps, merchantId, msgid, () => ({ ...base, status: 'pending', updatedAt: deps.clock.now() }));
  try {
    await ctx.wecom.kfSendMsg(merchantId, { touser: conv.externalUserId, open_kfid: conv.kfAccountId, msgid, msgtype: 'text', text: { content: message.text } });
  } catch (err) {
    await refundSend(deps, merchantId, conv.externalUserId);
    const api = err instanceof WecomApiError ? err : null;
    const error = api ? `${api.errcode} ${api.errmsg}` : err instanceof Error ? err.message : String(err);
    await writeOutbox(deps, merchantId, msgid, () => ({
      ...base,
      status: 'failed',
      ...(api ? { errcode: api.errcode } : {}),
      error: error.slice(0, 300),
      updatedAt: deps.clock.now(),
    }));
    await settleDelivery(deps, message, 'failed', true);
    await clearInflight(deps, merchantId, conv.externalUserId, [msgid]);
    return { status: 'failed', error: err };
  }
  await writeOutbox(deps, merchantId, msgid, () => ({ ...base, status: 'sent', updatedAt: deps.clock.now() }));
  await settleDelivery(deps, message, 'sent', true);
  await clearInflight(deps, merchantId, conv.externalUserId, [msgid]);
  return { status: 'sent' };
}
