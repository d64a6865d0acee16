/** The bodies the control routes take (`/sandbox/_control/*`), and the route list `GET /sandbox/_control` shows. */
import { z } from 'zod';
import { MerchantId } from '@xiaoer/shared/domain/ids';
import { LIMITS, RULE_NAMES } from './config';
import { QUOTA_PERIODS } from './groupmsg-quota';

const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[0-9A-Za-z_@.-]+$/, '只能是字母、数字和 _@.-');
const KfId = z.string().regex(/^wk[0-9A-Za-z_-]{1,62}$/, 'open_kfid 以 wk 开头');
const Media = z.object({ base64: z.string().min(1), contentType: z.string().default('image/jpeg'), fileName: z.string().default('image.jpg') });

export const CustomerMessage = z
  .object({
    merchantId: MerchantId,
    externalUserId: Id,
    text: z.string().min(1).max(20_000).optional(),
    image: Media.optional(),
    openKfId: KfId.optional(),
    nickname: z.string().max(60).optional(),
  })
  .refine((v) => Boolean(v.text) !== Boolean(v.image), { message: 'text 和 image 二选一', path: ['text'] });
export const ServicerMessage = z.object({ merchantId: MerchantId, externalUserId: Id, servicerUserId: Id, text: z.string().min(1).max(20_000), openKfId: KfId.optional() });
export const KfEvent = z.object({
  merchantId: MerchantId,
  externalUserId: Id,
  openKfId: KfId.optional(),
  eventType: z.string().min(1).max(64).default('enter_session'),
  scene: z.string().max(32).default(''),
  sceneParam: z.string().max(128).default(''),
  /** Extra fields of the event object, for event types other than enter_session. */
  event: z.record(z.string(), z.unknown()).default({}),
  /** false: queue the event for sync_msg but send no callback (tests of the raw endpoints). */
  notify: z.boolean().default(true),
});
export const KfSessionBody = z.object({
  merchantId: MerchantId,
  externalUserId: Id,
  openKfId: KfId.optional(),
  serviceState: z.number().int().min(0).max(4).optional(),
  servicerUserId: z.string().max(64).optional(),
  lastCustomerMessageAt: z.number().int().nonnegative().optional(),
  repliesSinceCustomer: z.number().int().min(0).max(100).optional(),
});
export const ContactAdd = z.object({
  merchantId: MerchantId,
  userId: Id,
  externalUserId: Id,
  name: z.string().max(60).optional(),
  state: z.string().max(30).optional(),
  welcome: z.boolean().default(true),
  /** false: only create the contact and code, send no callback (tests of the raw endpoints). */
  notify: z.boolean().default(true),
});
export const ContactWayAdd = z.object({
  merchantId: MerchantId,
  configId: z.string().regex(/^[0-9a-z]{1,64}$/, 'config_id 是 add_contact_way 给的'),
  externalUserId: Id,
  /** The member the customer reaches; default the way's first user (it must be one of them). */
  userId: Id.optional(),
  name: z.string().max(60).optional(),
  welcome: z.boolean().default(true),
  notify: z.boolean().default(true),
});
/** The merchant's 微信客服 accounts as WeCom has them; `managePrivilege` false: not handed to the API. */
export const KfAccountsBody = z.object({
  merchantId: MerchantId,
  accounts: z.array(z.object({ openKfId: KfId, name: z.string().min(1).max(60).optional(), managePrivilege: z.boolean().default(true) })).max(100),
});
export const Hold = z.object({ merchantId: MerchantId, api: z.string().min(1).max(80), on: z.boolean() });
export const RawCallback = z.object({ merchantId: MerchantId, xml: z.string().min(5).max(60_000), kf: z.boolean().default(false) });
export const Clock = z.union([z.object({ advanceMs: z.number().int() }), z.object({ set: z.union([z.number().int().nonnegative(), z.string().datetime()]) })]);
export const FaultBody = z.object({
  api: z.string().min(1).max(80),
  mode: z.enum(['errcode', 'timeout', 'reset', 'http5xx', 'lost']).default('errcode'),
  errcode: z.number().int().default(-1),
  times: z.number().int().min(0).max(1_000_000).default(1),
  merchantId: MerchantId.optional(),
});
export const ConfigBody = z
  .object({
    rules: z
      .object(Object.fromEntries(RULE_NAMES.map((r) => [r, z.boolean().optional()])) as Record<(typeof RULE_NAMES)[number], z.ZodOptional<z.ZodBoolean>>)
      .strict()
      .optional(),
    syncPageSize: z.number().int().min(1).max(LIMITS.syncMaxLimit).optional(),
    ratePerMinute: z.number().int().min(1).optional(),
    ratePerHour: z.number().int().min(1).optional(),
    webhookPerMinute: z.number().int().min(1).optional(),
  })
  .strict();
