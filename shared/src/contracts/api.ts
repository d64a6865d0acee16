import { z } from 'zod';
import { Day, MerchantId } from '../domain/ids';
import { Role } from '../domain/member';
import { Counters } from '../domain/counters';
import { ConversationState, Message } from '../domain/conversation';
import { HandoffReasonCode } from '../domain/handoff-reason';
import { BusinessHours } from '../domain/merchant';
import { AnswerRules } from '../domain/answer-rules';
import { Faq } from '../domain/knowledge';
import { ORDER_POLICY, ORDER_REQUESTS, ORDER_RESULTS } from './api-orders';
import { REPORT_POLICY, REPORT_REQUESTS, REPORT_RESULTS, ReportSettingsChange, ReportSettingsView } from './api-reports';
import { ALERT_POLICY, ALERT_REQUESTS, ALERT_RESULTS } from './api-alerts';
import { STOCK_POLICY, STOCK_REQUESTS, STOCK_RESULTS } from './api-stock';
import { SUBSCRIBE_POLICY, SUBSCRIBE_REQUESTS, SUBSCRIBE_RESULTS } from './api-subscribe';
import { CUSTOMER_POLICY, CUSTOMER_REQUESTS, CUSTOMER_RESULTS } from './customers';
import { INBOX_POLICY, INBOX_REQUESTS, INBOX_RESULTS, THREAD_FIELDS, WAIT_FIELDS } from './api-inbox';
import { TAG_POLICY, TAG_REQUESTS, TAG_RESULTS } from './tags';
import { CAMPAIGN_POLICY, CAMPAIGN_REQUESTS, CAMPAIGN_RESULTS } from './campaigns';
import { CHANNEL_POLICY, CHANNEL_REQUESTS, CHANNEL_RESULTS } from './channels';

export { CustomerProfileView, CustomerView } from './customers';

/**
 * The `api` function's contract, shared by the owner app and the backend. Every action is one
 * member of the discriminated union; every action except `me.get` names the merchant it acts on,
 * and the backend checks the caller belongs to it.
 */
const m = { merchantId: MerchantId };
const Limit = z.number().int().min(1).max(100).default(20);
const Cursor = z.string().max(200).optional();

