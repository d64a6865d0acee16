/**
 * The sandbox's rules, limits and error codes in one place (protocol doc §4, §5, §7).
 *
 * Every rule that makes WeCom refuse a call is switchable, so a test can prove it would catch a
 * regression (on: the call fails; off: the same call succeeds). Codes marked UNVERIFIED were not
 * confirmed in a primary source (see ../shared/docs/wecom-protocol.md): the product must treat
 * them as "that send failed", never branch on the exact number. Codes ≥ 95990 and the HTTP 404
 * for an unknown api are SANDBOX-ONLY: real WeCom never answers them.
 */

export const RULE_NAMES = [
  /** access_token stops working 7200 s (shared clock) after gettoken issued it → 42001. */
  'tokenExpiry',
  /** per-minute and per-hour caps: ratePerMinute and ratePerHour per (merchant, api), webhookPerMinute per robot key → 45009. */
  'rateLimit',
  /** kf/send_msg later than 48 h after the customer's last message → 95002 (UNVERIFIED code). */
  'kfWindow48h',
  /** at most 5 kf/send_msg per customer message (reset when the customer writes) → 95001. */
  'kfFivePerMessage',
  /** kf/send_msg only while service_state is 0 or 1 (not 2, 3 = a person holds it, 4) → 95018. */
  'kfSessionState',
  /** welcome codes (客户联系 WelcomeCode, kf welcome_code / msg_code): single use → 41051, 20 s → 41096 (UNVERIFIED). */
  'welcomeCode',
  /** text.content over the byte limit (2048 kf/app/robot text, 4000 welcome/mass text, 4096 robot markdown) → 45002. */
  'textLength',
  /** add_msg_template with more than 10 000 external_userid → 40058. */
  'templateRecipients',
  /** a kf msgid that was already sent successfully → 95999 "sandbox: msgid already sent" (SANDBOX-ONLY). */
  'msgidDedupe',
  /** the callback Token passed to kf/sync_msg is valid 10 min → 95007 (UNVERIFIED code). */
  'syncTokenExpiry',
  /** more than 5 calls of one tag API (mark_tag, add_corp_tag, …) in flight for one corp → 45033 (protocol doc §10). */
  'tagConcurrency',
  /** tag names and 联系我 `state` longer than 30 characters → 40058 (protocol doc §10; WeCom's exact code is not documented). */
  'thirtyChars',
  /** add_msg_template attachments: more than 9, a link desc over 512 bytes, a mini-program title over 64 bytes → 40058 (protocol doc §5). */
  'templateAttachments',
  /** get_groupmsg_list_v2 with end_time more than a month (31 days) after start_time → 40058 (protocol doc §5, §10). */
  'groupmsgListRange',
  /**
   * Per-customer mass-send quota (protocol doc §10, doc 92135): when a member confirms, a recipient
   * already at the corp's quota this period gets send_result status 3 instead of the message.
   */
  'massSendQuota',
  /** remind_groupmsg_send more than 3 times in 24 h for one msgid → 45011 (doc 97610; UNVERIFIED code). */
  'remindThreePerDay',
] as const;
export type RuleName = (typeof RULE_NAMES)[number];
export type SandboxRules = Record<RuleName, boolean>;

export interface SandboxConfig {
  rules: SandboxRules;
  /** kf/sync_msg returns at most this many messages per call (WeCom: ≤1000); tests set 2 to make paging real. */
  syncPageSize: number;
  /** Calls per merchant per api per clock minute (protocol §7: ≤10 000/min per corp per API). */
  ratePerMinute: number;
  /** Calls per merchant per api per clock hour (protocol §10, doc 90454: 150 000/h per corp per API). */
  ratePerHour: number;
  /** Group robot messages per key per clock minute (protocol §5: 20/min). */
  webhookPerMinute: number;
}

export const DEFAULT_RULES: SandboxRules = Object.fromEntries(RULE_NAMES.map((r) => [r, true])) as SandboxRules;

export const DEFAULT_CONFIG: SandboxConfig = { rules: DEFAULT_RULES, syncPageSize: 1000, ratePerMinute: 10_000, ratePerHour: 150_000, webhookPerMinute: 20 };

const S = 1000;
export const LIMITS = {
  tokenTtlMs: 7200 * S,
  syncTokenTtlMs: 10 * 60 * S,
  kfWindowMs: 48 * 3600 * S,
  kfRepliesPerMessage: 5,
  welcomeCodeTtlMs: 20 * S,
  /** msg_code of service_state/trans to 2/3: one message within 48 h. */
  sessionCodeTtlMs: 48 * 3600 * S,
  syncMaxLimit: 1000,
  syncHistoryMs: 3 * 24 * 3600 * S,
  mediaTtlMs: 3 * 24 * 3600 * S,
  /** Sandbox cap (real WeCom allows up to 10–20 MB): media is kept in the KV store. */
  mediaMaxBytes: 2 * 1024 * 1024,
  mediaMinBytes: 5,
  textBytes: 2048,
  longTextBytes: 4000,
  robotMarkdownBytes: 4096,
  templateRecipients: 10_000,
  templateChats: 2000,
  /** Calls of one tag API in flight per corp (protocol doc §10: mark_tag, 45033 beyond). */
  tagConcurrency: 5,
  /** Tag names and contact-way `state` (protocol doc §10). */
  nameChars: 30,
  /** add_msg_template (protocol doc §5). */
  templateAttachments: 9,
  linkDescBytes: 512,
  miniprogramTitleBytes: 64,
  /** get_groupmsg_list_v2: start_time..end_time at most a month apart (31 days, the longest month). */
  groupmsgListRangeS: 31 * 24 * 3600,
  /** remind_groupmsg_send per msgid per rolling 24 h (doc 97610). */
  remindsPerDay: 3,
  /** Request bodies (add_msg_template with 10 000+ ids, media uploads). */
  bodyBytes: 4 * 1024 * 1024,
};

