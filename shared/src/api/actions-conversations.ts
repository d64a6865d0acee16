import type { Conversation } from '../domain/conversation';
import { getCustomer, listCustomers } from '../usecases/customers/queries';
import { customerOrders } from '../usecases/customers/orders';
import { channelNames } from '../usecases/channels/store';
import { loadMedia } from '../usecases/conversations/media';
import { getNamedConversation, getThread, listConversations, named } from '../usecases/conversations/queries';
import { requireConversation } from '../usecases/conversations/require-conversation';
import { retrySend } from '../usecases/conversations/retry-send';
import { staffReply } from '../usecases/conversations/staff-reply';
import { handBack, takeOver } from '../usecases/conversations/take-over';
import { transferToWecomHuman } from '../usecases/conversations/transfer';
import { getFollowUp } from '../usecases/conversations/follow-up';
import { silenceText } from '../domain/conversation-state-follow-up';
import { channelOf, type CallContext, type Handlers } from './context';
import { customerOrdersView, customerProfileView, customerView, namedView, teachView } from './views';

const shown = async (ctx: CallContext, c: Conversation) => ({ conversation: namedView(await named(ctx.deps, c)) });
const byMember = (ctx: CallContext, req: { merchantId: string; conversationId: string }) => ({
  merchantId: req.merchantId,
  conversationId: req.conversationId,
  actorId: ctx.member.id,
});

/** Customers, threads and what people do in them. */
export const conversationActions = {
  'customers.list': async (ctx, req) => {
    const [page, channels] = await Promise.all([listCustomers(ctx.deps, req.merchantId, req), channelNames(ctx.deps, req.merchantId)]);
    return { items: page.items.map((c) => customerView(c, ctx.member.role, channels)), nextCursor: page.nextCursor, total: page.total };
  },

  'customers.get': async (ctx, req) => {
    const { customer, recentMessages, storeName } = await getCustomer(ctx.deps, req.merchantId, req.externalUserId);
    const orders = customerOrdersView(await customerOrders(ctx.deps, customer), ctx.member.role);
    const channels = await channelNames(ctx.deps, req.merchantId);
    return { customer: customerProfileView(customer, ctx.member.role, storeName, channels), recentMessages, orders };
  },

  'conversations.list': async (ctx, req) => {
    const page = await listConversations(ctx.deps, req.merchantId, req);
    return { items: page.items.map(namedView), nextCursor: page.nextCursor };
  },

  'conversations.get': async (ctx, req) => {
    const t = await getThread(ctx.deps, req.merchantId, req.conversationId, req.before);
    const silence = t.conversation.state === 'waiting_human' ? silenceText(await getFollowUp(ctx.deps, req.merchantId)) : null;
    return { conversation: namedView(t), messages: t.messages, olderCursor: t.olderCursor, silence, knowledge: t.knowledge, teach: t.teach && teachView(t.teach) };
  },

  'conversations.reply': async (ctx, req) => {
    const out = await staffReply(channelOf(ctx), {
      merchantId: req.merchantId,
      conversationId: req.conversationId,
      memberId: ctx.member.id,
      text: req.text,
      clientMsgId: req.clientMsgId,
    });
    return { conversation: namedView(await getNamedConversation(ctx.deps, req.merchantId, req.conversationId)), sentParts: out.parts.length };
  },

  'conversations.takeOver': async (ctx, req) => shown(ctx, await takeOver(ctx.deps, byMember(ctx, req))),

  'conversations.handBack': async (ctx, req) => shown(ctx, await handBack(ctx.deps, byMember(ctx, req))),

  'conversations.retrySend': async (ctx, req) => {
    // a conversation that is not there is a 404 even where no channel is configured
    await requireConversation(ctx.deps, req.merchantId, req.conversationId);
    return retrySend(channelOf(ctx), { merchantId: req.merchantId, conversationId: req.conversationId, messageId: req.messageId, memberId: ctx.member.id });
  },

  'conversations.transfer': async (ctx, req) => {
    // a conversation that is not there is a 404 even where no channel is configured
    await requireConversation(ctx.deps, req.merchantId, req.conversationId);
    return shown(ctx, await transferToWecomHuman(channelOf(ctx), req.merchantId, req.conversationId, req.servicerUserId, ctx.member.id));
  },

  'media.get': async (ctx, req) => loadMedia(ctx.channel?.media, req.merchantId, req.ref),
} satisfies Partial<Handlers>;
