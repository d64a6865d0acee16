import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { AppError } from '@xiaoer/shared/domain/errors';
import { PLATFORM } from '@xiaoer/shared/domain/job';
import { isTransient, WecomApiError, type WecomApi } from '@xiaoer/shared/ports/wecom';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { schedulerTick } from '@xiaoer/shared/usecases/scheduling/scheduler';
import { createTokenRefreshJob, TOKEN_REFRESH_KIND } from '@xiaoer/shared/usecases/channel-wecom/token-refresh';
import type { ManualClock } from '@xiaoer/shared/domain/time';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { createWecomApi, type WecomApiOptions } from '../cloudfunctions/server/wecom/api-client';
import { createTokenStore, TOKEN_NS, type StoredToken } from '../cloudfunctions/server/wecom/token-store';
import type { SecretBox } from '@xiaoer/shared/ports/secrets';
import { createLogger } from '../cloudfunctions/server/logger';
import { testDeps } from './helpers/deps';
import { VECTOR_A } from './helpers/host';

/** Tokens are stored sealed: what a test compares is the opened token. */
const openToken = (secrets: SecretBox, v: StoredToken | undefined) => v && { access_token: v.sealed ? secrets.open(v.sealed) : '', expires_at: v.expires_at };

// ---------------------------------------------------------------------------------------------
// A programmable WeCom stub: records every request; answers from per-path queues, then handlers.

interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  json?: unknown;
}
interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  json?: unknown;
  /** Never answer (until the stub closes). */
  hang?: boolean;
  /** Drop the connection without an answer. */
  reset?: boolean;
}
type Handler = (req: Seen) => Reply;

const SECRETS = { app: 'app-SECRET-0123456789abcdef', contact: 'contact-SECRET-0123456789', kf: 'kf-SECRET-0123456789abcdef' };
const kindOfSecret = (s: string) => (Object.entries(SECRETS).find(([, v]) => v === s) ?? ['?'])[0];

class WecomStub {
  seen: Seen[] = [];
  private queues = new Map<string, Reply[]>();
  private handlers = new Map<string, Handler>();
  private issued = 0;
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const raw = Buffer.concat(chunks);
      const seen: Seen = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, raw };
      if (String(req.headers['content-type']).startsWith('application/json')) seen.json = JSON.parse(raw.toString('utf8'));
      this.seen.push(seen);
      const reply = this.queues.get(url.pathname)?.shift() ?? this.handlers.get(url.pathname)?.(seen) ?? { status: 404, body: 'no such stub route' };
      if (reply.hang) return;
      if (reply.reset) return void req.socket.destroy();
      const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.body ?? '');
      res.writeHead(reply.status ?? 200, { 'content-type': reply.json !== undefined ? 'application/json; charset=UTF-8' : 'text/html', ...reply.headers });
      res.end(body);
    });
  });
  url = '';

  async start() {
    // gettoken: a new token per call, named after the secret's kind
    this.on('/cgi-bin/gettoken', (r) => ({ json: { errcode: 0, errmsg: 'ok', access_token: `TOKEN-${kindOfSecret(r.query.corpsecret)}-${++this.issued}`, expires_in: 7200 } }));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  on(path: string, h: Handler) {
    this.handlers.set(path, h);
  }
  /** Replies used (in order) before the handler. */
  queue(path: string, ...replies: Reply[]) {
    this.queues.set(path, [...(this.queues.get(path) ?? []), ...replies]);
  }
  /** Drops the replies not yet used (a request aborted before it arrived never took its own). */
  unqueue(path: string) {
    this.queues.delete(path);
  }
  calls(path: string) {
    return this.seen.filter((s) => s.path === path);
  }
  get tokenFetches() {
    return this.calls('/cgi-bin/gettoken');
  }
  async close() {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

// ---------------------------------------------------------------------------------------------

const MERCHANT = 'shop-a';
let stub: WecomStub;
let deps: Deps & { clock: ManualClock };
let sleeps: number[];
let logs: string[];

function client(extra: Partial<WecomApiOptions> = {}): WecomApi {
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  return createWecomApi({
    baseUrl: stub.url,
    deps,
    sleep: async (ms) => void sleeps.push(ms),
    logger: createLogger('debug', sink),
    ...extra,
  });
}

beforeEach(async () => {
  stub = new WecomStub();
  await stub.start();
  deps = testDeps();
  sleeps = [];
  logs = [];
  await createMerchant(deps, { id: MERCHANT, name: '一号店', ...VECTOR_A, agentId: 1000002, appSecret: SECRETS.app, contactSecret: SECRETS.contact, kfSecret: SECRETS.kf });
});
afterEach(async () => {
  await stub.close();
  await deps.storage.close();
});

const ok = (extra: object = {}) => ({ json: { errcode: 0, errmsg: 'ok', ...extra } });

// ---------------------------------------------------------------------------------------------
// Every method of the port: the request WeCom expects (protocol §4–§7) and the parsed answer.

interface Case {
  call: (api: WecomApi) => Promise<unknown>;
  method: 'GET' | 'POST';
  path: string;
  /** Which secret's token the call must use; null: no token (webhook). */
  kind: 'app' | 'contact' | 'kf' | null;
  query?: Record<string, string>;
  /** The exact JSON body, or a check of a non-JSON body. */
  body?: unknown;
  checkBody?: (s: Seen) => void;
  reply: Reply;
  result: unknown;
}

const MSG = { msgid: 'm1', open_kfid: 'wkAAA', external_userid: 'wmBBB', send_time: 1700000000, origin: 3, msgtype: 'text', text: { content: '有货吗' } };
const CONTACT = { external_userid: 'wmBBB', name: '张三', type: 1 };
const FOLLOW = { userid: 'zhangsan', remark: '老客', createtime: 1700000000, tags: [{ tag_name: '熟客', tag_id: 'et1', type: 1 }], state: 'store1' };
const TAG_GROUP = { group_id: 'g1', group_name: '客户等级', tag: [{ id: 'et1', name: '熟客' }] };
const IMAGE = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0, 255]);

