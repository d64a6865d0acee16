import { z } from 'zod';
import { Day, MerchantId } from '../domain/ids';
import { Role } from '../domain/member';
import { Counters } from '../domain/counters';
import { ConversationState, Message } from '../domain/conversation';
import { BusinessHours } from '../domain/merchant';

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
  z.object({ action: z.literal('me.join'), code: z.string().trim().min(6).max(16), name: z.string().max(40).optional() }),
  z.object({ action: z.literal('dashboard.today'), ...m }),
  z.object({ action: z.literal('customers.list'), ...m, search: z.string().max(40).optional(), tag: z.string().max(30).optional(), limit: Limit, cursor: Cursor }),
  z.object({ action: z.literal('customers.get'), ...m, externalUserId: z.string().min(1).max(128) }),
  z.object({ action: z.literal('conversations.list'), ...m, filter: z.enum(['waiting', 'ai', 'all']).default('all'), limit: Limit, cursor: Cursor }),
  z.object({ action: z.literal('conversations.get'), ...m, conversationId: z.string().min(1).max(128) }),
  z.object({ action: z.literal('conversations.reply'), ...m, conversationId: z.string().min(1).max(128), text: z.string().trim().min(1).max(4000), clientMsgId: z.string().regex(/^[0-9A-Za-z_-]{1,40}$/).optional() }),
  z.object({ action: z.literal('conversations.takeOver'), ...m, conversationId: z.string().min(1).max(128) }),
  z.object({ action: z.literal('conversations.handBack'), ...m, conversationId: z.string().min(1).max(128) }),
  z.object({ action: z.literal('conversations.transfer'), ...m, conversationId: z.string().min(1).max(128), servicerUserId: z.string().trim().min(1).max(64) }),
  z.object({ action: z.literal('kb.list'), ...m }),
  z.object({ action: z.literal('settings.get'), ...m }),
  z.object({
    action: z.literal('settings.update'),
    ...m,
    name: z.string().min(1).max(60).optional(),
    aiPersona: z.string().max(500).optional(),
    businessHours: BusinessHours.optional(),
  }),
  z.object({ action: z.literal('members.list'), ...m }),
  z.object({ action: z.literal('invites.create'), ...m, role: Role }),
  z.object({ action: z.literal('audit.list'), ...m, limit: Limit }),
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
  'dashboard.today': { role: 'staff', scope: 'merchant' },
  'customers.list': { role: 'staff', scope: 'merchant' },
  'customers.get': { role: 'staff', scope: 'merchant' },
  'conversations.list': { role: 'staff', scope: 'merchant' },
  'conversations.get': { role: 'staff', scope: 'merchant' },
  'conversations.reply': { role: 'staff', scope: 'merchant' },
  'conversations.takeOver': { role: 'staff', scope: 'merchant' },
  'conversations.handBack': { role: 'staff', scope: 'merchant' },
  'conversations.transfer': { role: 'staff', scope: 'merchant' },
  'kb.list': { role: 'staff', scope: 'merchant' },
  'settings.get': { role: 'owner', scope: 'merchant' },
  'settings.update': { role: 'owner', scope: 'merchant' },
  'members.list': { role: 'owner', scope: 'merchant' },
  'invites.create': { role: 'owner', scope: 'merchant' },
  'audit.list': { role: 'owner', scope: 'merchant' },
};

// ---- results ----------------------------------------------------------------------------

export const MerchantSummary = z.object({ id: MerchantId, name: z.string(), role: Role });

export const DashboardToday = z.object({
  merchant: z.object({ id: MerchantId, name: z.string(), timezone: z.string() }),
  role: Role,
  day: Day,
  today: Counters,
  yesterday: Counters,
  waitingHuman: z.number().int().nonnegative(),
  /** Revenue is for owners only: staff get null. */
  revenueFen: z.number().int().nullable(),
});
export type DashboardToday = z.infer<typeof DashboardToday>;

export const CustomerView = z.object({
  externalUserId: z.string(),
  name: z.string(),
  /** Masked (138****5678) for staff. */
  phone: z.string().nullable(),
  source: z.string(),
  tags: z.array(z.string()),
  totalSpentFen: z.number().int().nullable(),
  orderCount: z.number().int(),
  lastMessageAt: z.number().nullable(),
  createdAt: z.number(),
});
export type CustomerView = z.infer<typeof CustomerView>;

export const ConversationView = z.object({
  id: z.string(),
  externalUserId: z.string(),
  customerName: z.string(),
  state: ConversationState,
  waitingSince: z.number().nullable(),
  lastMessagePreview: z.string(),
  updatedAt: z.number(),
});
export type ConversationView = z.infer<typeof ConversationView>;

export const SettingsView = z.object({
  id: MerchantId,
  name: z.string(),
  industry: z.string(),
  timezone: z.string(),
  aiPersona: z.string(),
  businessHours: BusinessHours.nullable(),
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

const Page = <T extends z.ZodTypeAny>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const ApiResults = {
  'me.get': z.object({ memberId: z.string(), merchants: z.array(MerchantSummary) }),
  'me.join': z.object({ merchant: MerchantSummary }),
  'dashboard.today': DashboardToday,
  'customers.list': Page(CustomerView),
  'customers.get': z.object({ customer: CustomerView, recentMessages: z.array(Message) }),
  'conversations.list': Page(ConversationView),
  'conversations.get': z.object({ conversation: ConversationView, messages: z.array(Message) }),
  'conversations.reply': z.object({ conversation: ConversationView, sentParts: z.number().int().positive() }),
  'conversations.takeOver': z.object({ conversation: ConversationView }),
  'conversations.handBack': z.object({ conversation: ConversationView }),
  'conversations.transfer': z.object({ conversation: ConversationView }),
  'kb.list': z.object({
    faqs: z.array(z.object({ id: z.string(), question: z.string(), answer: z.string(), alternatives: z.array(z.string()), enabled: z.boolean() })),
  }),
  'settings.get': SettingsView,
  'settings.update': SettingsView,
  'members.list': z.object({ members: z.array(z.object({ id: z.string(), name: z.string(), role: Role, onDuty: z.boolean() })) }),
  'invites.create': z.object({ code: z.string(), role: Role, expiresAt: z.number() }),
  'audit.list': z.object({ entries: z.array(z.object({ actor: z.string(), action: z.string(), target: z.string(), at: z.number() })) }),
} satisfies Record<ApiAction, z.ZodTypeAny>;
export type ApiResult<A extends ApiAction> = z.infer<(typeof ApiResults)[A]>;
export type ApiRequestOf<A extends ApiAction> = Extract<ApiRequestInput, { action: A }>;
