import type { Customer } from '../domain/customer';
import { rulesOf } from '../domain/answer-rules';
import type { Conversation } from '../domain/conversation';
import { HANDOFF_REASON_LABEL, handoffReasonOf, isTeachable } from '../domain/handoff-reason';
import type { StoredFaq } from '../domain/knowledge';
import type { Merchant } from '../domain/merchant';
import type { Member, Role } from '../domain/member';
import type { ConversationView, CustomerProfileView, CustomerView, FaqView, MemberView, SettingsView, TeachItemView } from '../contracts/api';
import { sourceText } from '../domain/customer-source';
import type { CustomerOrdersView } from '../contracts/api-customer-orders';
import type { SecretBox } from '../ports/secrets';
import { orderSummary, type CustomerOrders } from '../usecases/customers/orders';
import type { NamedConversation } from '../usecases/conversations/queries';
import { reasonText } from '../usecases/knowledge/teach';
import type { NamedTeachItem } from '../usecases/knowledge/teach-queue';
import { reportSettingsOf } from '../domain/report';
import { robotView } from '../usecases/reports/channels';

/** 13812345678 → 138****5678: staff don't need a customer's full number. */
export function maskPhone(phone: string): string {
  if (phone.length < 7) return '*'.repeat(phone.length);
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

/** Shows that a secret is set and which one it is, never enough to use it. */
export function maskTail(plain: string): string {
  return plain.length < 12 ? '****' : `****${plain.slice(-4)}`;
}

/** `channels`: the shop's channel QR codes by state, so a customer they brought reads 渠道活码 · <name>. */
export function customerView(c: Customer, role: Role, channels?: ReadonlyMap<string, string>): CustomerView {
  return {
    externalUserId: c.externalUserId,
    name: c.name,
    phone: c.phone ? (role === 'owner' ? c.phone : maskPhone(c.phone)) : null,
    source: c.source,
    sourceText: sourceText(c.source, c.sourceState !== undefined ? channels?.get(c.sourceState) : undefined),
    tags: c.tags,
    totalSpentFen: role === 'owner' ? c.totalSpentFen : null,
    orderCount: c.orderCount,
    lastMessageAt: c.lastMessageAt ?? null,
    createdAt: c.createdAt,
    note: c.note ?? null,
    birthday: c.birthday ?? null,
  };
}

/** 客户资料: the list's view and the store, first contact and last order. */
export function customerProfileView(c: Customer, role: Role, storeName: string | null, channels?: ReadonlyMap<string, string>): CustomerProfileView {
  return {
    ...customerView(c, role, channels),
    note: c.note ?? null,
    birthday: c.birthday ?? null,
    storeId: c.storeId ?? null,
    storeName,
    firstContactAt: c.createdAt,
    lastOrderAt: c.lastOrderAt ?? null,
  };
}

/** A customer's orders on their profile: amounts only for owners (staff don't see money). */
export function customerOrdersView(o: CustomerOrders, role: Role): CustomerOrdersView {
  return {
    recent: o.recent.map((x) => ({ orderNo: x.id, placedAt: x.placedAt, status: x.status, amountFen: role === 'owner' ? x.amountFen : null, summary: orderSummary(x) })),
    firstOrderAt: o.firstOrderAt,
    lastOrderAt: o.lastOrderAt,
    categories: o.categories,
  };
}

export function conversationView(c: Conversation, customerName: string): ConversationView {
  return {
    id: c.id,
    externalUserId: c.externalUserId,
    customerName,
    state: c.state,
    waitingSince: c.state === 'waiting_human' ? (c.waitingSince ?? c.updatedAt) : null,
    lastMessagePreview: c.lastMessagePreview,
    updatedAt: c.updatedAt,
    ...handoffReasonView(c),
  };
}

/**
 * Why it waits for a person, while it does: the reason stored with the AI's handoff, unless the
 * wait began later (a person took over by hand). Older handoffs have no reason: null.
 */
function handoffReasonView(c: Conversation): Pick<ConversationView, 'handoffReason' | 'handoffReasonText'> {
  const current = c.state === 'waiting_human' && c.handoffReason && c.handoffAt !== undefined && c.handoffAt >= (c.waitingSince ?? 0);
  return current ? { handoffReason: c.handoffReason!, handoffReasonText: HANDOFF_REASON_LABEL[c.handoffReason!] } : { handoffReason: null, handoffReasonText: null };
}

export const namedView = (n: NamedConversation): ConversationView => ({
  ...conversationView(n.conversation, n.customerName),
  ...(n.undelivered !== undefined ? { undelivered: n.undelivered } : {}),
  ...(n.wait ? { waitFrom: n.wait.waitFrom, replied: n.wait.replied, lastQuestion: n.wait.lastQuestion } : {}),
});

export const faqView = (f: StoredFaq): FaqView => ({
  id: f.id,
  question: f.question,
  answer: f.answer,
  alternatives: f.alternatives,
  enabled: f.enabled !== false,
  updatedAt: f.updatedAt,
});

export const savedFaqView = (out: { faq: StoredFaq; created: boolean }) => ({ faq: faqView(out.faq), created: out.created });

export const memberView = (m: Member): MemberView => ({ id: m.id, name: m.name, role: m.role, onDuty: m.onDuty !== false, wecomUserId: m.wecomUserId ?? null });

export function teachView({ item, customerName }: NamedTeachItem): TeachItemView {
  return {
    id: item.id,
    conversationId: item.conversationId,
    externalUserId: item.externalUserId,
    customerName,
    question: item.question,
    earlier: item.earlier ?? [],
    reason: item.reason,
    reasonText: reasonText(item.reason),
    handoffReason: handoffReasonOf(item.reason),
    teachable: isTeachable(handoffReasonOf(item.reason)),
    askedAt: item.askedAt,
    staffReply: item.staffReply ?? null,
  };
}

export function settingsView(m: Merchant, box: SecretBox): SettingsView {
  const masked = (s: Parameters<SecretBox['open']>[0] | undefined) => (s ? maskTail(box.open(s)) : null);
  return {
    id: m.id,
    name: m.name,
    industry: m.industry,
    timezone: m.timezone,
    aiPersona: m.aiPersona,
    businessHours: m.businessHours ?? null,
    answerRules: rulesOf(m),
    reports: {
      dailyAt: reportSettingsOf(m).dailyAt,
      format: reportSettingsOf(m).format,
      recipients: m.reports?.recipients ?? null,
      channels: reportSettingsOf(m).channels,
      robot: robotView(m),
    },
    wecom: {
      corpId: m.wecom.corpId,
      agentId: m.wecom.agentId ?? null,
      secrets: { app: masked(m.wecom.secrets.app), contact: masked(m.wecom.secrets.contact), kf: masked(m.wecom.secrets.kf) },
      callbackToken: maskTail(box.open(m.wecom.callback.token)),
      callbackAesKey: maskTail(box.open(m.wecom.callback.aesKey)),
      kfCallbackConfigured: Boolean(m.wecom.kfCallback),
    },
  };
}
