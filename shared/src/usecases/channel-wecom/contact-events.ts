import type { Customer, CustomerSource } from '../../domain/customer';
import type { Merchant } from '../../domain/merchant';
import { WecomApiError, type ExternalContact, type FollowUser } from '../../ports/wecom';
import { requireMerchant } from '../shop/require-merchant';
import { NS, TEXTS, optionsOf, type WecomContext } from './context';
import { count } from '../reports/counters';
import type { ExternalContactCallback, ExternalTagCallback, HandlerResult } from './events';
import { updateKv } from '../lib/kv-cas';
import { pullWecomTags, refreshGroup, syncable, syncTags } from '../tags/sync';
import type { Channel } from '../../domain/channel';
import { readChannel } from '../channels/store';

/** 41051: the welcome code was already used (another app welcomed first, or the member already chatted). */
export const WELCOME_CODE_USED = 41051;

/** The source of a customer from the contact way's `State` (kept verbatim in sourceState). */
export function sourceFromState(state: string | undefined): CustomerSource {
  if (!state) return 'other';
  const s = state.toLowerCase();
  if (/^(campaign|cmp|act)[-_:.]/.test(s) || s.startsWith('campaign')) return 'campaign';
  if (/^(ref|referral|invite)[-_:.]/.test(s)) return 'referral';
  if (/(^|[-_:.])qr([-_:.]|$)/.test(s) || s.startsWith('qr')) return 'qr';
  return 'contact_way';
}

async function contactWelcomeText(ctx: WecomContext, merchant: Merchant, channel: Channel | null): Promise<string> {
  // a channel QR code's own welcome; without one, the shop's
  if (channel?.welcome?.trim()) return channel.welcome.trim();
  const facts = await ctx.deps.storage.knowledge.getFacts(merchant.id);
  const custom = facts.contactWelcome ?? facts.welcome;
  return typeof custom === 'string' && custom.trim() ? custom.trim() : TEXTS.contactWelcome(merchant.name);
}

type WelcomeState = 'sent' | 'already_used' | 'failed' | 'skipped';

/** The welcome first (WelcomeCode is valid 20 s, single use), once per code. */
async function welcome(ctx: WecomContext, merchant: Merchant, code: string, channel: Channel | null): Promise<{ state: WelcomeState; error?: string }> {
  const { deps } = ctx;
  const now = deps.clock.now();
  if (!(await deps.storage.kv.set(merchant.id, NS.contactWelcome, code, { state: 'sending', at: now }, null, now))) return { state: 'skipped' };
  let outcome: { state: WelcomeState; error?: string };
  try {
    await ctx.wecom.sendWelcomeMsg(merchant.id, { welcome_code: code, text: { content: await contactWelcomeText(ctx, merchant, channel) } });
    outcome = { state: 'sent' };
  } catch (err) {
    if (err instanceof WecomApiError && err.errcode === WELCOME_CODE_USED) outcome = { state: 'already_used' };
    else outcome = { state: 'failed', error: err instanceof Error ? err.message.slice(0, 300) : String(err) };
  }
  await updateKv(deps.storage.kv, merchant.id, NS.contactWelcome, code, deps.clock.now(), () => ({ ...outcome, at: now }));
  return outcome;
}

interface ContactDetails {
  contact: ExternalContact | null;
  follow: FollowUser | null;
  error?: string;
}

/** externalcontact/get, paging follow_user until the member who got the event appears. */
async function fetchContact(ctx: WecomContext, merchantId: string, externalUserId: string, userId: string): Promise<ContactDetails> {
  try {
    let cursor: string | undefined;
    let contact: ExternalContact | null = null;
    let follow: FollowUser | null = null;
    for (let page = 0; page < 20; page++) {
      const res = await ctx.wecom.externalContactGet(merchantId, externalUserId, cursor);
      contact ??= res.external_contact;
      follow ??= res.follow_user.find((f) => f.userid === userId) ?? null;
      if (follow || !res.next_cursor) break;
      cursor = res.next_cursor;
    }
    return { contact, follow };
  } catch (err) {
    return { contact: null, follow: null, error: err instanceof Error ? err.message.slice(0, 300) : String(err) };
  }
}

const PHONE = /^\+?[0-9][0-9 -]{4,18}$/;