export const ApiRequest = z.discriminatedUnion('action', [
  z.object({ action: z.literal('me.get') }),
  // any length reaches the server, so a mistyped code gets INVITE.BAD_FORMAT and its Chinese message
  z.object({ action: z.literal('me.join'), code: z.string().trim().min(1).max(32), name: z.string().max(40).optional() }),
  /** 退出所有设备: every session of the caller stops working (a lost phone, a leaked link). */
  z.object({ action: z.literal('me.signOutEverywhere'), ...m }),
  z.object({ action: z.literal('dashboard.today'), ...m }),
  /** Daily counters for the last `days` days, today included (trend charts). */
  z.object({ action: z.literal('dashboard.trends'), ...m, days: z.union([z.literal(7), z.literal(30)]).default(7) }),
  /** What needs a person: for the tab bar badge and the 今日 queue link. */
  z.object({ action: z.literal('badges.get'), ...m }),
  /** `undelivered`: conversations with a message that did not go out (没发出去), newest first, one page. */
  z.object({ action: z.literal('conversations.list'), ...m, filter: z.enum(['waiting', 'ai', 'all', 'undelivered']).default('all'), limit: Limit, cursor: Cursor }),
  z.object({ action: z.literal('conversations.get'), ...m, conversationId: z.string().min(1).max(128), before: z.string().max(200).optional() }),
  z.object({
    action: z.literal('conversations.reply'),
    ...m,
    conversationId: z.string().min(1).max(128),
    text: z.string().trim().min(1).max(4000),
    clientMsgId: z
      .string()
      .regex(/^[0-9A-Za-z_-]{1,40}$/)
      .optional(),
  }),
  z.object({ action: z.literal('conversations.takeOver'), ...m, conversationId: z.string().min(1).max(128) }),
  z.object({ action: z.literal('conversations.handBack'), ...m, conversationId: z.string().min(1).max(128) }),
  /** 重发: one AI or staff message that did not go out (failed, or unknown after a crash), sent again; a second call sends nothing. */
  z.object({ action: z.literal('conversations.retrySend'), ...m, conversationId: z.string().min(1).max(128), messageId: z.string().min(1).max(128) }),
  /** A customer's image (or other media) kept from WeCom, for the thread. */
  z.object({ action: z.literal('media.get'), ...m, ref: z.string().regex(/^media:[0-9a-f]{16,64}$/) }),
  z.object({ action: z.literal('conversations.transfer'), ...m, conversationId: z.string().min(1).max(128), servicerUserId: z.string().trim().min(1).max(64) }),
  z.object({ action: z.literal('kb.list'), ...m, limit: z.number().int().min(1).max(200).optional(), cursor: Cursor }), // limit: 100 when absent
  /** Adds a FAQ (no id) or edits one (id); the engine answers from it at once. */
  z.object({
    action: z.literal('kb.save'),
    ...m,
    id: z.string().min(1).max(64).optional(),
    question: Faq.shape.question,
    answer: Faq.shape.answer,
    alternatives: z.array(z.string().trim().min(1).max(500)).max(30).default([]),
    enabled: z.boolean().default(true),
  }),
  z.object({ action: z.literal('kb.setEnabled'), ...m, id: z.string().min(1).max(64), enabled: z.boolean() }),
  /** A knowledge-base file from the phone: json or csv as text, xlsx as base64. Good rows are kept, bad rows reported. */
  z.object({ action: z.literal('kb.import'), ...m, format: z.enum(['json', 'csv', 'xlsx']), content: z.string().min(1).max(2_000_000) }),
  /** 问问 AI: what the engine would answer, without sending anything or counting. */
  z.object({ action: z.literal('kb.ask'), ...m, text: z.string().trim().min(1).max(500) }),
  /** The "AI 没答上来" queue. */
  z.object({ action: z.literal('teach.list'), ...m }),
  /** One step: the question becomes a new FAQ, or an alternative phrasing of an existing one. */
  z.object({
    action: z.literal('teach.save'),
    ...m,
    itemId: z.string().min(1).max(128),
    question: Faq.shape.question,
    /** New FAQ: its answer. Alternative: omit (the FAQ keeps its answer). */
    answer: Faq.shape.answer.optional(),
    faqId: z.string().min(1).max(64).optional(),
  }),
  z.object({ action: z.literal('teach.dismiss'), ...m, itemId: z.string().min(1).max(128) }),
  z.object({ action: z.literal('settings.get'), ...m }),
  z.object({
    action: z.literal('settings.update'),
    ...m,
    name: z.string().min(1).max(60).optional(),
    aiPersona: z.string().max(500).optional(),
    /** null: no opening hours set (handoffs never mention hours). */
    businessHours: BusinessHours.nullable().optional(),
    answerRules: AnswerRules.optional(),
    /** 推送设置: report time, who gets the push (member ids; null: the owners), its format. */
    reports: ReportSettingsChange.optional(),
  }),
  /** The setup checker: what the WeCom channel recorded, each red item with its fix. */
  z.object({ action: z.literal('setup.check'), ...m }),
  z.object({ action: z.literal('members.list'), ...m }),
  z.object({
    action: z.literal('members.update'),
    ...m,
    memberId: z.string().min(1).max(64),
    onDuty: z.boolean().optional(),
    /** The member's WeCom userid: where handoff notifications go. Empty string clears it. */
    wecomUserId: z
      .string()
      .trim()
      .max(64)
      .regex(/^[0-9A-Za-z_@.-]*$/, '企业微信账号只能是英文、数字和 _ @ . -')
      .optional(),
    name: z.string().trim().max(40).optional(),
  }),
  /** 移出店铺: the member loses access at once (their next call is refused, their sessions end); not oneself, not the last owner. */
  z.object({ action: z.literal('members.remove'), ...m, memberId: z.string().min(1).max(64) }),
  z.object({ action: z.literal('invites.create'), ...m, role: Role }),
  z.object({ action: z.literal('audit.list'), ...m, limit: Limit }),
  ...ORDER_REQUESTS,
  ...REPORT_REQUESTS,
  ...ALERT_REQUESTS,
  ...STOCK_REQUESTS,
  ...SUBSCRIBE_REQUESTS,
  ...INBOX_REQUESTS,
  ...TAG_REQUESTS,
  ...CAMPAIGN_REQUESTS,
  ...CHANNEL_REQUESTS,
  ...CUSTOMER_REQUESTS,
]);
export type ApiRequest = z.infer<typeof ApiRequest>;
export type ApiRequestInput = z.input<typeof ApiRequest>;
export type ApiAction = ApiRequest['action'];
export const API_ACTIONS = ApiRequest.options.map((o) => o.shape.action.value) as ApiAction[];