const CASES: Record<keyof WecomApi, Case> = {
  kfSyncMsg: {
    call: (a) => a.kfSyncMsg(MERCHANT, { cursor: 'c0', token: 'ENCtok', limit: 1000, open_kfid: 'wkAAA' }),
    method: 'POST',
    path: '/cgi-bin/kf/sync_msg',
    kind: 'kf',
    body: { cursor: 'c0', token: 'ENCtok', limit: 1000, open_kfid: 'wkAAA' },
    reply: ok({ next_cursor: 'c1', has_more: 1, msg_list: [MSG] }),
    result: { next_cursor: 'c1', has_more: 1, msg_list: [MSG] },
  },
  kfSendMsg: {
    call: (a) => a.kfSendMsg(MERCHANT, { touser: 'wmBBB', open_kfid: 'wkAAA', msgid: 'r-1', msgtype: 'text', text: { content: '有的' } }),
    method: 'POST',
    path: '/cgi-bin/kf/send_msg',
    kind: 'kf',
    body: { touser: 'wmBBB', open_kfid: 'wkAAA', msgid: 'r-1', msgtype: 'text', text: { content: '有的' } },
    reply: ok({ msgid: 'r-1' }),
    result: { msgid: 'r-1' },
  },
  kfSendMsgOnEvent: {
    call: (a) => a.kfSendMsgOnEvent(MERCHANT, { code: 'WELCOME', msgtype: 'text', text: { content: '欢迎' } }),
    method: 'POST',
    path: '/cgi-bin/kf/send_msg_on_event',
    kind: 'kf',
    body: { code: 'WELCOME', msgtype: 'text', text: { content: '欢迎' } },
    reply: ok({ msgid: 'ev-1' }),
    result: { msgid: 'ev-1' },
  },
  kfServiceStateGet: {
    call: (a) => a.kfServiceStateGet(MERCHANT, { open_kfid: 'wkAAA', external_userid: 'wmBBB' }),
    method: 'POST',
    path: '/cgi-bin/kf/service_state/get',
    kind: 'kf',
    body: { open_kfid: 'wkAAA', external_userid: 'wmBBB' },
    reply: ok({ service_state: 3, servicer_userid: 'zhangsan' }),
    result: { service_state: 3, servicer_userid: 'zhangsan' },
  },
  kfServiceStateTrans: {
    call: (a) => a.kfServiceStateTrans(MERCHANT, { open_kfid: 'wkAAA', external_userid: 'wmBBB', service_state: 3, servicer_userid: 'zhangsan' }),
    method: 'POST',
    path: '/cgi-bin/kf/service_state/trans',
    kind: 'kf',
    body: { open_kfid: 'wkAAA', external_userid: 'wmBBB', service_state: 3, servicer_userid: 'zhangsan' },
    reply: ok({ msg_code: 'MSG_CODE' }),
    result: { msg_code: 'MSG_CODE' },
  },
  kfCustomerBatchGet: {
    call: (a) => a.kfCustomerBatchGet(MERCHANT, { external_userid_list: ['wmBBB', 'wmBAD'], need_enter_session_context: 1 }),
    method: 'POST',
    path: '/cgi-bin/kf/customer/batchget',
    kind: 'kf',
    body: { external_userid_list: ['wmBBB', 'wmBAD'], need_enter_session_context: 1 },
    reply: ok({ customer_list: [{ external_userid: 'wmBBB', nickname: '小张', gender: 1 }], invalid_external_userid: ['wmBAD'] }),
    result: { customer_list: [{ external_userid: 'wmBBB', nickname: '小张', gender: 1 }], invalid_external_userid: ['wmBAD'] },
  },
  kfAccountList: {
    call: (a) => a.kfAccountList(MERCHANT, { offset: 0, limit: 100 }),
    method: 'POST',
    path: '/cgi-bin/kf/account/list',
    kind: 'kf',
    body: { offset: 0, limit: 100 },
    reply: ok({ account_list: [{ open_kfid: 'wkAAA', name: '店小二', avatar: 'https://x/a.png' }] }),
    result: { account_list: [{ open_kfid: 'wkAAA', name: '店小二', avatar: 'https://x/a.png' }] },
  },
  mediaGet: {
    call: (a) => a.mediaGet(MERCHANT, 'kf', 'MEDIA_1'),
    method: 'GET',
    path: '/cgi-bin/media/get',
    kind: 'kf',
    query: { media_id: 'MEDIA_1' },
    reply: { headers: { 'content-type': 'image/jpeg', 'content-disposition': 'attachment; filename="MEDIA_1.jpg"' }, body: IMAGE },
    result: { bytes: new Uint8Array(IMAGE), contentType: 'image/jpeg', fileName: 'MEDIA_1.jpg' },
  },
  mediaUpload: {
    call: (a) => a.mediaUpload(MERCHANT, 'kf', 'image', { bytes: new Uint8Array(IMAGE), fileName: '商品.jpg', contentType: 'image/jpeg' }),
    method: 'POST',
    path: '/cgi-bin/media/upload',
    kind: 'kf',
    query: { type: 'image' },
    checkBody: (s) => {
      const ct = String(s.headers['content-type']);
      expect(ct).toMatch(/^multipart\/form-data; boundary=/);
      const boundary = ct.split('boundary=')[1];
      const text = s.raw.toString('latin1');
      const head = Buffer.from('Content-Disposition: form-data; name="media"; filename="商品.jpg"', 'utf8').toString('latin1');
      expect(text).toContain(head);
      expect(text).toContain('Content-Type: image/jpeg');
      expect(s.raw.includes(IMAGE)).toBe(true);
      expect(text.trimEnd().endsWith(`--${boundary}--`)).toBe(true);
    },
    reply: ok({ type: 'image', media_id: 'MEDIA_UP', created_at: '1700000000' }),
    result: { media_id: 'MEDIA_UP', created_at: '1700000000' },
  },
  externalContactGet: {
    call: (a) => a.externalContactGet(MERCHANT, 'wmBBB', 'CURSOR'),
    method: 'GET',
    path: '/cgi-bin/externalcontact/get',
    kind: 'contact',
    query: { external_userid: 'wmBBB', cursor: 'CURSOR' },
    reply: ok({ external_contact: CONTACT, follow_user: [FOLLOW], next_cursor: 'N' }),
    result: { external_contact: CONTACT, follow_user: [FOLLOW], next_cursor: 'N' },
  },
  externalContactBatchGetByUser: {
    call: (a) => a.externalContactBatchGetByUser(MERCHANT, { userid_list: ['zhangsan'], cursor: '', limit: 100 }),
    method: 'POST',
    path: '/cgi-bin/externalcontact/batch/get_by_user',
    kind: 'contact',
    body: { userid_list: ['zhangsan'], cursor: '', limit: 100 },
    reply: ok({ external_contact_list: [{ external_contact: CONTACT, follow_info: FOLLOW }], next_cursor: '' }),
    result: { external_contact_list: [{ external_contact: CONTACT, follow_info: FOLLOW }], next_cursor: '' },
  },
  corpTagList: {
    call: (a) => a.corpTagList(MERCHANT, { group_id: ['g1'] }),
    method: 'POST',
    path: '/cgi-bin/externalcontact/get_corp_tag_list',
    kind: 'contact',
    body: { group_id: ['g1'] },
    reply: ok({ tag_group: [TAG_GROUP] }),
    result: { tag_group: [TAG_GROUP] },
  },
  corpTagAdd: {
    call: (a) => a.corpTagAdd(MERCHANT, { group_name: '客户等级', tag: [{ name: '熟客', order: 1 }] }),
    method: 'POST',
    path: '/cgi-bin/externalcontact/add_corp_tag',
    kind: 'contact',
    body: { group_name: '客户等级', tag: [{ name: '熟客', order: 1 }] },
    reply: ok({ tag_group: TAG_GROUP }),
    result: { tag_group: TAG_GROUP },
  },
  corpTagEdit: {
    call: (a) => a.corpTagEdit(MERCHANT, { id: 'et1', name: '老客', order: 2 }),
    method: 'POST',
    path: '/cgi-bin/externalcontact/edit_corp_tag',
    kind: 'contact',
    body: { id: 'et1', name: '老客', order: 2 },
    reply: ok(),
    result: {},
  },
  corpTagDel: {
    call: (a) => a.corpTagDel(MERCHANT, { tag_id: ['et1'], group_id: ['g2'] }),
    method: 'POST',
    path: '/cgi-bin/externalcontact/del_corp_tag',
    kind: 'contact',
    body: { tag_id: ['et1'], group_id: ['g2'] },
    reply: ok(),
    result: {},
  },
  markTag: {
    call: (a) => a.markTag(MERCHANT, { userid: 'zhangsan', external_userid: 'wmBBB', add_tag: ['et1'], remove_tag: ['et2'] }),
    method: 'POST',
    path: '/cgi-bin/externalcontact/mark_tag',
    kind: 'contact',
    body: { userid: 'zhangsan', external_userid: 'wmBBB', add_tag: ['et1'], remove_tag: ['et2'] },
    reply: ok(),
    result: {},
  },
  sendWelcomeMsg: {
    call: (a) => a.sendWelcomeMsg(MERCHANT, { welcome_code: 'WELCOMECODE', text: { content: '你好，我是店小二' } }),
    method: 'POST',
    path: '/cgi-bin/externalcontact/send_welcome_msg',
    kind: 'contact',
    body: { welcome_code: 'WELCOMECODE', text: { content: '你好，我是店小二' } },
    reply: ok(),
    result: {},
  },
  addMsgTemplate: {
    call: (a) => a.addMsgTemplate(MERCHANT, { chat_type: 'single', external_userid: ['wmBBB', 'wmCCC'], sender: 'zhangsan', text: { content: '上新了' } }),
    method: 'POST',
    path: '/cgi-bin/externalcontact/add_msg_template',
    kind: 'contact',
    body: { chat_type: 'single', external_userid: ['wmBBB', 'wmCCC'], sender: 'zhangsan', text: { content: '上新了' } },
    reply: ok({ fail_list: ['wmCCC'], msgid: 'tmpl-1' }),
    result: { fail_list: ['wmCCC'], msgid: 'tmpl-1' },
  },
  addContactWay: {
    call: (a) => a.addContactWay(MERCHANT, { type: 1, scene: 2, remark: '柜台', state: 'ch_counter', user: ['zhangsan'], skip_verify: true }),
    method: 'POST',
    path: '/cgi-bin/externalcontact/add_contact_way',
    kind: 'contact',
    body: { type: 1, scene: 2, remark: '柜台', state: 'ch_counter', user: ['zhangsan'], skip_verify: true },
    reply: ok({ config_id: 'cfg1', qr_code: 'https://wework.qpic.cn/q1' }),
    result: { config_id: 'cfg1', qr_code: 'https://wework.qpic.cn/q1' },
  },
  getContactWay: {
    call: (a) => a.getContactWay(MERCHANT, { config_id: 'cfg1' }),
    method: 'POST',
    path: '/cgi-bin/externalcontact/get_contact_way',
    kind: 'contact',
    body: { config_id: 'cfg1' },
    reply: ok({ contact_way: { config_id: 'cfg1', type: 1, scene: 2, state: 'ch_counter', user: ['zhangsan'] } }),
    result: { contact_way: { config_id: 'cfg1', type: 1, scene: 2, state: 'ch_counter', user: ['zhangsan'] } },
  },
  updateContactWay: {
    call: (a) => a.updateContactWay(MERCHANT, { config_id: 'cfg1', remark: '外卖袋', user: ['lisi'] }),
    method: 'POST',
    path: '/cgi-bin/externalcontact/update_contact_way',
    kind: 'contact',
    body: { config_id: 'cfg1', remark: '外卖袋', user: ['lisi'] },
    reply: ok({}),
    result: {},
  },
  delContactWay: {
    call: (a) => a.delContactWay(MERCHANT, { config_id: 'cfg1' }),
    method: 'POST',
    path: '/cgi-bin/externalcontact/del_contact_way',
    kind: 'contact',
    body: { config_id: 'cfg1' },
    reply: ok({}),
    result: {},
  },
  getGroupmsgListV2: {
    call: (a) => a.getGroupmsgListV2(MERCHANT, { chat_type: 'single', start_time: 1700000000, end_time: 1700086400, filter_type: 2, limit: 100 }),
    method: 'POST',
    path: '/cgi-bin/externalcontact/get_groupmsg_list_v2',
    kind: 'contact',
    body: { chat_type: 'single', start_time: 1700000000, end_time: 1700086400, filter_type: 2, limit: 100 },
    reply: ok({ group_msg_list: [{ msgid: 'tmpl-1', creator: 'zhangsan', create_time: 1700000100, create_type: 0, text: { content: '上新了' } }], next_cursor: '' }),
    result: { group_msg_list: [{ msgid: 'tmpl-1', creator: 'zhangsan', create_time: 1700000100, create_type: 0, text: { content: '上新了' } }], next_cursor: '' },
  },
  remindGroupmsgSend: {
    call: (a) => a.remindGroupmsgSend(MERCHANT, { msgid: 'tmpl-1' }),
    method: 'POST',
    path: '/cgi-bin/externalcontact/remind_groupmsg_send',
    kind: 'contact',
    body: { msgid: 'tmpl-1' },
    reply: ok({}),
    result: {},
  },
  cancelGroupmsgSend: {
    call: (a) => a.cancelGroupmsgSend(MERCHANT, { msgid: 'tmpl-1' }),
    method: 'POST',
    path: '/cgi-bin/externalcontact/cancel_groupmsg_send',
    kind: 'contact',
    body: { msgid: 'tmpl-1' },
    reply: ok({}),
    result: {},
  },
  getGroupmsgTask: {
    call: (a) => a.getGroupmsgTask(MERCHANT, { msgid: 'tmpl-1', limit: 1000 }),
    method: 'POST',
    path: '/cgi-bin/externalcontact/get_groupmsg_task',
    kind: 'contact',
    body: { msgid: 'tmpl-1', limit: 1000 },
    reply: ok({ task_list: [{ userid: 'zhangsan', status: 2, send_time: 1700000000 }], next_cursor: '' }),
    result: { task_list: [{ userid: 'zhangsan', status: 2, send_time: 1700000000 }], next_cursor: '' },
  },
  getGroupmsgSendResult: {
    call: (a) => a.getGroupmsgSendResult(MERCHANT, { msgid: 'tmpl-1', userid: 'zhangsan', limit: 1000, cursor: 'C' }),
    method: 'POST',
    path: '/cgi-bin/externalcontact/get_groupmsg_send_result',
    kind: 'contact',
    body: { msgid: 'tmpl-1', userid: 'zhangsan', limit: 1000, cursor: 'C' },
    reply: ok({ send_list: [{ external_userid: 'wmBBB', userid: 'zhangsan', status: 1, send_time: 1700000001 }] }),
    result: { send_list: [{ external_userid: 'wmBBB', userid: 'zhangsan', status: 1, send_time: 1700000001 }] },
  },
  messageSend: {
    call: (a) => a.messageSend(MERCHANT, { touser: 'zhangsan|lisi', msgtype: 'text', text: { content: '有客户在等人工' } }),
    method: 'POST',
    path: '/cgi-bin/message/send',
    kind: 'app',
    body: { touser: 'zhangsan|lisi', msgtype: 'text', text: { content: '有客户在等人工' }, agentid: 1000002 },
    reply: ok({ invaliduser: 'lisi', msgid: 'app-msg-1' }),
    result: { invaliduser: 'lisi', msgid: 'app-msg-1' },
  },
  webhookSend: {
    call: (a) => a.webhookSend('ROBOT-KEY-123', { msgtype: 'markdown', markdown: { content: '**日报**' } }),
    method: 'POST',
    path: '/cgi-bin/webhook/send',
    kind: null,
    query: { key: 'ROBOT-KEY-123' },
    body: { msgtype: 'markdown', markdown: { content: '**日报**' } },
    reply: ok(),
    result: {},
  },
};