function merged(merchantId: string, ev: ExternalContactCallback, existing: Customer | null, details: ContactDetails, now: number): Customer {
  const mobile = details.follow?.remark_mobiles?.find((p) => PHONE.test(p.trim()))?.trim();
  const name = (details.follow?.remark || details.contact?.name || existing?.name || '').slice(0, 60);
  const state = ev.state ?? details.follow?.state;
  const base: Customer = existing ?? {
    merchantId,
    externalUserId: ev.externalUserId,
    name: '',
    source: sourceFromState(state),
    tags: [],
    totalSpentFen: 0,
    orderCount: 0,
    lost: false,
    createdAt: ev.createTime || now,
    updatedAt: now,
  };
  return {
    ...base,
    name,
    ...(mobile ? { phone: mobile.slice(0, 20) } : {}),
    ...(details.contact?.avatar ? { avatar: details.contact.avatar } : {}),
    ...(existing && existing.source !== 'other' ? {} : { source: sourceFromState(state) }),
    ...(state && !base.sourceState ? { sourceState: state.slice(0, 128) } : {}),
    followUserId: ev.userId || base.followUserId,
    updatedAt: now,
  };
}

/** Through a channel QR code: its tags, and 渠道活码 as the source of someone new to the shop. */
function withChannel(c: Customer, existing: Customer | null, channel: Channel | null): Customer {
  if (!channel) return c;
  const tags = [...c.tags, ...channel.tags.filter((t) => !c.tags.includes(t))];
  return { ...c, tags, ...(!existing || existing.source === 'other' ? { source: 'contact_way' as const } : {}) };
}

/** The channel's tags at WeCom now (the tag rules may have synced already: then no call); failures wait in the ledger. */
async function syncChannelTags(ctx: WecomContext, merchantId: string, externalUserId: string): Promise<void> {
  const fresh = await ctx.deps.storage.customers.get(merchantId, externalUserId);
  if (fresh && syncable(fresh)) await syncTags({ deps: ctx.deps, wecom: ctx.wecom }, merchantId, [fresh]);
}

/**
 * add_external_contact (and add_half_external_contact): welcome FIRST (within WelcomeCode's
 * 20 s, once; 41051 = someone else welcomed: fine), then the customer from externalcontact/get
 * (name, the member, remark mobiles), the source from State, the tag-rules hook, and a new
 * customer counted (unless we already had them and they were not lost). A State naming one of
 * the shop's channel QR codes brings that channel's welcome text and tags.
 */
export async function onAddExternalContact(ctx: WecomContext, merchantId: string, ev: ExternalContactCallback): Promise<HandlerResult> {
  const { deps } = ctx;
  const merchant = await requireMerchant(ctx.deps, merchantId);
  if (!ev.externalUserId) return { status: 'ignored', reason: 'no ExternalUserID' };
  // one kv read before the welcome: a channel QR code's State picks its own welcome text
  const channel = (await readChannel(deps, merchantId, ev.state ?? ''))?.channel ?? null;
  const welcomed = ev.welcomeCode ? await welcome(ctx, merchant, ev.welcomeCode, channel) : { state: 'skipped' as const };
  const now = deps.clock.now();
  const existing = await deps.storage.customers.get(merchantId, ev.externalUserId);
  const details = await fetchContact(ctx, merchantId, ev.externalUserId, ev.userId);
  const customer: Customer = withChannel({ ...merged(merchantId, ev, existing, details, now), lost: false }, existing, channel);
  if (!existing || existing.lost) {
    await count(deps, merchant, [{ name: 'newCustomers', at: ev.createTime || now, eventId: `contact:add:${ev.externalUserId}:${ev.createTime}` }]);
  }
  await deps.storage.customers.upsert(customer);
  await optionsOf(ctx).tagRules(ctx, customer);
  if (channel?.tags.length) await syncChannelTags(ctx, merchantId, ev.externalUserId);
  return {
    status: 'handled',
    detail: { welcome: welcomed.state, ...(channel ? { channel: channel.name } : {}), ...(details.error ? { contactError: details.error } : {}) },
  };
}

/** edit_external_contact: refresh what WeCom knows (name, remark mobiles, the member). */
export async function onEditExternalContact(ctx: WecomContext, merchantId: string, ev: ExternalContactCallback): Promise<HandlerResult> {
  const { deps } = ctx;
  if (!ev.externalUserId) return { status: 'ignored', reason: 'no ExternalUserID' };
  const existing = await deps.storage.customers.get(merchantId, ev.externalUserId);
  const details = await fetchContact(ctx, merchantId, ev.externalUserId, ev.userId);
  if (details.error && !existing) throw new Error(details.error);
  await deps.storage.customers.upsert(merged(merchantId, ev, existing, details, deps.clock.now()));
  // a member tagged the customer in the WeCom client (this event, not change_external_tag): our group's tags flow back
  if (details.follow) await pullWecomTags(deps, merchantId, ev.externalUserId, details.follow);
  return { status: 'handled', detail: details.error ? { contactError: details.error } : {} };
}