/** Who may call each action. TypeScript makes this table complete. */
export const ACTION_POLICY: Record<ApiAction, { role: 'owner' | 'staff'; scope: 'merchant' | 'self' | 'join' }> = {
  'me.get': { role: 'staff', scope: 'self' },
  // joining is how a person becomes a member: the invite code is the authorization
  'me.join': { role: 'staff', scope: 'join' },
  'me.signOutEverywhere': { role: 'owner', scope: 'merchant' },
  'dashboard.today': { role: 'staff', scope: 'merchant' },
  'dashboard.trends': { role: 'staff', scope: 'merchant' },
  'badges.get': { role: 'staff', scope: 'merchant' },
  'conversations.list': { role: 'staff', scope: 'merchant' },
  'conversations.get': { role: 'staff', scope: 'merchant' },
  'conversations.reply': { role: 'staff', scope: 'merchant' },
  'conversations.takeOver': { role: 'staff', scope: 'merchant' },
  'conversations.handBack': { role: 'staff', scope: 'merchant' },
  'conversations.retrySend': { role: 'staff', scope: 'merchant' },
  'conversations.transfer': { role: 'staff', scope: 'merchant' },
  'media.get': { role: 'staff', scope: 'merchant' },
  'kb.list': { role: 'staff', scope: 'merchant' },
  // staff teach the AI too (ARCHITECTURE §2)
  'kb.save': { role: 'staff', scope: 'merchant' },
  'kb.setEnabled': { role: 'staff', scope: 'merchant' },
  'kb.import': { role: 'owner', scope: 'merchant' },
  'kb.ask': { role: 'staff', scope: 'merchant' },
  'teach.list': { role: 'staff', scope: 'merchant' },
  'teach.save': { role: 'staff', scope: 'merchant' },
  'teach.dismiss': { role: 'staff', scope: 'merchant' },
  'settings.get': { role: 'owner', scope: 'merchant' },
  'settings.update': { role: 'owner', scope: 'merchant' },
  'setup.check': { role: 'owner', scope: 'merchant' },
  'members.list': { role: 'owner', scope: 'merchant' },
  'members.update': { role: 'owner', scope: 'merchant' },
  'members.remove': { role: 'owner', scope: 'merchant' },
  'invites.create': { role: 'owner', scope: 'merchant' },
  'audit.list': { role: 'owner', scope: 'merchant' },
  ...ORDER_POLICY,
  ...REPORT_POLICY,
  ...ALERT_POLICY,
  ...STOCK_POLICY,
  ...SUBSCRIBE_POLICY,
  ...INBOX_POLICY,
  ...TAG_POLICY,
  ...CAMPAIGN_POLICY,
  ...CHANNEL_POLICY,
  ...CUSTOMER_POLICY,
};

// ---- results ----------------------------------------------------------------------------

export const MerchantSummary = z.object({ id: MerchantId, name: z.string(), role: Role });

/** A WeCom configuration problem a real call ran into, until a call of the same kind succeeds. */
export const WecomProblemView = z.object({
  kind: z.enum(['app', 'contact', 'kf']),
  /** What is wrong, e.g. 微信客服的 Secret 不对. */
  title: z.string(),
  /** What to do, in plain Chinese. */
  fix: z.string(),
  /** What stops working meanwhile, e.g. AI 现在回不了客户. */
  effect: z.string(),
  at: z.number(),
});
export type WecomProblemView = z.infer<typeof WecomProblemView>;

