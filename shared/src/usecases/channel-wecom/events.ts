import type { InboxEntry } from '../../domain/inbox';

/**
 * The decrypted callback, typed. The server parses the XML (fast-xml-parser, parseTagValue:false)
 * and hands over the `<xml>` root's children; every leaf is a string, nested lists are objects.
 */
export type { RawCallback } from '../../ports/wecom-callback';
import type { RawCallback } from '../../ports/wecom-callback';

interface Envelope {
  msgType: string;
  event: string;
  changeType: string;
  /** ToUserName: the CorpID. */
  corpId: string;
  /** CreateTime in ms (WeCom gives seconds). */
  createTime: number;
}

export interface KfMsgOrEventCallback extends Envelope {
  kind: 'kf_msg_or_event';
  token: string;
  openKfId: string;
}

export const CONTACT_CHANGE_TYPES = [
  'add_external_contact',
  'add_half_external_contact',
  'edit_external_contact',
  'del_external_contact',
  'del_follow_user',
  'transfer_fail',
  'msg_audit_approved',
] as const;
export type ContactChangeType = (typeof CONTACT_CHANGE_TYPES)[number];

export interface ExternalContactCallback extends Envelope {
  kind: 'external_contact';
  changeType: ContactChangeType;
  userId: string;
  externalUserId: string;
  state?: string;
  welcomeCode?: string;
  /** del_external_contact: `DELETE_BY_TRANSFER` when 在职继承 moved the customer. */
  source?: string;
  /** transfer_fail: customer_refused / customer_limit_exceed. */
  failReason?: string;
}

export interface ExternalTagCallback extends Envelope {
  kind: 'external_tag';
  /** create / update / delete / shuffle */
  id: string;
  tagType: string;
  strategyId?: string;
}

/** Anything else (app messages, change_external_chat, …): recorded, never rejected. */
export interface OtherCallback extends Envelope {
  kind: 'other';
  fields: Record<string, string>;
}

export type WecomCallback = KfMsgOrEventCallback | ExternalContactCallback | ExternalTagCallback | OtherCallback;

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : '');
const opt = (v: unknown): string | undefined => str(v) || undefined;

function envelope(raw: RawCallback): Envelope {
  const seconds = Number(str(raw.CreateTime));
  return {
    msgType: str(raw.MsgType).trim(),
    event: str(raw.Event).trim(),
    changeType: str(raw.ChangeType).trim(),
    corpId: str(raw.ToUserName),
    createTime: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0,
  };
}

/** Reads the fields of a decrypted callback into the union; never throws on unknown shapes. */
export function parseCallback(raw: RawCallback): WecomCallback {
  const env = envelope(raw);
  if (env.msgType === 'event' && env.event === 'kf_msg_or_event') {
    return { ...env, kind: 'kf_msg_or_event', token: str(raw.Token), openKfId: str(raw.OpenKfId) };
  }
  if (env.msgType === 'event' && env.event === 'change_external_contact' && (CONTACT_CHANGE_TYPES as readonly string[]).includes(env.changeType)) {
    return {
      ...env,
      kind: 'external_contact',
      changeType: env.changeType as ContactChangeType,
      userId: str(raw.UserID),
      externalUserId: str(raw.ExternalUserID),
      state: opt(raw.State),
      welcomeCode: opt(raw.WelcomeCode),
      source: opt(raw.Source),
      failReason: opt(raw.FailReason),
    };
  }
  if (env.msgType === 'event' && env.event === 'change_external_tag') {
    return { ...env, kind: 'external_tag', id: str(raw.Id), tagType: str(raw.TagType), strategyId: opt(raw.StrategyId) };
  }
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (str(v)) fields[k] = str(v);
  return { ...env, kind: 'other', fields };
}

/** What a handler did with a callback. `deferred`: come back in `retryInMs` (keep the entry pending). */
export type HandlerResult =
  { status: 'handled'; detail?: Record<string, unknown> } | { status: 'ignored'; reason: string } | { status: 'deferred'; retryInMs: number; reason: string };

export type CallbackHandler<Ctx, E extends WecomCallback = WecomCallback> = (ctx: Ctx, merchantId: string, event: E, entry: InboxEntry) => Promise<HandlerResult>;

/** `MsgType|Event|ChangeType`; `*` as ChangeType matches any change type of that event. */
export type RouteKey = `${string}|${string}|${string}`;
export const routeKey = (msgType: string, event: string, changeType: string): RouteKey => `${msgType}|${event}|${changeType}`;

export type RouteTable<Ctx> = Partial<Record<RouteKey, CallbackHandler<Ctx, never>>>;

/** Declares a route whose handler only ever receives callbacks of `kind`. */
export function on<Ctx, K extends WecomCallback['kind']>(kind: K, handler: CallbackHandler<Ctx, Extract<WecomCallback, { kind: K }>>): CallbackHandler<Ctx, never> {
  const checked: CallbackHandler<Ctx> = async (ctx, merchantId, event, entry) => {
    if (event.kind !== kind) return { status: 'ignored', reason: `route expects ${kind}, got ${event.kind}` };
    return handler(ctx, merchantId, event as Extract<WecomCallback, { kind: K }>, entry);
  };
  return checked as CallbackHandler<Ctx, never>;
}

/**
 * Table-driven dispatch (OpenSCRM style): the exact MsgType × Event × ChangeType, then the
 * event's `*` row. A combination without a row is `ignored`, never an error.
 */
export async function dispatch<Ctx>(table: RouteTable<Ctx>, ctx: Ctx, merchantId: string, event: WecomCallback, entry: InboxEntry): Promise<HandlerResult> {
  const handler = table[routeKey(event.msgType, event.event, event.changeType)] ?? table[routeKey(event.msgType, event.event, '*')];
  if (!handler) return { status: 'ignored', reason: `no handler for ${routeKey(event.msgType || '-', event.event || '-', event.changeType || '-')}` };
  return (handler as CallbackHandler<Ctx>)(ctx, merchantId, event, entry);
}
