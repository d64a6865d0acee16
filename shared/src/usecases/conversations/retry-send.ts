import { refusalError, sendRefusal } from '../../domain/conversation-state';
import { AppError, notFound } from '../../domain/errors';
import { WecomApiError } from '../../ports/wecom';
import { describeProblem } from '../channel-wecom/config-problems';
import { SENDS_PER_CUSTOMER_MESSAGE, optionsOf, type WecomContext } from '../channel-wecom/context';
import { readOutbox } from '../channel-wecom/delivery';
import { withCustomerLease } from '../channel-wecom/lease';
import { resendText, type StoredText } from '../channel-wecom/resend';
import { recordAudit } from '../shop/audit';
import { requireMerchant } from '../shop/require-merchant';
import { requireConversation } from './require-conversation';

export interface RetrySendInput {
  merchantId: string;
  conversationId: string;
  messageId: string;
  /** The member who tapped 重发. */
  memberId: string;
}

/** How far back a message can be resent: the thread shows its last 100 (queries.ts getThread). */
const THREAD_WINDOW = 100;

/**
 * 重发: one AI or staff message that did not go out (delivery failed, or unknown after a crash) is
 * sent again through the outbox, under the customer's lease so it never races the bot or another
 * tap. Idempotent: once it is sent, another call sends nothing and answers `resent: false`.
 * Refusals are 409s in Chinese: a person in WeCom holds the session, it ended, 48 h passed, the
 * budget of 5 is used up.
 */
export async function retrySend(ctx: WecomContext, input: RetrySendInput): Promise<{ messageId: string; resent: boolean }> {
  const { deps } = ctx;
  const merchant = await requireMerchant(deps, input.merchantId);
  const first = await requireConversation(deps, input.merchantId, input.conversationId);
  if (first.channel !== 'kf') throw new AppError('CONFLICT.CHANNEL', '这个会话不是微信客服会话，不能从这里重发', 409);
  return withCustomerLease(deps, input.merchantId, first.externalUserId, optionsOf(ctx).leaseMs, async () => {
    const conv = (await deps.storage.conversations.get(input.merchantId, input.conversationId)) ?? first;
    const messages = await deps.storage.messages.listByConversation(input.merchantId, conv.id, THREAD_WINDOW);
    const message = messages.find((m) => m.id === input.messageId);
    if (!message) throw notFound('message');
    if ((message.sender !== 'ai' && message.sender !== 'staff') || message.type !== 'text' || !message.wecomMsgId) {
      throw new AppError('CONFLICT.NOT_RESENDABLE', '只有 AI 或店员发出的文字消息才能重发', 409);
    }
    // the outbox is the truth about a send; the row is the fallback once its record is pruned
    const status = (await readOutbox(deps, input.merchantId, message.wecomMsgId))?.status ?? message.delivery;
    if (status === 'sent') return { messageId: message.id, resent: false };
    if (status !== 'failed' && status !== 'unknown' && status !== 'pending') throw new AppError('CONFLICT.NOT_RESENDABLE', '这条消息不用重发', 409);

    const res = await resendText(ctx, conv, message as StoredText);
    if (res.status === 'already_sent') return { messageId: message.id, resent: false };
    if (res.status === 'blocked') {
      if (res.blocked === 'state') throw refusalError(sendRefusal(conv.state, 'staff')!);
      if (res.blocked === 'window') throw new AppError('CONFLICT.REPLY_WINDOW', '客户最后一条消息已超过 48 小时，微信客服不能再给他发消息了', 409);
      throw new AppError('CONFLICT.REPLY_LIMIT', `客户每发一条消息，最多只能回复 ${SENDS_PER_CUSTOMER_MESSAGE} 条；等客户再发消息后才能重发`, 409);
    }
    if (res.status === 'failed') throw sendFailed(res.error, !merchant.wecom.secrets.kf && Boolean(merchant.wecom.secrets.app));
    await recordAudit(deps, { merchantId: input.merchantId, actor: input.memberId, action: 'conversations.retrySend', target: message.id, detail: { was: status } });
    return { messageId: message.id, resent: true };
  });
}

/** Why the resend failed, as the person who tapped reads it. */
function sendFailed(err: unknown, kfViaApp: boolean): AppError {
  if (err instanceof WecomApiError && err.isConfig) {
    const p = describeProblem('kf', err.errcode, kfViaApp);
    return new AppError('WECOM.CONFIG', `还是没发出去：${p.title}。${p.fix}`, 502);
  }
  // 95018: WeCom says a servicer holds the session or it ended, before our state heard of it
  if (err instanceof WecomApiError && err.errcode === 95018) {
    return new AppError('CONFLICT.SESSION_STATE', '还是没发出去：企业微信说这个客户现在由同事接待，或者会话已经结束了', 409);
  }
  return new AppError('WECOM.SEND_FAILED', '还是没发出去：企业微信这次也没收下，过一会儿再点重发试试', 502);
}