export const DashboardToday = z.object({
  merchant: z.object({ id: MerchantId, name: z.string(), timezone: z.string() }),
  role: Role,
  day: Day,
  today: Counters,
  /** Merchant-local hour now: `yesterday` and `lastWeek` cover hours 0..throughHour of their day. */
  throughHour: z.number().int().min(0).max(23),
  /** Yesterday up to the same hour (not the whole day: today is still running). */
  yesterday: Counters,
  /** The same weekday last week, up to the same hour. */
  lastWeek: Counters,
  waitingHuman: z.number().int().nonnegative(),
  /** Revenue is for owners only: staff get null. */
  revenueFen: z.number().int().nullable(),
  /** False until the shop has any order (webhook, import): the app says where orders come from instead of showing ¥0 as real. */
  hasOrders: z.boolean().default(true),
  /** For owners (staff get none): WeCom configuration problems, most harmful first. */
  wecomProblems: z.array(WecomProblemView).default([]),
});
export type DashboardToday = z.infer<typeof DashboardToday>;

export const ConversationView = z.object({
  id: z.string(),
  externalUserId: z.string(),
  customerName: z.string(),
  state: ConversationState,
  waitingSince: z.number().nullable(),
  lastMessagePreview: z.string(),
  updatedAt: z.number(),
  /** How many of its messages did not go out (没发出去); set by conversations.list only. */
  undelivered: z.number().int().nonnegative().optional(),
  /** While it waits for a person after the AI handed it over: why (null otherwise, and for handoffs stored before reasons). */
  handoffReason: HandoffReasonCode.nullable().optional(),
  /** The reason as the owner reads it: 投诉, 找人, 订单, 受伤/安全, 要店里答应的事, 没把握, 两次没答上. */
  handoffReasonText: z.string().nullable().optional(),
  ...WAIT_FIELDS,
});
export type ConversationView = z.infer<typeof ConversationView>;

export const SettingsView = z.object({
  id: MerchantId,
  name: z.string(),
  industry: z.string(),
  timezone: z.string(),
  aiPersona: z.string(),
  businessHours: BusinessHours.nullable(),
  answerRules: AnswerRules,
  reports: ReportSettingsView,
  wecom: z.object({
    corpId: z.string(),
    agentId: z.number().nullable(),
    /** Secrets are never sent to the app: only whether each is set, masked. */
    secrets: z.object({ app: z.string().nullable(), contact: z.string().nullable(), kf: z.string().nullable() }),
    callbackToken: z.string(),
    callbackAesKey: z.string(),
    kfCallbackConfigured: z.boolean(),
  }),
});
export type SettingsView = z.infer<typeof SettingsView>;

export const FaqView = z.object({ id: z.string(), question: z.string(), answer: z.string(), alternatives: z.array(z.string()), enabled: z.boolean(), updatedAt: z.number() });
export type FaqView = z.infer<typeof FaqView>;

export const TeachItemView = z.object({
  id: z.string(),
  conversationId: z.string(),
  externalUserId: z.string(),
  customerName: z.string(),
  question: z.string(),
  earlier: z.array(z.string()),
  reason: z.string(),
  /** The reason as the owner reads it (要找人工 / AI 不确定 / …). */
  reasonText: z.string(),
  /** The reason's code (older servers: absent). */
  handoffReason: HandoffReasonCode.optional(),
  /**
   * True for a gap in the knowledge base (教 AI 怎么答); false for what a person must handle each
   * time (a complaint, an order, harm, a request for a person or a promise), never offered as a FAQ.
   */
  teachable: z.boolean().optional(),
  askedAt: z.number(),
  staffReply: z.object({ text: z.string(), at: z.number(), by: z.enum(['staff', 'servicer']) }).nullable(),
});
export type TeachItemView = z.infer<typeof TeachItemView>;

/** What the engine would do with a question: the reply, the knowledge used and how sure it is. */
export const AskResult = z.object({
  reply: z.string().nullable(),
  handoff: z.boolean(),
  reason: z.string(),
  reasonText: z.string(),
  confidence: z.number(),
  knowledge: z.array(z.object({ id: z.string(), question: z.string() })),
  engine: z.enum(['offline', 'model']),
});
export type AskResult = z.infer<typeof AskResult>;

export const SetupItem = z.object({
  key: z.string(),
  ok: z.boolean(),
  /** What is checked, e.g. 回调地址验证. */
  label: z.string(),
  /** What we saw, e.g. 11月22日 10:02 验证通过. */
  detail: z.string(),
  /** For a red item: what to do, in plain Chinese. */
  fix: z.string().nullable(),
  /** Not run (not needed, not asked for, or waiting on a red item above); counts as ok. */
  skipped: z.boolean().optional(),
});
export type SetupItem = z.infer<typeof SetupItem>;

