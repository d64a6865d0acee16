import type { SecretKind } from '../domain/merchant';
import { WecomApiError, type CorpTagGroup, type ExternalContact, type FollowUser, type KfMessage, type KfTextMessage, type WecomApi } from '../ports/wecom';
import { MSGID_PATTERN, utf8Length } from '../usecases/channel-wecom/msgid';

/**
 * A fake WeCom for tests (a fake, not a mock): records every call, serves kf/sync_msg from a
 * message stream with real cursor semantics (plus scripted pages), keeps contacts and tags,
 * enforces the few rules the product must respect (msgid alphabet, 2048-byte text, single-use
 * welcome codes → 41051), and fails on demand.
 */
export interface FakeCall {
  api: string;
  merchantId: string;
  req: unknown;
  ok: boolean;
}

type SyncPage = { next_cursor: string; has_more: 0 | 1; msg_list: KfMessage[] };

interface Failure {
  api: string;
  errcode: number;
  /** Thrown as is instead of a WecomApiError (timeouts, resets: what the HTTP adapter throws). */
  error?: Error;
  times: number;
  when?: (req: any) => boolean;
}

export class FakeWecomApi implements WecomApi {
  readonly calls: FakeCall[] = [];
  /** Everything customers, servicers and WeCom "said", in order; sync_msg pages through it. */
  readonly kfStream: KfMessage[] = [];
  /** Answers for the next sync_msg calls, before the stream is consulted (cursor ignored). */
  readonly scriptedPages: SyncPage[] = [];
  /** Items per sync_msg page. */
  pageSize = 1000;
  /** Runs before a sync_msg answer is returned (to interleave a concurrent sync). */
  beforeSyncReturn?: (req: { cursor?: string }, page: SyncPage) => Promise<void>;
  readonly contacts = new Map<string, { external_contact: ExternalContact; follow_user: FollowUser[] }>();
  corpTags: CorpTagGroup[] = [];
  readonly usedWelcomeCodes = new Set<string>();
  readonly kfCustomers = new Map<string, { nickname: string; avatar?: string }>();
  /** What kf/account/list answers (none by default). */
  kfAccounts: { open_kfid: string; name: string; manage_privilege?: boolean }[] = [];
  private failures: Failure[] = [];
  private seq = 0;

  /** The next `times` calls of `api` (matching `when`) fail with `errcode`. */
  failNext(api: string, errcode: number, opts: { times?: number; when?: (req: any) => boolean } = {}) {
    this.failures.push({ api, errcode, times: opts.times ?? 1, when: opts.when });
  }

  /** The next `times` calls of `api` throw `error` (a transport failure rather than an errcode). */
  throwNext(api: string, error: Error, opts: { times?: number } = {}) {
    this.failures.push({ api, errcode: 0, error, times: opts.times ?? 1 });
  }

  callsTo(api: string, onlyOk = true) {
    return this.calls.filter((c) => c.api === api && (!onlyOk || c.ok));
  }

  /** Text the customer actually received through kf/send_msg, in order. */
  sentTexts(to?: string): string[] {
    return this.callsTo('kf/send_msg')
      .map((c) => c.req as KfTextMessage)
      .filter((r) => !to || r.touser === to)
      .map((r) => r.text.content);
  }

  // ---- builders for the stream ----

  nextMsgId() {
    this.seq++;
    return `msg${String(this.seq).padStart(6, '0')}`;
  }

  push(...msgs: KfMessage[]) {
    this.kfStream.push(...msgs);
    return msgs;
  }

  protected async call<T>(api: string, merchantId: string, req: unknown, fn: () => T | Promise<T>): Promise<T> {
    const f = this.failures.find((x) => x.api === api && x.times > 0 && (!x.when || x.when(req)));
    if (f) {
      f.times--;
      this.calls.push({ api, merchantId, req, ok: false });
      throw f.error ?? new WecomApiError(api, f.errcode, 'injected by the fake');
    }
    try {
      const res = await fn();
      this.calls.push({ api, merchantId, req, ok: true });
      return res;
    } catch (err) {
      this.calls.push({ api, merchantId, req, ok: false });
      throw err;
    }
  }

  // ---- 微信客服 ----

