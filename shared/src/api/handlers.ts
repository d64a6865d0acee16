import type { ApiAction, ApiRequest, ApiResult } from '../contracts/api';
import type { Member } from '../domain/member';
import { notFound } from '../domain/errors';
import { addDays, dayOf } from '../domain/time';
import { createInvite } from '../usecases/shop/merchants';
import { redeemInvite } from '../usecases/shop/members';
import type { WecomContext } from '../usecases/channel-wecom/context';
import { staffReply, transferToWecomHuman } from '../usecases/channel-wecom/outbox';
import { AppError } from '../domain/errors';
import type { Conversation } from '../domain/conversation';
import type { Deps } from '../ports/deps';
import type { KbFileParser } from '../ports/kb-files';
import { knowledgeHandlers, knowledgeLabel, teachView } from './handlers-knowledge';
import { shopHandlers } from './handlers-shop';
import { getTeachItem } from '../usecases/knowledge/teach';
import { conversationView, customerView, settingsView } from './views';

export interface CallContext {
  deps: Deps;
  /** The WeCom channel, for actions that talk to customers (absent where there is none). */
  channel?: WecomContext;
  openid: string;
  /** The caller's membership in the request's merchant (for `join` actions: none yet). */
  member: Member;
  /** Reads knowledge-base files for `kb.import` (server side: needs the xlsx reader). */
  kbFiles?: KbFileParser;
}

type Handler<A extends ApiAction> = (ctx: CallContext, req: Extract<ApiRequest, { action: A }>) => Promise<ApiResult<A>>;
export type Handlers = { [A in ApiAction]: Handler<A> };

async function merchantOrThrow(ctx: CallContext, merchantId: string) {
  const m = await ctx.deps.storage.merchants.get(merchantId);
  if (!m) throw notFound('merchant');
  return m;
}

function channelOf(ctx: CallContext): WecomContext {
  if (!ctx.channel) throw new AppError('CONFIG.NO_CHANNEL', '企业微信通道没有配置好，暂时不能回复客户', 503);
  return ctx.channel;
}

async function conversationOrThrow(ctx: CallContext, merchantId: string, id: string) {
  const c = await ctx.deps.storage.conversations.get(merchantId, id);
  if (!c) throw notFound('conversation');
  return c;
}

async function moveState(ctx: CallContext, merchantId: string, id: string, from: Conversation['state'], to: Conversation['state'], action: string) {
  const c = await conversationOrThrow(ctx, merchantId, id);
  if (c.state !== from && c.state !== to) throw new AppError('CONFLICT.STATE', c.state === 'human_in_wecom' ? '这个会话已转到企业微信人工接待' : '会话已结束', 409);
  let next = c;
  if (c.state === from) {
    const now = ctx.deps.clock.now();
    next = { ...c, state: to, waitingSince: to === 'waiting_human' ? now : undefined, updatedAt: now };
    await ctx.deps.storage.conversations.upsert(next);
    await ctx.deps.storage.audit.append({ id: ctx.deps.ids.id('aud'), merchantId, actor: ctx.member.id, action, target: id, detail: { from, to }, at: now });
  }
  return { conversation: conversationView(next, await customerName(ctx, merchantId, next.externalUserId)) };
}

async function customerName(ctx: CallContext, merchantId: string, externalUserId: string) {
  return (await ctx.deps.storage.customers.get(merchantId, externalUserId))?.name || '客户';
}