/** [errcode, errmsg] as WeCom spells them (errmsg text is informative only). */
export const E = {
  ok: [0, 'ok'],
  busy: [-1, 'system busy'],
  invalidSecret: [40001, 'invalid credential'],
  /** Mini-program subscribe message (protocol doc §8): touser is not an openid of the app. */
  invalidOpenid: [40003, 'invalid openid'],
  /** Mini-program subscribe message: unknown template_id. */
  invalidTemplateId: [40037, 'invalid template_id'],
  /** Mini-program subscribe message: page is not a page of the app. */
  invalidPage: [41030, 'invalid page'],
  /** Mini-program subscribe message: the user has no subscription of this template left (or refused it). */
  subscribeRefused: [43101, 'user refuse to accept the msg'],
  /** Mini-program subscribe message: data (a keyword's value) does not fit its type. */
  argumentInvalid: [47003, 'argument invalid!'],
  invalidMediaType: [40004, 'invalid media type'],
  invalidFileSize: [40006, 'invalid file size'],
  invalidMediaId: [40007, 'invalid media_id'],
  invalidMsgtype: [40008, 'invalid message type'],
  invalidCorpId: [40013, 'invalid corpid'],
  invalidToken: [40014, 'invalid access_token'],
  invalidAgentId: [40056, 'invalid agentid'],
  invalidParam: [40058, 'invalid Request Parameter'],
  /** UNVERIFIED (third-party summaries): unknown tag or group id. */
  invalidTagId: [40068, 'invalid tagid'],
  /** UNVERIFIED: tag or group name already exists. */
  tagNameExists: [40071, 'tag name exists'],
  missingToken: [41001, 'access_token missing'],
  missingCorpId: [41002, 'corpid missing'],
  missingSecret: [41004, 'corpsecret missing'],
  welcomeCodeUsed: [41051, 'externaluser has started chatting'],
  /** UNVERIFIED: an unknown or expired (20 s) welcome code / msg_code. */
  welcomeCodeInvalid: [41096, 'invalid welcome_code'],
  tokenExpired: [42001, 'access_token expired'],
  emptyContent: [44004, 'empty content'],
  /** 消息内容大小超过限制 (global error code list; the sandbox refuses where real WeCom may truncate). */
  contentTooLong: [45002, 'content size out of limit'],
  freqLimit: [45009, 'api freq out of limit'],
  /**
   * UNVERIFIED: a 4th remind_groupmsg_send of one msgid within 24 h. The doc states the limit
   * but no code; 45011 is the global list's "API调用太频繁". Deliberately not 45009, which the
   * product's client retries with backoff: a refused remind must not be retried.
   */
  remindLimit: [45011, 'remind groupmsg send count limit exceed'],
  /** Too many calls of one API at once (protocol doc §10, mark_tag's limit of 5). */
  concurrentLimit: [45033, 'api concurrent out of limit'],
  dataFormat: [47001, 'data format error, Warning: wrong json format.'],
  apiForbidden: [48002, 'api forbidden'],
  allRecipientsInvalid: [81013, 'user & party & tag all invalid'],
  /** UNVERIFIED: the customer is not an external contact (of that member). */
  notContact: [84061, 'not external contact'],
  invalidWebhook: [93000, 'invalid webhook url'],
  invalidOpenKfId: [95000, 'invalid open_kfid'],
  /** 5 messages per customer message (issue/code comments quoting the doc). */
  kfSendCount: [95001, 'send msg count limit exceed'],
  /** UNVERIFIED: the synchronous code for "more than 48 h after the customer's last message"; WeCom documents the async msg_send_fail fail_type 4. */
  kfSendTime: [95002, 'send msg time limit exceed'],
  openKfIdNotExist: [95004, 'open_kfid not exist'],
  /** UNVERIFIED: the sync_msg Token is unknown or older than 10 min. */
  kfInvalidMsgToken: [95007, 'invalid msg token'],
  /** UNVERIFIED: service_state/trans outside the allowed transitions. */
  kfBadTransition: [95016, 'invalid service state transition'],
  kfSessionStatus: [95018, 'send msg session status invalid'],
  /** SANDBOX-ONLY: a kf msgid that was already sent successfully. */
  sandboxMsgidSent: [95999, 'sandbox: msgid already sent'],
} as const satisfies Record<string, readonly [number, string]>;
export type ErrName = keyof typeof E;

/** The APIs whose calls are recorded in the sent list. */
export const SEND_APIS = new Set([
  'kf/send_msg',
  'kf/send_msg_on_event',
  'externalcontact/send_welcome_msg',
  'externalcontact/add_msg_template',
  'externalcontact/remind_groupmsg_send',
  'externalcontact/cancel_groupmsg_send',
  'message/send',
  'webhook/send',
  'externalcontact/mark_tag',
  // not sends, but changes at WeCom a test wants to see made (issue 15: the tag and contact-way calls)
  'externalcontact/add_corp_tag',
  'externalcontact/edit_corp_tag',
  'externalcontact/del_corp_tag',
  'externalcontact/add_contact_way',
  'externalcontact/get_contact_way',
  'externalcontact/list_contact_way',
  'externalcontact/update_contact_way',
  'externalcontact/del_contact_way',
]);