  kfSyncMsg(merchantId: string, req: { cursor?: string; token?: string; limit?: number; open_kfid?: string }) {
    return this.call('kf/sync_msg', merchantId, { ...req }, async () => {
      let page: SyncPage;
      const scripted = this.scriptedPages.shift();
      if (scripted) page = scripted;
      else {
        const stream = this.kfStream.filter((m) => !req.open_kfid || m.open_kfid === req.open_kfid);
        const from = req.cursor ? Number(req.cursor.replace(/^c/, '')) : 0;
        const n = Math.min(req.limit ?? 1000, this.pageSize);
        const list = stream.slice(from, from + n);
        const to = from + list.length;
        page = { next_cursor: `c${to}`, has_more: to < stream.length ? 1 : 0, msg_list: structuredCloneish(list) };
      }
      await new Promise<void>((r) => setTimeout(r, 1));
      if (this.beforeSyncReturn) await this.beforeSyncReturn(req, page);
      return page;
    });
  }

  kfSendMsg(merchantId: string, req: KfTextMessage) {
    return this.call('kf/send_msg', merchantId, req, () => {
      if (!MSGID_PATTERN.test(req.msgid)) throw new WecomApiError('kf/send_msg', 40058, `bad msgid ${req.msgid}`);
      if (utf8Length(req.text.content) > 2048) throw new WecomApiError('kf/send_msg', 40058, 'content over 2048 bytes');
      return { msgid: req.msgid };
    });
  }

  kfSendMsgOnEvent(merchantId: string, req: { code: string; msgid?: string; msgtype: 'text'; text: { content: string } }) {
    return this.call('kf/send_msg_on_event', merchantId, req, () => ({ msgid: req.msgid ?? 'auto' }));
  }

  kfServiceStateGet(merchantId: string, req: { open_kfid: string; external_userid: string }) {
    return this.call('kf/service_state/get', merchantId, req, () => ({ service_state: 1 }));
  }

  kfServiceStateTrans(merchantId: string, req: { open_kfid: string; external_userid: string; service_state: number; servicer_userid?: string }) {
    return this.call('kf/service_state/trans', merchantId, req, () => ({ msg_code: 'MSGCODE' }));
  }

  kfCustomerBatchGet(merchantId: string, req: { external_userid_list: string[] }) {
    return this.call('kf/customer/batchget', merchantId, req, () => ({
      customer_list: req.external_userid_list.filter((id) => this.kfCustomers.has(id)).map((id) => ({ external_userid: id, ...this.kfCustomers.get(id)! })),
      invalid_external_userid: req.external_userid_list.filter((id) => !this.kfCustomers.has(id)),
    }));
  }

  kfAccountList(merchantId: string): ReturnType<WecomApi['kfAccountList']> {
    return this.call('kf/account/list', merchantId, {}, () => ({ account_list: structuredCloneish(this.kfAccounts) }));
  }

  // ---- media ----

  mediaGet(merchantId: string, kind: SecretKind, mediaId: string) {
    return this.call('media/get', merchantId, { kind, mediaId }, () => ({ bytes: new Uint8Array([1, 2, 3]), contentType: 'image/jpeg' }));
  }

  mediaUpload(merchantId: string, kind: SecretKind, type: 'image' | 'voice' | 'video' | 'file') {
    return this.call('media/upload', merchantId, { kind, type }, () => ({ media_id: `media-${++this.seq}`, created_at: '0' }));
  }

  // ---- 客户联系 ----

  externalContactGet(merchantId: string, externalUserId: string, cursor?: string) {
    return this.call('externalcontact/get', merchantId, { externalUserId, cursor }, () => {
      const c = this.contacts.get(externalUserId);
      if (!c) throw new WecomApiError('externalcontact/get', 84061, 'not external contact');
      return { ...c, next_cursor: '' };
    });
  }

  externalContactBatchGetByUser(merchantId: string, req: { userid_list: string[] }) {
    return this.call('externalcontact/batch/get_by_user', merchantId, req, () => ({ external_contact_list: [] }));
  }

  corpTagList(merchantId: string, req: { tag_id?: string[]; group_id?: string[] } = {}) {
    return this.call('externalcontact/get_corp_tag_list', merchantId, req, () => ({ tag_group: JSON.parse(JSON.stringify(this.corpTags)) as CorpTagGroup[] }));
  }

  /** Creates the tags (and the group, named or by id) in `corpTags`; answers with the group and only the new tags, like WeCom. */
  corpTagAdd(merchantId: string, req: { group_id?: string; group_name?: string; tag: { name: string }[] }) {
    return this.call('externalcontact/add_corp_tag', merchantId, req, () => {
      let g = this.corpTags.find((x) => (req.group_id ? x.group_id === req.group_id : x.group_name === req.group_name));
      if (!g) {
        if (req.group_id) throw new WecomApiError('externalcontact/add_corp_tag', 40068, 'invalid tagid');
        g = { group_id: `g${++this.seq}`, group_name: req.group_name ?? '', tag: [] };
        this.corpTags.push(g);
      }
      const added = req.tag.map((t) => ({ id: `et${++this.seq}`, name: t.name }));
      if (added.some((t) => [...t.name].length > 30 || g.tag.some((x) => x.name === t.name)))
        throw new WecomApiError('externalcontact/add_corp_tag', 40071, 'tag name exists or too long');
      g.tag.push(...added);
      return { tag_group: { group_id: g.group_id, group_name: g.group_name, tag: added } };
    });
  }

