import type { Conversation } from '../../domain/conversation';
import { refusalError, transferToWecom } from '../../domain/conversation-state';
import { AppError } from '../../domain/errors';
import { optionsOf, type WecomContext } from '../channel-wecom/context';
import { withCustomerLease } from '../channel-wecom/lease';
import { requireConversation } from './require-conversation';
import type { Deps } from '../../ports/deps';

/** Who a conversation can go to (the 转企业微信人工 picker): the shop's members with a WeCom account, on duty first. */
export async function transferTargets(deps: Pick<Deps, 'storage'>, merchantId: string) {
  const members = await deps.storage.members.list(merchantId);
  return members
    .filter((m) => m.wecomUserId)
    .map((m) => ({ memberId: m.id, name: m.name || '同事', wecomUserId: m.wecomUserId!, onDuty: m.onDuty }))
    .sort((a, b) => Number(b.onDuty) - Number(a.onDuty));
}

/**
 * 转企业微信人工: kf/service_state/trans to 3 with the chosen servicer; from then on that person
 * replies in the WeCom client (origin 5) and the bot never sends in this session. Audited.
 */
export async function transferToWecomHuman(ctx: WecomContext, merchantId: string, conversationId: string, servicerUserId: string, actor: string): Promise<Conversation> {
  const { deps } = ctx;
  if (!servicerUserId.trim()) throw new AppError('INPUT.INVALID', '请选择接待的企业微信成员', 400);
  const first = await requireConversation(deps, merchantId, conversationId);
  return withCustomerLease(deps, merchantId, first.externalUserId, optionsOf(ctx).leaseMs, async () => {
    const conv = (await deps.storage.conversations.get(merchantId, conversationId)) ?? first;
    const step = transferToWecom(conv, deps.clock.now());
    if (!step.ok) throw refusalError(step.refusal);
    if (!conv.kfAccountId) throw new AppError('CONFLICT.CHANNEL', '这个会话不是微信客服会话，不能转企业微信人工', 409);
    if (!step.changed) return conv;
    await ctx.wecom.kfServiceStateTrans(merchantId, {
      open_kfid: conv.kfAccountId,
      external_userid: conv.externalUserId,
      service_state: 3,
      servicer_userid: servicerUserId,
    });
    const now = deps.clock.now();
    // stamped after WeCom accepted the transfer, like the event and the audit below
    const next: Conversation = { ...step.conversation, updatedAt: now };
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
      // the name is what the thread shows (an account id means nothing to the owner)
      detail: { servicerUserId, servicerName: (await transferTargets(deps, merchantId)).find((t) => t.wecomUserId === servicerUserId)?.name ?? '' },
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