/**
 * del_external_contact (the member removed the customer) and del_follow_user (the customer
 * removed the member): the customer is lost, counted once. A removal by 在职继承
 * (Source=DELETE_BY_TRANSFER) moves the customer to another member: not lost.
 */
export async function onCustomerLost(ctx: WecomContext, merchantId: string, ev: ExternalContactCallback): Promise<HandlerResult> {
  const { deps } = ctx;
  if (ev.changeType === 'del_external_contact' && ev.source === 'DELETE_BY_TRANSFER') return { status: 'ignored', reason: 'transferred to another member' };
  if (!ev.externalUserId) return { status: 'ignored', reason: 'no ExternalUserID' };
  const merchant = await requireMerchant(ctx.deps, merchantId);
  const now = deps.clock.now();
  const existing = await deps.storage.customers.get(merchantId, ev.externalUserId);
  if (existing?.lost) return { status: 'handled', detail: { alreadyLost: true } };
  await count(deps, merchant, [{ name: 'lostCustomers', at: ev.createTime || now, eventId: `contact:lost:${ev.externalUserId}:${ev.createTime}` }]);
  await deps.storage.customers.upsert({
    ...(existing ?? {
      merchantId,
      externalUserId: ev.externalUserId,
      name: '',
      source: 'other' as const,
      tags: [],
      totalSpentFen: 0,
      orderCount: 0,
      createdAt: ev.createTime || now,
    }),
    ...(ev.userId && !existing?.followUserId ? { followUserId: ev.userId } : {}),
    lost: true,
    updatedAt: now,
  });
  return { status: 'handled', detail: { by: ev.changeType } };
}

/** transfer_fail (在职/离职继承 refused or over the limit): recorded for the owner. */
export async function onTransferFail(ctx: WecomContext, merchantId: string, ev: ExternalContactCallback): Promise<HandlerResult> {
  const { deps } = ctx;
  const now = deps.clock.now();
  const key = `${ev.userId}:${ev.externalUserId}:${ev.createTime}`;
  if (
    await deps.storage.kv.set(
      merchantId,
      NS.transferFail,
      key,
      { userId: ev.userId, externalUserId: ev.externalUserId, failReason: ev.failReason ?? '', at: ev.createTime || now },
      null,
      now,
    )
  ) {
    await deps.storage.audit.append({
      id: deps.ids.id('audit'),
      merchantId,
      actor: 'wecom',
      action: 'customer.transfer_fail',
      target: ev.externalUserId,
      detail: { userId: ev.userId, failReason: ev.failReason ?? '' },
      at: now,
    });
  }
  return { status: 'handled', detail: { failReason: ev.failReason ?? '' } };
}

/** The corp tag list as last synced (kv `wecom.contact` / `corp-tags`). */
export interface CorpTagsValue {
  tag_group: Awaited<ReturnType<WecomContext['wecom']['corpTagList']>>['tag_group'];
  syncedAt: number;
}

/** change_external_tag (any change type): the event names an id only, so resync the whole list. */
export async function onExternalTagChange(ctx: WecomContext, merchantId: string, ev: ExternalTagCallback): Promise<HandlerResult> {
  const tags = await syncCorpTags(ctx, merchantId);
  await refreshGroup(ctx.deps, merchantId, tags.tag_group);
  return { status: 'handled', detail: { changeType: ev.changeType, tagType: ev.tagType, groups: tags.tag_group.length } };
}

export async function syncCorpTags(ctx: WecomContext, merchantId: string): Promise<CorpTagsValue> {
  const { deps } = ctx;
  const res = await ctx.wecom.corpTagList(merchantId, {});
  const value: CorpTagsValue = { tag_group: res.tag_group ?? [], syncedAt: deps.clock.now() };
  await updateKv<CorpTagsValue>(deps.storage.kv, merchantId, NS.contact, 'corp-tags', deps.clock.now(), () => value);
  return value;
}

export async function readCorpTags(ctx: Pick<WecomContext, 'deps'>, merchantId: string): Promise<CorpTagsValue | null> {
  return (await ctx.deps.storage.kv.get<CorpTagsValue>(merchantId, NS.contact, 'corp-tags'))?.value ?? null;
}