  corpTagEdit(merchantId: string, req: { id: string }) {
    return this.call('externalcontact/edit_corp_tag', merchantId, req, () => ({}) as Record<string, never>);
  }

  corpTagDel(merchantId: string, req: { tag_id?: string[] }) {
    return this.call('externalcontact/del_corp_tag', merchantId, req, () => ({}) as Record<string, never>);
  }

  markTag(merchantId: string, req: { userid: string; external_userid: string }) {
    return this.call('externalcontact/mark_tag', merchantId, req, () => ({}) as Record<string, never>);
  }

  sendWelcomeMsg(merchantId: string, req: { welcome_code: string; text?: { content: string } }) {
    return this.call('externalcontact/send_welcome_msg', merchantId, req, () => {
      if (this.usedWelcomeCodes.has(req.welcome_code)) throw new WecomApiError('externalcontact/send_welcome_msg', 41051, 'externaluser has started chatting');
      this.usedWelcomeCodes.add(req.welcome_code);
      return {} as Record<string, never>;
    });
  }

  addMsgTemplate(merchantId: string, req: Parameters<WecomApi['addMsgTemplate']>[1]): ReturnType<WecomApi['addMsgTemplate']> {
    return this.call('externalcontact/add_msg_template', merchantId, req, () => ({ fail_list: [], msgid: 'tpl' }));
  }

  addContactWay(merchantId: string, req: unknown) {
    return this.call('externalcontact/add_contact_way', merchantId, req, () => ({ config_id: `cw${++this.seq}`, qr_code: `https://fake.qr/cw${this.seq}` }));
  }

  getContactWay(merchantId: string, req: { config_id: string }) {
    return this.call('externalcontact/get_contact_way', merchantId, req, () => ({ contact_way: { config_id: req.config_id, type: 1 as const, scene: 2 as const } }));
  }

  updateContactWay(merchantId: string, req: unknown) {
    return this.call('externalcontact/update_contact_way', merchantId, req, () => ({}) as Record<string, never>);
  }

  delContactWay(merchantId: string, req: unknown) {
    return this.call('externalcontact/del_contact_way', merchantId, req, () => ({}) as Record<string, never>);
  }

  getGroupmsgListV2(merchantId: string, req: Parameters<WecomApi['getGroupmsgListV2']>[1]): ReturnType<WecomApi['getGroupmsgListV2']> {
    return this.call('externalcontact/get_groupmsg_list_v2', merchantId, req, () => ({ group_msg_list: [] }));
  }

  remindGroupmsgSend(merchantId: string, req: Parameters<WecomApi['remindGroupmsgSend']>[1]): ReturnType<WecomApi['remindGroupmsgSend']> {
    return this.call('externalcontact/remind_groupmsg_send', merchantId, req, () => ({}) as Record<string, never>);
  }

  cancelGroupmsgSend(merchantId: string, req: Parameters<WecomApi['cancelGroupmsgSend']>[1]): ReturnType<WecomApi['cancelGroupmsgSend']> {
    return this.call('externalcontact/cancel_groupmsg_send', merchantId, req, () => ({}) as Record<string, never>);
  }

  getGroupmsgTask(merchantId: string, req: Parameters<WecomApi['getGroupmsgTask']>[1]): ReturnType<WecomApi['getGroupmsgTask']> {
    return this.call('externalcontact/get_groupmsg_task', merchantId, req, () => ({ task_list: [] }));
  }

  getGroupmsgSendResult(merchantId: string, req: Parameters<WecomApi['getGroupmsgSendResult']>[1]): ReturnType<WecomApi['getGroupmsgSendResult']> {
    return this.call('externalcontact/get_groupmsg_send_result', merchantId, req, () => ({ send_list: [] }));
  }

  messageSend(merchantId: string, req: unknown) {
    return this.call('message/send', merchantId, req, () => ({}));
  }

  webhookSend(key: string, req: unknown) {
    return this.call('webhook/send', key, req, () => ({}) as Record<string, never>);
  }
}

const structuredCloneish = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