export const MemberView = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  onDuty: z.boolean(),
  wecomUserId: z.string().nullable(),
  /** members.list: this is the caller (who cannot remove themself). */
  you: z.boolean().optional(),
});
export type MemberView = z.infer<typeof MemberView>;

const Page = <T extends z.ZodTypeAny>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const ApiResults = {
  'me.get': z.object({ memberId: z.string(), merchants: z.array(MerchantSummary) }),
  'me.join': z.object({ merchant: MerchantSummary }),
  'me.signOutEverywhere': z.object({ signedOutAt: z.number().int() }),
  'dashboard.today': DashboardToday,
  'dashboard.trends': z.object({
    days: z.array(z.object({ day: Day, counters: Counters })),
    /** Revenue per day is for owners only: staff get zeros and this false. */
    revenueShown: z.boolean(),
  }),
  'badges.get': z.object({ waitingHuman: z.number().int().nonnegative(), unanswered: z.number().int().nonnegative() }),
  'conversations.list': Page(ConversationView),
  'conversations.get': z.object({
    conversation: ConversationView,
    /** Oldest first. */
    messages: z.array(Message),
    /** The question of every knowledge id the AI's replies used (for "用到的知识"). */
    knowledge: z.record(z.string(), z.string()),
    /** This conversation's entry in the "AI 没答上来" queue, if any: teach from the thread. */
    teach: TeachItemView.nullable(),
    ...THREAD_FIELDS,
  }),
  'conversations.reply': z.object({ conversation: ConversationView, sentParts: z.number().int().positive() }),
  'conversations.takeOver': z.object({ conversation: ConversationView }),
  'conversations.handBack': z.object({ conversation: ConversationView }),
  /** `resent` false: it had gone out already (a second tap), nothing was sent. */
  'conversations.retrySend': z.object({ messageId: z.string(), resent: z.boolean() }),
  'conversations.transfer': z.object({ conversation: ConversationView }),
  /** Images up to MEDIA_INLINE_MAX_BYTES come inline (base64); larger media only described. */
  'media.get': z.object({ contentType: z.string(), fileName: z.string().nullable(), size: z.number().int(), base64: z.string().nullable() }),
  'kb.list': z.object({ faqs: z.array(FaqView), nextCursor: z.string().nullable().default(null) }), // default: a server from before paging sent every FAQ
  'kb.save': z.object({ faq: FaqView, created: z.boolean() }),
  'kb.setEnabled': z.object({ faq: FaqView }),
  'kb.import': z.object({ added: z.number().int(), updated: z.number().int(), errors: z.array(z.object({ line: z.number().int(), message: z.string() })) }),
  'kb.ask': AskResult,
  'teach.list': z.object({ items: z.array(TeachItemView) }),
  'teach.save': z.object({ faq: FaqView, created: z.boolean() }),
  'teach.dismiss': z.object({ itemId: z.string() }),
  'settings.get': SettingsView,
  'settings.update': SettingsView,
  'setup.check': z.object({ items: z.array(SetupItem), allOk: z.boolean() }),
  'members.list': z.object({ members: z.array(MemberView) }),
  'members.update': z.object({ member: MemberView }),
  /** `sessionsEnded` false: the person still belongs to another shop, where their sessions go on. */
  'members.remove': z.object({ memberId: z.string(), sessionsEnded: z.boolean() }),
  'invites.create': z.object({ code: z.string(), role: Role, expiresAt: z.number() }),
  'audit.list': z.object({ entries: z.array(z.object({ actor: z.string(), action: z.string(), target: z.string(), at: z.number() })) }),
  ...ORDER_RESULTS,
  ...REPORT_RESULTS,
  ...ALERT_RESULTS,
  ...STOCK_RESULTS,
  ...SUBSCRIBE_RESULTS,
  ...INBOX_RESULTS,
  ...TAG_RESULTS,
  ...CAMPAIGN_RESULTS,
  ...CHANNEL_RESULTS,
  ...CUSTOMER_RESULTS,
} satisfies Record<ApiAction, z.ZodTypeAny>;
export type ApiResult<A extends ApiAction> = z.infer<(typeof ApiResults)[A]>;
export type ApiRequestOf<A extends ApiAction> = Extract<ApiRequestInput, { action: A }>;