/** What one api answer carries inline (CloudBase returns ≤ 6 MB per call; base64 adds a third). */
export const MEDIA_INLINE_MAX_BYTES = 2 * 1024 * 1024;

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export const handlers: Handlers = {
  'me.get': async (ctx) => {
    const memberships = await ctx.deps.storage.members.listByOpenid(ctx.openid);
    const merchants = [];
    for (const mem of memberships) {
      const m = await ctx.deps.storage.merchants.get(mem.merchantId);
      if (m) merchants.push({ id: m.id, name: m.name, role: mem.role });
    }
    return { memberId: ctx.member.id, merchants };
  },

  'me.join': async (ctx, req) => {
    const member = await redeemInvite(ctx.deps, req.code, ctx.openid, req.name ?? '');
    const m = await merchantOrThrow(ctx, member.merchantId);
    return { merchant: { id: m.id, name: m.name, role: member.role } };
  },

  'dashboard.today': async (ctx, req) => {
    const m = await merchantOrThrow(ctx, req.merchantId);
    const day = dayOf(ctx.deps.clock.now(), m.timezone);
    const yesterday = addDays(day, -1);
    const days = await ctx.deps.storage.counters.days(m.id, yesterday, day);
    const waitingHuman = await ctx.deps.storage.conversations.countByState(m.id, 'waiting_human');
    const owner = ctx.member.role === 'owner';
    const strip = (c: (typeof days)[string]) => (owner ? c : { ...c, revenueFen: 0 });
    return {
      merchant: { id: m.id, name: m.name, timezone: m.timezone },
      role: ctx.member.role,
      day,
      today: strip(days[day]),
      yesterday: strip(days[yesterday]),
      waitingHuman,
      revenueFen: owner ? days[day].revenueFen : null,
    };
  },

  'customers.list': async (ctx, req) => {
    const page = await ctx.deps.storage.customers.list(req.merchantId, { search: req.search, tag: req.tag, limit: req.limit, cursor: req.cursor });
    return { items: page.items.map((c) => customerView(c, ctx.member.role)), nextCursor: page.nextCursor };
  },

  'customers.get': async (ctx, req) => {
    const c = await ctx.deps.storage.customers.get(req.merchantId, req.externalUserId);
    if (!c) throw notFound('customer');
    const conv = await ctx.deps.storage.conversations.findByCustomer(req.merchantId, req.externalUserId, 'kf');
    const recentMessages = conv ? await ctx.deps.storage.messages.listByConversation(req.merchantId, conv.id, 10) : [];
    return { customer: customerView(c, ctx.member.role), recentMessages };
  },

  'conversations.list': async (ctx, req) => {
    const states = req.filter === 'waiting' ? (['waiting_human'] as const) : req.filter === 'ai' ? (['ai'] as const) : undefined;
    const page = await ctx.deps.storage.conversations.list(req.merchantId, { states: states ? [...states] : undefined, limit: req.limit, cursor: req.cursor });
    const items = [];
    for (const c of page.items) items.push(conversationView(c, await customerName(ctx, req.merchantId, c.externalUserId)));
    return { items, nextCursor: page.nextCursor };
  },

  'conversations.get': async (ctx, req) => {
    const c = await ctx.deps.storage.conversations.get(req.merchantId, req.conversationId);
    if (!c) throw notFound('conversation');
    const messages = await ctx.deps.storage.messages.listByConversation(req.merchantId, c.id, 100);
    const used = new Set(messages.flatMap((x) => x.answer?.knowledgeIds ?? []));
    const knowledge: Record<string, string> = {};
    if (used.size) {
      const faqs = new Map((await ctx.deps.storage.knowledge.listFaqs(req.merchantId)).map((f) => [f.id, f.question]));
      for (const id of used) knowledge[id] = faqs.get(id) ?? knowledgeLabel(id);
    }
    const item = await getTeachItem(ctx.deps, req.merchantId, c.id);
    return {
      conversation: conversationView(c, await customerName(ctx, req.merchantId, c.externalUserId)),
      messages,
      knowledge,
      teach: item ? await teachView(ctx, item) : null,
    };
  },

  'conversations.reply': async (ctx, req) => {
    const out = await staffReply(channelOf(ctx), { merchantId: req.merchantId, conversationId: req.conversationId, memberId: ctx.member.id, text: req.text, clientMsgId: req.clientMsgId });
    const c = await conversationOrThrow(ctx, req.merchantId, req.conversationId);
    return { conversation: conversationView(c, await customerName(ctx, req.merchantId, c.externalUserId)), sentParts: out.parts.length };
  },

  // 接手: the bot goes quiet and the conversation waits for a person (still WeCom state 1)
  'conversations.takeOver': async (ctx, req) => moveState(ctx, req.merchantId, req.conversationId, 'ai', 'waiting_human', 'conversation.take_over'),

  // 交还 AI: the bot answers again
  'conversations.handBack': async (ctx, req) => moveState(ctx, req.merchantId, req.conversationId, 'waiting_human', 'ai', 'conversation.hand_back'),

  'media.get': async (ctx, req) => {
    const store = ctx.channel?.media;
    const media = store ? await store.load(req.merchantId, req.ref) : null;
    if (!media) throw notFound('media');
    const inline = media.bytes.length <= MEDIA_INLINE_MAX_BYTES && /^image\//.test(media.contentType);
    return { contentType: media.contentType, fileName: media.fileName ?? null, size: media.bytes.length, base64: inline ? toBase64(media.bytes) : null };
  },

  'conversations.transfer': async (ctx, req) => {
    await conversationOrThrow(ctx, req.merchantId, req.conversationId);
    const c = await transferToWecomHuman(channelOf(ctx), req.merchantId, req.conversationId, req.servicerUserId, ctx.member.id);
    return { conversation: conversationView(c, await customerName(ctx, req.merchantId, c.externalUserId)) };
  },

  ...knowledgeHandlers,

  'settings.get': async (ctx, req) => settingsView(await merchantOrThrow(ctx, req.merchantId), ctx.deps.secrets),

  'settings.update': async (ctx, req) => {
    const m = await merchantOrThrow(ctx, req.merchantId);
    const now = ctx.deps.clock.now();
    const changed: Record<string, unknown> = {};
    if (req.name !== undefined) changed.name = req.name;
    if (req.aiPersona !== undefined) changed.aiPersona = req.aiPersona;
    if (req.businessHours !== undefined) changed.businessHours = req.businessHours ?? undefined;
    if (req.answerRules !== undefined) changed.answerRules = req.answerRules;
    const next = { ...m, ...changed, updatedAt: now };
    await ctx.deps.storage.merchants.save(next);
    await ctx.deps.storage.audit.append({
      id: ctx.deps.ids.id('aud'),
      merchantId: m.id,
      actor: ctx.member.id,
      action: 'settings.update',
      target: m.id,
      detail: { fields: Object.keys(changed) },
      at: now,
    });
    return settingsView(next, ctx.deps.secrets);
  },

  ...shopHandlers,

  'invites.create': async (ctx, req) => {
    const invite = await createInvite(ctx.deps, req.merchantId, req.role);
    await ctx.deps.storage.audit.append({
      id: ctx.deps.ids.id('aud'),
      merchantId: req.merchantId,
      actor: ctx.member.id,
      action: 'invites.create',
      target: req.role,
      detail: {},
      at: ctx.deps.clock.now(),
    });
    return { code: invite.code, role: invite.role, expiresAt: invite.expiresAt };
  },

  'audit.list': async (ctx, req) => {
    const entries = await ctx.deps.storage.audit.list(req.merchantId, req.limit);
    return { entries: entries.map(({ actor, action, target, at }) => ({ actor, action, target, at })) };
  },
};
