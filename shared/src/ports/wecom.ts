import { AppError } from '../domain/errors';
import type { SecretKind } from '../domain/merchant';

/**
 * The WeCom server API the product uses, one method per endpoint, in WeCom's own field names
 * (snake_case) so requests and answers can be checked against the official docs. The adapter
 * (cloudfunctions/server/wecom/api-client.ts) finds the merchant's CorpID and secret, keeps the
 * access token per (CorpID, kind) in the shared store, and turns errcodes into WecomApiError.
 * Base URL: WECOM_API_BASE (ARCHITECTURE §1).
 */

/**
 * Errcodes that mean the shop's WeCom setup is wrong, not the request or the moment: waiting does
 * not help, the owner has to change something. 40001 secret, 40013 CorpID, 40056 AgentId, 48002
 * API not granted, 60020 IP not trusted; the kf ones (silenceper/wechat work/kf/error.go): 95000
 * invalid / 95004 unknown open_kfid, 95011 the kf account is run from the WeCom client, 95012 微信客服
 * not enabled in WeCom, 95017 the kf API switch is off.
 */
export const CONFIG_ERRCODES: ReadonlySet<number> = new Set([40001, 40013, 40056, 48002, 60020, 95000, 95004, 95011, 95012, 95017]);

/** A non-zero errcode, typed. `retryable` for -1 / 45009; `config` for 40001 & co. (show the owner). */
export class WecomApiError extends AppError {
  constructor(
    readonly api: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WECOM.E${errcode < 0 ? `_${-errcode}` : errcode}`, `企业微信接口 ${api} 出错：${errcode} ${errmsg}`.slice(0, 300), 502);
  }
  get retryable() {
    return this.errcode === -1 || this.errcode === 45009;
  }
  get isConfig() {
    return CONFIG_ERRCODES.has(this.errcode);
  }
}

/** Transport trouble on our side of a WeCom call: nothing is wrong with the request itself. */
const TRANSIENT_CODES = new Set(['WECOM.TIMEOUT', 'WECOM.NETWORK', 'WECOM.UPSTREAM']);

/**
 * Whether waiting and trying again can help: timeouts, resets, 5xx, -1 (busy), 45009 (rate).
 * Our own domain errors (bad config, bad input) do not get better by waiting; an error that is
 * not ours at all (a bug, a storage hiccup) might, so it counts as transient too.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof WecomApiError) return err.retryable;
  if (err instanceof AppError) return TRANSIENT_CODES.has(err.code);
  return true;
}

export type KfOrigin = 3 | 4 | 5;

export interface KfEvent {
  event_type: string;
  open_kfid?: string;
  external_userid?: string;
  scene?: string;
  scene_param?: string;
  welcome_code?: string;
  fail_msgid?: string;
  fail_type?: number;
  servicer_userid?: string;
  status?: number;
  change_type?: number;
  old_servicer_userid?: string;
  new_servicer_userid?: string;
  msg_code?: string;
  recall_msgid?: string;
}

/** One item of kf/sync_msg's msg_list. */
export interface KfMessage {
  msgid: string;
  open_kfid: string;
  external_userid?: string;
  send_time: number;
  origin: KfOrigin;
  servicer_userid?: string;
  /** 'text' | 'image' | 'voice' | 'video' | 'file' | 'location' | 'link' | 'business_card' | 'miniprogram' | 'msgmenu' | 'event', and types WeCom adds later. */
  msgtype: string;
  text?: { content: string; menu_id?: string };
  image?: { media_id: string };
  voice?: { media_id: string };
  video?: { media_id: string };
  file?: { media_id: string };
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  link?: { title: string; desc?: string; url: string; pic_url?: string };
  business_card?: { userid: string };
  miniprogram?: { appid: string; title: string; thumb_media_id?: string; pagepath?: string };
  event?: KfEvent;
}

export interface KfTextMessage {
  touser: string;
  open_kfid: string;
  /** ≤32 bytes [0-9a-zA-Z_-]; deterministic per reply so a retry is recognisable. */
  msgid: string;
  msgtype: 'text';
  text: { content: string };
}

export interface ExternalContact {
  external_userid: string;
  name: string;
  avatar?: string;
  type?: number;
  gender?: number;
  unionid?: string;
}
export interface FollowUser {
  userid: string;
  remark?: string;
  createtime?: number;
  tags?: { group_name?: string; tag_name: string; tag_id?: string; type: number }[];
  remark_mobiles?: string[];
  state?: string;
}

export interface CorpTagGroup {
  group_id: string;
  group_name: string;
  create_time?: number;
  order?: number;
  deleted?: boolean;
  tag: { id: string; name: string; create_time?: number; order?: number; deleted?: boolean }[];
}

/** What a 联系我 way carries besides its type and scene (doc 96348). */
export interface ContactWayInput {
  remark?: string;
  skip_verify?: boolean;
  style?: number;
  state?: string;
  user?: string[];
  party?: number[];
}

export type MsgTemplateAttachment =
  | { msgtype: 'image'; image: { media_id?: string; pic_url?: string } }
  | { msgtype: 'link'; link: { title: string; picurl?: string; desc?: string; url: string } }
  | { msgtype: 'miniprogram'; miniprogram: { title: string; pic_media_id: string; appid: string; page: string } };

export interface WecomApi {
  // 微信客服 (kf secret, or the app secret when the app has kf access)
  kfSyncMsg(
    merchantId: string,
    req: { cursor?: string; token?: string; limit?: number; open_kfid?: string; voice_format?: number },
  ): Promise<{ next_cursor: string; has_more: 0 | 1; msg_list: KfMessage[] }>;
  kfSendMsg(merchantId: string, req: KfTextMessage): Promise<{ msgid: string }>;
  kfSendMsgOnEvent(merchantId: string, req: { code: string; msgid?: string; msgtype: 'text'; text: { content: string } }): Promise<{ msgid: string }>;
  kfServiceStateGet(merchantId: string, req: { open_kfid: string; external_userid: string }): Promise<{ service_state: number; servicer_userid?: string }>;
  kfServiceStateTrans(merchantId: string, req: { open_kfid: string; external_userid: string; service_state: number; servicer_userid?: string }): Promise<{ msg_code?: string }>;
  kfCustomerBatchGet(
    merchantId: string,
    req: { external_userid_list: string[]; need_enter_session_context?: 0 | 1 },
  ): Promise<{ customer_list: { external_userid: string; nickname: string; avatar?: string; gender?: number; unionid?: string }[]; invalid_external_userid: string[] }>;
  /** `manage_privilege` false: the account is not handed to this app (API) to receive for. */
  kfAccountList(
    merchantId: string,
    req?: { offset?: number; limit?: number },
  ): Promise<{ account_list: { open_kfid: string; name: string; avatar?: string; manage_privilege?: boolean }[] }>;
  // media (kind decides the token)
  mediaGet(merchantId: string, kind: SecretKind, mediaId: string): Promise<{ bytes: Uint8Array; contentType: string; fileName?: string }>;
  mediaUpload(
    merchantId: string,
    kind: SecretKind,
    type: 'image' | 'voice' | 'video' | 'file',
    file: { bytes: Uint8Array; fileName: string; contentType: string },
  ): Promise<{ media_id: string; created_at: string }>;
  // 客户联系 (contact secret)
  externalContactGet(merchantId: string, externalUserId: string, cursor?: string): Promise<{ external_contact: ExternalContact; follow_user: FollowUser[]; next_cursor?: string }>;
  externalContactBatchGetByUser(
    merchantId: string,
    req: { userid_list: string[]; cursor?: string; limit?: number },
  ): Promise<{ external_contact_list: { external_contact: ExternalContact; follow_info: FollowUser }[]; next_cursor?: string }>;
  corpTagList(merchantId: string, req?: { tag_id?: string[]; group_id?: string[] }): Promise<{ tag_group: CorpTagGroup[] }>;
  corpTagAdd(
    merchantId: string,
    req: { group_id?: string; group_name?: string; order?: number; tag: { name: string; order?: number }[]; agentid?: number },
  ): Promise<{ tag_group: CorpTagGroup }>;
  corpTagEdit(merchantId: string, req: { id: string; name?: string; order?: number; agentid?: number }): Promise<Record<string, never>>;
  corpTagDel(merchantId: string, req: { tag_id?: string[]; group_id?: string[]; agentid?: number }): Promise<Record<string, never>>;
  markTag(merchantId: string, req: { userid: string; external_userid: string; add_tag?: string[]; remove_tag?: string[] }): Promise<Record<string, never>>;
  sendWelcomeMsg(merchantId: string, req: { welcome_code: string; text?: { content: string } }): Promise<Record<string, never>>;
  /** 联系我 (doc 96348): `state` ≤ 30 chars comes back as follow_user.state; keep `config_id` to edit or delete. */
  addContactWay(merchantId: string, req: ContactWayInput & { type: 1 | 2; scene: 1 | 2 }): Promise<{ config_id: string; qr_code?: string }>;
  getContactWay(merchantId: string, req: { config_id: string }): Promise<{ contact_way: ContactWayInput & { config_id: string; type: 1 | 2; scene: 1 | 2; qr_code?: string } }>;
  updateContactWay(merchantId: string, req: ContactWayInput & { config_id: string }): Promise<Record<string, never>>;
  delContactWay(merchantId: string, req: { config_id: string }): Promise<Record<string, never>>;
  /** Only creates a task per sending member; each member confirms it in the WeCom client (doc 92135). */
  addMsgTemplate(
    merchantId: string,
    req: {
      chat_type?: 'single' | 'group';
      external_userid?: string[];
      sender?: string;
      allow_select?: boolean;
      text?: { content: string };
      /** ≤ 9. */
      attachments?: MsgTemplateAttachment[];
    },
  ): Promise<{ fail_list: string[]; msgid: string }>;
  /** `start_time`/`end_time` in seconds, ≤ 1 month apart; limit ≤ 100. */
  getGroupmsgListV2(
    merchantId: string,
    req: { chat_type: 'single' | 'group'; start_time: number; end_time: number; creator?: string; filter_type?: 0 | 1 | 2; limit?: number; cursor?: string },
  ): Promise<{ group_msg_list: { msgid: string; creator?: string; create_time: number; create_type: number; text?: { content: string } }[]; next_cursor?: string }>;
  /** At most 3 times per 24 h per task (doc 97610). */
  remindGroupmsgSend(merchantId: string, req: { msgid: string }): Promise<Record<string, never>>;
  /** Stops what members have not confirmed; what was sent stays sent (doc 97611). */
  cancelGroupmsgSend(merchantId: string, req: { msgid: string }): Promise<Record<string, never>>;
  getGroupmsgTask(
    merchantId: string,
    req: { msgid: string; limit?: number; cursor?: string },
  ): Promise<{ task_list: { userid: string; status: number; send_time?: number }[]; next_cursor?: string }>;
  getGroupmsgSendResult(
    merchantId: string,
    req: { msgid: string; userid: string; limit?: number; cursor?: string },
  ): Promise<{ send_list: { external_userid?: string; chat_id?: string; userid: string; status: number; send_time?: number }[]; next_cursor?: string }>;
  // app messages to members (app secret + agentid)
  messageSend(
    merchantId: string,
    req: {
      touser?: string;
      toparty?: string;
      totag?: string;
      msgtype: 'text' | 'markdown' | 'textcard' | 'image';
      text?: { content: string };
      /** A media_id from mediaUpload(kind 'app', type 'image'): valid for 3 days. */
      image?: { media_id: string };
      markdown?: { content: string };
      /** title ≤ 128 bytes, description ≤ 512 bytes, url required. */
      textcard?: { title: string; description: string; url: string; btntxt?: string };
      /** 1: WeCom drops the same message to the same people within `duplicate_check_interval` s (≤ 14400). */
      enable_duplicate_check?: 0 | 1;
      duplicate_check_interval?: number;
    },
  ): Promise<{ invaliduser?: string; msgid?: string }>;
  /** Group robot webhook: no token, the key is the credential. */
  webhookSend(
    key: string,
    req: { msgtype: 'text' | 'markdown' | 'image'; text?: { content: string }; markdown?: { content: string }; image?: { base64: string; md5: string } },
  ): Promise<Record<string, never>>;
}