const table = Object.entries(CASES) as [keyof WecomApi, Case][];

describe('WecomApi over HTTP: every method', () => {
  it.each(table)('%s sends what WeCom expects and parses the answer', async (_name, c) => {
    stub.queue(c.path, c.reply);
    const result = await c.call(client());
    expect(result).toEqual(c.result);

    const [sent, ...more] = stub.calls(c.path);
    expect(more).toHaveLength(0);
    expect(sent.method).toBe(c.method);
    if (c.kind) {
      // exactly one gettoken, with this merchant's CorpID and the secret of the call's kind
      expect(stub.tokenFetches.map((t) => t.query)).toEqual([{ corpid: VECTOR_A.corpId, corpsecret: SECRETS[c.kind] }]);
      expect(sent.query).toEqual({ ...c.query, access_token: `TOKEN-${c.kind}-1` });
    } else {
      expect(stub.tokenFetches).toHaveLength(0);
      expect(sent.query).toEqual(c.query);
    }
    if (c.method === 'GET') expect(sent.raw.length).toBe(0);
    if (c.body !== undefined) {
      expect(String(sent.headers['content-type'])).toMatch(/^application\/json/);
      expect(sent.json).toEqual(c.body);
    }
    c.checkBody?.(sent);
  });

  it.each(table)('%s turns a non-zero errcode into WecomApiError', async (_name, c) => {
    stub.queue(c.path, { json: { errcode: 95018, errmsg: 'send msg session status invalid' } });
    const err = await c.call(client()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WecomApiError);
    expect(err).toMatchObject({ errcode: 95018, errmsg: 'send msg session status invalid', code: 'WECOM.E95018', api: c.path.replace('/cgi-bin/', '') });
    expect(stub.calls(c.path)).toHaveLength(1); // not retried
  });

  it('fills fields WeCom may leave out of sync_msg', async () => {
    // (kept beside the table: sync_msg's own defaults)
    stub.queue('/cgi-bin/kf/sync_msg', ok());
    expect(await client().kfSyncMsg(MERCHANT, {})).toEqual({ next_cursor: '', has_more: 0, msg_list: [] });
    expect(stub.calls('/cgi-bin/kf/sync_msg')[0].json).toEqual({});
  });

  it('omits an empty cursor from externalcontact/get', async () => {
    stub.queue('/cgi-bin/externalcontact/get', ok({ external_contact: CONTACT, follow_user: [] }));
    await client().externalContactGet(MERCHANT, 'wmBBB');
    expect(stub.calls('/cgi-bin/externalcontact/get')[0].query).toEqual({ external_userid: 'wmBBB', access_token: 'TOKEN-contact-1' });
  });

  it('reads a media error from its JSON content-type, and an RFC 5987 file name', async () => {
    stub.queue('/cgi-bin/media/get', { json: { errcode: 40007, errmsg: 'invalid media_id' } });
    await expect(client().mediaGet(MERCHANT, 'kf', 'BAD')).rejects.toMatchObject({ errcode: 40007 });
    stub.queue('/cgi-bin/media/get', {
      headers: { 'content-type': 'application/octet-stream', 'content-disposition': "attachment; filename*=UTF-8''%E5%95%86%E5%93%81.pdf" },
      body: 'PDF',
    });
    expect(await client().mediaGet(MERCHANT, 'kf', 'M2')).toMatchObject({ fileName: '商品.pdf', contentType: 'application/octet-stream' });
  });

  it('kf uses the app secret when no 微信客服 secret is set; a missing secret says which one to fill in', async () => {
    await createMerchant(deps, { id: 'shop-b', name: '二号店', ...VECTOR_A, corpId: 'ww1111111111', appSecret: SECRETS.app });
    stub.queue('/cgi-bin/kf/sync_msg', ok());
    await client().kfSyncMsg('shop-b', {});
    expect(stub.tokenFetches[0].query).toEqual({ corpid: 'ww1111111111', corpsecret: SECRETS.app });

    const err = await client()
      .markTag('shop-b', { userid: 'u', external_userid: 'wm' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'WECOM.NO_SECRET' });
    expect((err as Error).message).toContain('客户联系');
    expect(stub.calls('/cgi-bin/externalcontact/mark_tag')).toHaveLength(0);
  });

  it('message/send needs the app AgentId', async () => {
    await createMerchant(deps, { id: 'shop-c', name: '三号店', ...VECTOR_A, appSecret: SECRETS.app });
    await expect(client().messageSend('shop-c', { touser: 'a', msgtype: 'text', text: { content: 'x' } })).rejects.toMatchObject({ code: 'WECOM.NO_AGENT_ID' });
    expect(stub.seen).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------

/**
 * Every endpoint the product calls, with each fault WeCom's network can throw at it once: a token
 * WeCom calls invalid or expired is replaced and the call retried at once; busy and rate limit are
 * retried with backoff; a timeout, a dropped connection or a gateway 5xx fail as transient (the
 * inbox or job ledger retries them), never as a configuration error, and the next call works.
 */
describe('WecomApi over HTTP: one fault on every method', () => {
  const tokenFaults = [40014, 42001];
  const busyFaults = [-1, 45009];
  const transport: [string, Reply][] = [
    ['a timeout', { hang: true }],
    ['a dropped connection', { reset: true }],
    ['a gateway 503', { status: 503, body: '<html>Service Unavailable</html>' }],
  ];
  const withToken = table.filter(([, c]) => c.kind);

  it.each(withToken.flatMap(([name, c]) => tokenFaults.map((code) => [name, code, c] as const)))(
    '%s after errcode %s: a fresh token, one retry, the answer',
    async (_name, code, c) => {
      stub.queue(c.path, { json: { errcode: code, errmsg: 'access_token invalid or expired' } }, c.reply);
      expect(await c.call(client())).toEqual(c.result);
      expect(stub.calls(c.path)).toHaveLength(2);
      expect(stub.tokenFetches).toHaveLength(2);
      expect(stub.calls(c.path).map((r) => r.query.access_token)).toEqual([`TOKEN-${c.kind}-1`, `TOKEN-${c.kind}-2`]);
    },
  );

  it.each(table.flatMap(([name, c]) => busyFaults.map((code) => [name, code, c] as const)))('%s after errcode %s: backs off, retries, the answer', async (_name, code, c) => {
    stub.queue(c.path, { json: { errcode: code, errmsg: 'busy' } }, c.reply);
    expect(await c.call(client())).toEqual(c.result);
    expect(stub.calls(c.path)).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
  });

  it.each(table.flatMap(([name, c]) => transport.map(([what, reply]) => [name, what, c, reply] as const)))(
    '%s after %s: a transient error, then the next call works',
    async (_name, _what, c, reply) => {
      stub.queue(c.path, c.reply, reply);
      // a first call fetches the token, so the short timeout below can only hit the faulty call itself
      expect(await c.call(client())).toEqual(c.result);
      // a short timeout for the hanging case only; the next call gets the default (a loaded machine is slow)
      const err = await c.call(client({ timeoutMs: 200 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(isTransient(err)).toBe(true);
      // on a loaded machine the 200 ms can run out before the faulty request even arrives
      stub.unqueue(c.path);
      stub.queue(c.path, c.reply);
      expect(await c.call(client())).toEqual(c.result);
    },
  );
});

describe('access tokens', () => {
  const SYNC = '/cgi-bin/kf/sync_msg';
  const tokenEntry = (kind: string) => deps.storage.kv.get<StoredToken>(PLATFORM, TOKEN_NS, `${VECTOR_A.corpId}:${kind}`);

  it('are cached across calls and shared between two client instances (one gettoken for both)', async () => {
    stub.on(SYNC, () => ok());
    stub.on('/cgi-bin/kf/send_msg', () => ok({ msgid: 'z' }));
    const a = client();
    const b = client();
    await a.kfSyncMsg(MERCHANT, {});
    await a.kfSyncMsg(MERCHANT, {});
    await b.kfSyncMsg(MERCHANT, {});
    await Promise.all([a.kfSendMsg(MERCHANT, { touser: 'x', open_kfid: 'y', msgid: 'z', msgtype: 'text', text: { content: 'c' } }), b.kfSyncMsg(MERCHANT, {})]);
    expect(stub.tokenFetches).toHaveLength(1);
    expect(stub.calls(SYNC).map((s) => s.query.access_token)).toEqual(['TOKEN-kf-1', 'TOKEN-kf-1', 'TOKEN-kf-1', 'TOKEN-kf-1']);
    expect(openToken(deps.secrets, (await tokenEntry('kf'))?.value)).toMatchObject({ access_token: 'TOKEN-kf-1', expires_at: deps.clock.now() + 7200_000 });
    // sealed at rest: the stored record does not contain the token
    expect(JSON.stringify((await tokenEntry('kf'))?.value)).not.toContain('TOKEN-kf-1');
  });

  it('concurrent first calls in one process share one gettoken; two racing processes converge on one stored token', async () => {
    stub.on(SYNC, () => ok());
    const api = client();
    await Promise.all([api.kfSyncMsg(MERCHANT, {}), api.kfSyncMsg(MERCHANT, {}), api.kfSyncMsg(MERCHANT, {})]);
    expect(stub.tokenFetches).toHaveLength(1);

    await deps.storage.kv.delete(PLATFORM, TOKEN_NS, `${VECTOR_A.corpId}:kf`);
    const merchant = (await deps.storage.merchants.get(MERCHANT))!;
    const [p1, p2] = [createTokenStore({ baseUrl: stub.url, deps }), createTokenStore({ baseUrl: stub.url, deps })];
    const got = await Promise.all([p1.getToken(merchant, 'kf'), p2.getToken(merchant, 'kf')]);
    expect(got.sort()).toEqual(['TOKEN-kf-2', 'TOKEN-kf-3']); // both fetched (WeCom keeps both valid)
    const stored = await tokenEntry('kf');
    expect(stored?.version).toBe(1); // exactly one compare-and-set won
    expect([await p1.getToken(merchant, 'kf'), await p2.getToken(merchant, 'kf')]).toEqual([
      openToken(deps.secrets, stored!.value)!.access_token,
      openToken(deps.secrets, stored!.value)!.access_token,
    ]);
    expect(stub.tokenFetches).toHaveLength(3);
  });

  it('are fetched again when under 5 minutes are left on the clock', async () => {
    stub.on(SYNC, () => ok());
    const api = client();
    await api.kfSyncMsg(MERCHANT, {});
    deps.clock.advance(7200_000 - 5 * 60_000 - 1000); // 5 min 1 s left: still served
    await api.kfSyncMsg(MERCHANT, {});
    expect(stub.tokenFetches).toHaveLength(1);
    deps.clock.advance(2000); // 4 min 59 s left
    await api.kfSyncMsg(MERCHANT, {});
    expect(stub.tokenFetches).toHaveLength(2);
    expect(stub.calls(SYNC).map((s) => s.query.access_token)).toEqual(['TOKEN-kf-1', 'TOKEN-kf-1', 'TOKEN-kf-2']);
  });

  it('are per kind: the kf and contact calls fetch with their own secrets', async () => {
    stub.on(SYNC, () => ok());
    stub.on('/cgi-bin/externalcontact/mark_tag', () => ok());
    const api = client();
    await api.kfSyncMsg(MERCHANT, {});
    await api.markTag(MERCHANT, { userid: 'u', external_userid: 'wm' });
    await api.kfSyncMsg(MERCHANT, {});
    expect(stub.tokenFetches.map((t) => t.query.corpsecret)).toEqual([SECRETS.kf, SECRETS.contact]);
  });

  it.each([40014, 42001, 41001])('errcode %i: evicts the token and retries exactly once with a fresh one', async (errcode) => {
    stub.queue(SYNC, { json: { errcode, errmsg: 'token no good' } }, ok({ next_cursor: 'c1' }));
    const api = client();
    expect(await api.kfSyncMsg(MERCHANT, {})).toMatchObject({ next_cursor: 'c1' });
    expect(stub.calls(SYNC).map((s) => s.query.access_token)).toEqual(['TOKEN-kf-1', 'TOKEN-kf-2']);
    expect(stub.tokenFetches).toHaveLength(2);
    expect(openToken(deps.secrets, (await tokenEntry('kf'))?.value)?.access_token).toBe('TOKEN-kf-2');
    expect(sleeps).toEqual([]);
  });

  it('a token rejected twice in a row is an error after one retry, not a loop', async () => {
    stub.on(SYNC, () => ({ json: { errcode: 40014, errmsg: 'invalid access_token' } }));
    await expect(client().kfSyncMsg(MERCHANT, {})).rejects.toMatchObject({ errcode: 40014 });
    expect(stub.calls(SYNC)).toHaveLength(2);
  });

  it('evicting leaves alone a fresh token another process stored meanwhile', async () => {
    const tokens = createTokenStore({ baseUrl: stub.url, deps });
    const merchant = (await deps.storage.merchants.get(MERCHANT))!;
    expect(await tokens.getToken(merchant, 'kf')).toBe('TOKEN-kf-1');
    const e = await tokenEntry('kf');
    await deps.storage.kv.set(PLATFORM, TOKEN_NS, `${VECTOR_A.corpId}:kf`, { ...e!.value, sealed: deps.secrets.seal('FRESH') }, e!.version, deps.clock.now());
    await tokens.evict(VECTOR_A.corpId, 'kf', 'TOKEN-kf-1');
    expect(await tokens.getToken(merchant, 'kf')).toBe('FRESH');
    await tokens.evict(VECTOR_A.corpId, 'kf', 'FRESH');
    expect(await tokens.getToken(merchant, 'kf')).toBe('TOKEN-kf-2');
  });

  it('40001 from gettoken (wrong secret) is a config error and is not retried', async () => {
    stub.queue('/cgi-bin/gettoken', { json: { errcode: 40001, errmsg: 'invalid credential' } });
    const err = await client()
      .kfSyncMsg(MERCHANT, {})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WecomApiError);
    expect(err).toMatchObject({ errcode: 40001, isConfig: true, retryable: false, api: 'gettoken' });
    expect(stub.tokenFetches).toHaveLength(1);
    expect(stub.calls(SYNC)).toHaveLength(0);
    expect(await tokenEntry('kf')).toBeNull();
  });

  it('40001 from an endpoint is not retried either', async () => {
    stub.on(SYNC, () => ({ json: { errcode: 40001, errmsg: 'invalid secret' } }));
    await expect(client().kfSyncMsg(MERCHANT, {})).rejects.toMatchObject({ errcode: 40001, isConfig: true });
    expect(stub.calls(SYNC)).toHaveLength(1);
    expect(stub.tokenFetches).toHaveLength(1);
  });
});

describe('busy and broken WeCom', () => {
  const SEND = '/cgi-bin/kf/send_msg';
  const send = (api: WecomApi) => api.kfSendMsg(MERCHANT, { touser: 'wmBBB', open_kfid: 'wkAAA', msgid: 'r-1', msgtype: 'text', text: { content: '好的' } });

  it('45009 twice then success: backs off with jitter (injected sleep) and succeeds on the third attempt', async () => {
    const busy = { json: { errcode: 45009, errmsg: 'api freq out of limit' } };
    stub.queue(SEND, busy, busy, ok({ msgid: 'r-1' }));
    expect(await send(client({ random: () => 0.5 }))).toEqual({ msgid: 'r-1' });
    expect(stub.calls(SEND)).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]); // base 500 ms, doubled; jitter factor 0.5 + random (the injected sleep records, never waits)
    expect(stub.tokenFetches).toHaveLength(1);
  });

  it('jitter spreads the delays', async () => {
    const busy = { json: { errcode: -1, errmsg: 'system busy' } };
    stub.queue(SEND, busy, busy, ok({ msgid: 'r-1' }));
    await send(client({ random: () => 0 }));
    stub.queue(SEND, busy, ok({ msgid: 'r-1' }));
    await send(client({ random: () => 0.999 }));
    expect(sleeps).toEqual([250, 500, 750]);
  });

  it('45009 forever: WecomApiError after 3 attempts', async () => {
    stub.on(SEND, () => ({ json: { errcode: 45009, errmsg: 'api freq out of limit' } }));
    const err = await send(client()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WecomApiError);
    expect(err).toMatchObject({ errcode: 45009, retryable: true });
    expect(stub.calls(SEND)).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('a request that gets no answer in time fails with WECOM.TIMEOUT', async () => {
    stub.on(SEND, () => ({ hang: true }));
    // long enough for gettoken and the request to reach the stub on a loaded CI machine (150 ms was not)
    const err = await send(client({ timeoutMs: 1_500 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'WECOM.TIMEOUT', status: 504 });
    expect(stub.calls(SEND)).toHaveLength(1);
  });

  it('an unreachable endpoint fails with WECOM.NETWORK, a non-JSON answer with WECOM.BAD_RESPONSE, a 5xx with WECOM.UPSTREAM', async () => {
    const closed = new WecomStub();
    await closed.start();
    const deadUrl = closed.url;
    await closed.close();
    await expect(send(client({ baseUrl: deadUrl }))).rejects.toMatchObject({ code: 'WECOM.NETWORK' });

    stub.queue(SEND, { status: 200, body: '<html>not json</html>' });
    await expect(send(client())).rejects.toMatchObject({ code: 'WECOM.BAD_RESPONSE' });
    // a gateway 5xx is WeCom being unwell, not a bad answer: transient, retried by the inbox
    stub.queue(SEND, { status: 502, body: '<html>Bad Gateway</html>' });
    await expect(send(client())).rejects.toMatchObject({ code: 'WECOM.UPSTREAM' });
  });

  it('needs a base URL (locally: the sandbox)', () => {
    expect(() => client({ baseUrl: '' })).toThrow(expect.objectContaining({ code: 'CONFIG.WECOM_API_BASE' }));
    let port = '';
    const lazy = client({ baseUrl: () => port });
    port = stub.url;
    stub.queue(SEND, ok({ msgid: 'r-1' }));
    return expect(send(lazy)).resolves.toEqual({ msgid: 'r-1' });
  });
});

// ---------------------------------------------------------------------------------------------

describe('the wecom.token-refresh job', () => {
  it('plans one platform job per 5-minute slot with a deterministic key', () => {
    const job = createTokenRefreshJob(createTokenStore({ baseUrl: stub.url, deps }));
    const t = Date.UTC(2026, 10, 22, 4, 7, 30);
    expect(job.plan(t, [])).toEqual([
      { key: `${TOKEN_REFRESH_KIND}:${Date.UTC(2026, 10, 22, 4, 5)}`, merchantId: PLATFORM, kind: TOKEN_REFRESH_KIND, runAt: Date.UTC(2026, 10, 22, 4, 5), maxAttempts: 2 },
    ]);
    expect(job.plan(t + 60_000, [])[0].key).toBe(job.plan(t, [])[0].key);
  });

  it('refreshes a token nearing expiry, leaves a fresh one alone, and fetches none that was never used', async () => {
    const tokens = createTokenStore({ baseUrl: stub.url, deps });
    const api = client({ tokens });
    const job = createTokenRefreshJob(tokens);
    stub.on('/cgi-bin/kf/sync_msg', () => ok());
    stub.on('/cgi-bin/message/send', () => ok());
    const t0 = deps.clock.now();
    await api.kfSyncMsg(MERCHANT, {}); // kf token until t0 + 2 h
    deps.clock.advance(3600_000);
    await api.messageSend(MERCHANT, { touser: 'a', msgtype: 'text', text: { content: 'x' } }); // app token until t0 + 3 h
    expect(stub.tokenFetches).toHaveLength(2);

    deps.clock.set(t0 + 7200_000 - 12 * 60_000); // kf: 12 min left; app: 1 h 12 min; contact: never used
    const report = await schedulerTick(deps, [job]);
    expect(report).toMatchObject({ planned: 1, claimed: 1, done: 1 });
    expect(stub.tokenFetches.map((t) => t.query.corpsecret)).toEqual([SECRETS.kf, SECRETS.app, SECRETS.kf]);
    const ran = await deps.storage.jobs.list({ kind: TOKEN_REFRESH_KIND, limit: 5 });
    expect(ran[0].result).toEqual({ refreshed: 1, failed: 0, failures: [] });

    const kf = await deps.storage.kv.get<StoredToken>(PLATFORM, TOKEN_NS, `${VECTOR_A.corpId}:kf`);
    expect(openToken(deps.secrets, kf?.value)).toMatchObject({ access_token: 'TOKEN-kf-3', expires_at: deps.clock.now() + 7200_000 });
    const app = await deps.storage.kv.get<StoredToken>(PLATFORM, TOKEN_NS, `${VECTOR_A.corpId}:app`);
    expect(openToken(deps.secrets, app?.value)).toMatchObject({ access_token: 'TOKEN-app-2', expires_at: t0 + 3600_000 + 7200_000 });
    expect(await deps.storage.kv.get(PLATFORM, TOKEN_NS, `${VECTOR_A.corpId}:contact`)).toBeNull();

    // the same slot again: nothing planned, nothing fetched; the request path uses the refreshed token
    await schedulerTick(deps, [job]);
    await api.kfSyncMsg(MERCHANT, {});
    expect(stub.tokenFetches).toHaveLength(3);
    expect(stub.calls('/cgi-bin/kf/sync_msg').at(-1)?.query.access_token).toBe('TOKEN-kf-3');
  });

  it('reports failures by code and stops refreshing a token whose secret WeCom rejects', async () => {
    const tokens = createTokenStore({ baseUrl: stub.url, deps });
    stub.on('/cgi-bin/kf/sync_msg', () => ok());
    await client({ tokens }).kfSyncMsg(MERCHANT, {});
    deps.clock.advance(7200_000 - 60_000);
    stub.queue('/cgi-bin/gettoken', { json: { errcode: 40001, errmsg: 'invalid credential' } });
    await schedulerTick(deps, [createTokenRefreshJob(tokens)]);
    const [ran] = await deps.storage.jobs.list({ kind: TOKEN_REFRESH_KIND, limit: 5 });
    expect(ran.result).toEqual({ refreshed: 0, failed: 1, failures: [{ merchantId: MERCHANT, kind: 'kf', code: 'WECOM.E40001' }] });
    expect(await deps.storage.kv.get(PLATFORM, TOKEN_NS, `${VECTOR_A.corpId}:kf`)).toBeNull();
  });
});

describe('secrecy', () => {
  it('no secret, token or webhook key appears in logs, errors or job results', async () => {
    const tokens = createTokenStore({ baseUrl: stub.url, deps });
    const api = client({ tokens });
    const errors: unknown[] = [];
    stub.queue('/cgi-bin/kf/sync_msg', { json: { errcode: 42001, errmsg: 'access_token expired' } }, { json: { errcode: -1, errmsg: 'busy' } }, ok());
    await api.kfSyncMsg(MERCHANT, {});
    stub.on('/cgi-bin/kf/send_msg', () => ({ json: { errcode: 45009, errmsg: 'freq' } }));
    await api.kfSendMsg(MERCHANT, { touser: 'x', open_kfid: 'y', msgid: 'z', msgtype: 'text', text: { content: 'c' } }).catch((e) => errors.push(e));
    stub.on('/cgi-bin/webhook/send', () => ({ hang: true }));
    await client({ timeoutMs: 100 })
      .webhookSend('ROBOT-KEY-SECRET', { msgtype: 'text', text: { content: 'x' } })
      .catch((e) => errors.push(e));
    stub.queue('/cgi-bin/gettoken', { json: { errcode: 40001, errmsg: 'invalid credential' } });
    await client()
      .markTag(MERCHANT, { userid: 'u', external_userid: 'wm' })
      .catch((e) => errors.push(e));
    deps.clock.advance(7200_000 - 60_000);
    await schedulerTick(deps, [createTokenRefreshJob(tokens)]);
    const results = await deps.storage.jobs.list({ limit: 10 });

    expect(logs.length).toBeGreaterThan(0);
    expect(errors).toHaveLength(3);
    const haystack = [...logs, ...errors.map((e) => `${(e as Error).message} ${JSON.stringify(e)}`), JSON.stringify(results)].join('\n');
    for (const needle of [...Object.values(SECRETS), 'TOKEN-', 'ROBOT-KEY-SECRET', 'access_token=']) expect(haystack).not.toContain(needle);
  });
});