export const Reset = z.object({ merchantId: MerchantId.optional() });
/** Without userid: every member of the task confirms. */
export const GroupConfirm = z.object({ merchantId: MerchantId, msgid: z.string().min(1).max(128), userid: Id.optional() });
/** The corp admin's mass-send quota (群发助手 → 设置): as many per month as the month has days (default), 7 per week, 1 per day. */
export const GroupQuota = z.object({ merchantId: MerchantId, period: z.enum(QUOTA_PERIODS) });
export const GroupQuotaQuery = z.object({ merchantId: MerchantId, externalUserId: z.array(Id).max(100).default([]) });
/** A customer deletes a member (del_follow_user): no longer that member's friend at WeCom. */
export const ContactDelete = z.object({ merchantId: MerchantId, userId: Id, externalUserId: Id, notify: z.boolean().default(true) });
export const WebhookKey = z.object({ merchantId: MerchantId, key: z.string().min(1).max(200) });

/** GET /sandbox/_control: the route list (the README snippet says the same). */
export const ROUTES = {
  'POST /sandbox/_control/customer-message':
    '{merchantId, externalUserId, text | image:{base64,contentType?,fileName?}, openKfId?, nickname?} → a customer message (origin 3) + the encrypted kf_msg_or_event callback; returns {msgid, at, sentSeq, callback:{status, body, plaintextSha256}}',
  'POST /sandbox/_control/servicer-message': '{merchantId, externalUserId, servicerUserId, text, openKfId?} → a 接待人员 reply (origin 5) + callback',
  'POST /sandbox/_control/kf-event':
    '{merchantId, externalUserId, openKfId?, eventType="enter_session", scene?, sceneParam?, event?} → an event (origin 4; enter_session carries a 20 s welcome_code) + callback',
  'POST /sandbox/_control/kf-session':
    "{merchantId, externalUserId, openKfId?, serviceState?, servicerUserId?, lastCustomerMessageAt?, repliesSinceCustomer?} → sets WeCom's side of a session",
  'POST /sandbox/_control/contact-add':
    '{merchantId, userId, externalUserId, name?, state?, welcome=true, notify=true} → 客户联系 add_external_contact callback with a 20 s WelcomeCode',
  'POST /sandbox/_control/contact-delete':
    "{merchantId, userId, externalUserId, notify=true} → the customer deletes the member: WeCom's contact loses that member (a mass send from them answers status 2) + the del_follow_user callback",
  'POST /sandbox/_control/contact-way-add':
    "{merchantId, configId, externalUserId, userId?, name?, welcome=true, notify=true} → a customer adds a member through a 联系我 code: add_external_contact callback with the way's State and a 20 s WelcomeCode",
  'GET|POST /sandbox/_control/kf-accounts':
    "{merchantId, accounts:[{openKfId, name?, managePrivilege=true}]} (GET: ?merchantId=) → replaces the merchant's 微信客服 accounts as kf/account/list answers them ([] = none; managePrivilege false = not handed to the API); returns {accounts}",
  'GET|POST /sandbox/_control/hold':
    '{merchantId, api, on} (GET: ?merchantId=&api=) → while on, calls of a tag API stay in flight until released (tests of the 5-at-once limit); returns {api, held, inFlight}',
  'POST /sandbox/_control/callback': '{merchantId, xml, kf=false} → encrypts, signs and delivers any callback XML',
  'GET|POST /sandbox/_control/clock': '{advanceMs} | {set: epoch ms or ISO} → moves the shared clock; returns {now, iso}',
  'GET|POST /sandbox/_control/fault':
    '{api, mode="errcode"|"timeout"|"reset"|"http5xx"|"lost", errcode=-1, times=1, merchantId?} → the next `times` calls of api answer errcode, never answer, drop the connection, answer HTTP 503, or are carried out with the answer lost (times 0 clears)',
  'GET|POST /sandbox/_control/config': '{rules?:{<rule>:bool}, syncPageSize?, ratePerMinute?, ratePerHour?, webhookPerMinute?} → effective config',
  'GET /sandbox/_control/sent?merchantId=&after=':
    'the sent list, oldest first, each {seq, at, api, to, msgtype, text, msgid, errcode}; mass sends add count: add_msg_template its recipients, remind_groupmsg_send / cancel_groupmsg_send (msgid = the task) the members reminded or stopped, listed in to',
  'POST /sandbox/_control/reset': '{merchantId?} → forgets sandbox state (all merchants, config and faults when no merchantId)',
  'POST /sandbox/_control/groupmsg-confirm':
    '{merchantId, msgid, userid?} → one member (or all) confirms a mass message in the WeCom client: task status 2; each recipient 1 sent, 2 not a friend of that member, 3 quota used up; returns {msgid, members:[{userid, result: sent|already_sent, sendTime, delivered, notFriend, quotaUsedUp}]}; 409 CONFLICT.GROUPMSG_CANCELLED for a member who had not confirmed a cancelled task',
  'GET|POST /sandbox/_control/groupmsg-quota':
    '{merchantId, period: "month"|"week"|"day"} (GET: ?merchantId=&externalUserId=a,b) → the corp\'s per-customer mass-send quota: as many per calendar month as the month has days (default), 7 per week (Mon–Sun), 1 per day, China time; returns {merchantId, period, cap, received?:{<id>: n this period}}',
  'POST /sandbox/_control/webhook-key': '{merchantId, key} → robot sends with this key are listed under that merchant',
};
