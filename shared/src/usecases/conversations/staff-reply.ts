import { refusalError, sendRefusal } from '../../domain/conversation-state';
import { AppError } from '../../domain/errors';
import { SENDS_PER_CUSTOMER_MESSAGE, optionsOf, type WecomContext } from '../channel-wecom/context';
import { withCustomerLease } from '../channel-wecom/lease';
import { sendText, type PartOutcome } from '../channel-wecom/outbox';
import { attachStaffReply } from '../knowledge/teach';
import { requireMerchant } from '../shop/require-merchant';
import { requireConversation } from './require-conversation';

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
  const merchant = await requireMerchant(deps, input.merchantId);
  const first = await requireConversation(deps, input.merchantId, input.conversationId);
  if (first.channel !== 'kf') throw new AppError('CONFLICT.CHANNEL', '这个会话不是微信客服会话，不能从这里回复', 409);
  const sourceId = `staff:${input.conversationId}:${input.clientMsgId ?? deps.ids.id('reply')}`;
  return withCustomerLease(deps, input.merchantId, first.externalUserId, optionsOf(ctx).leaseMs, async () => {
    const conv = (await deps.storage.conversations.get(input.merchantId, input.conversationId)) ?? first;
    const refused = sendRefusal(conv.state, 'staff');
    if (refused) throw refusalError(refused);
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
