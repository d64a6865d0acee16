import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { DEMO_MERCHANT_ID, DEMO_WECOM, seedDemoShop } from '../cloudfunctions/server/demo';
import { DEMO_KF_ACCOUNT } from '../cloudfunctions/server/demo/catalog';
import type { InboxEntry } from '@xiaoer/shared/domain/inbox';
import { runCli } from '../cloudfunctions/server/cli/main';
import { startTestHost, type TestHost } from './helpers/host';

/**
 * The WeCom sandbox (cloudfunctions/server/wecom-sandbox) against a real host: WeCom's endpoint
 * shapes, every rule on AND off (the off case proves the on case would catch a regression),
 * the control routes including a real encrypted callback the product accepts, and the CLI.
 */

const aesKey = () => crypto.randomBytes(32).toString('base64').slice(0, 43);
const SHOP = 'sbx-shop';
const PLAIN = 'sbx-plain';
const W = {
  corpId: 'ww5a4b3c2d1e0f9a8b',
  token: 'SbxDefaultTok01',
  aesKey: aesKey(),
  kfToken: 'SbxKfTok02',
  kfAesKey: aesKey(),
  appSecret: 'sbx-app-secret-111',
  contactSecret: 'sbx-contact-secret-222',
  kfSecret: 'sbx-kf-secret-333',
  agentId: 1000005,
};
const SECRET = { app: W.appSecret, contact: W.contactSecret, kf: W.kfSecret } as const;
type Kind = keyof typeof SECRET;

let h: TestHost;
let kfId: string;

beforeAll(async () => {
  h = await startTestHost();
  await createMerchant(h.rt.deps, { id: SHOP, name: '沙箱店', ...W });
  // a merchant with only the default callback pair and a kf secret
  await createMerchant(h.rt.deps, { id: PLAIN, name: '单对店', corpId: 'ww9988776655443322', token: 'PlainTok', aesKey: aesKey(), kfSecret: 'plain-kf-secret' });
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  await ctl('reset', {});
  kfId = (await wx('kf/account/list', { token: await tok('kf') })).account_list[0].open_kfid;
});

// ---- helpers -------------------------------------------------------------------------------
type Json = Record<string, any>;

async function control(path: string, body?: unknown): Promise<{ status: number } & Json> {
  const res = await fetch(
    `${h.url}/sandbox/_control/${path}`,
    body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  return { status: res.status, ...((await res.json()) as Json) };
}
async function ctl(path: string, body?: unknown): Promise<any> {
  const r = await control(path, body);
  if (!r.ok) throw new Error(`control ${path}: ${JSON.stringify(r)}`);
  return r.data;
}
async function wx(api: string, o: { token?: string; body?: unknown; query?: Record<string, string>; get?: boolean } = {}): Promise<Json> {
  const q = new URLSearchParams(o.query ?? {});
  if (o.token) q.set('access_token', o.token);
  const res = await fetch(
    `${h.url}/sandbox/cgi-bin/${api}?${q}`,
    o.get ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(o.body ?? {}) },
  );
  expect(res.status).toBe(200); // WeCom answers errors with HTTP 200 and an errcode
  return (await res.json()) as Json;
}
async function tok(kind: Kind, corpid = W.corpId): Promise<string> {
  const r = await wx('gettoken', { get: true, query: { corpid, corpsecret: SECRET[kind] } });
  expect(r).toMatchObject({ errcode: 0, errmsg: 'ok' });
  return r.access_token;
}
const rules = (r: Record<string, boolean>) => ctl('config', { rules: r });
const says = (externalUserId: string, text: string, merchantId = SHOP) => ctl('customer-message', { merchantId, externalUserId, text });
const send = async (touser: string, content: string, extra: Json = {}) =>
  wx('kf/send_msg', { token: await tok('kf'), body: { touser, open_kfid: kfId, msgtype: 'text', text: { content }, ...extra } });
const advance = (ms: number) => ctl('clock', { advanceMs: ms });

/** Runs a scenario with a rule on and off: on must fail with `code`, off must succeed. */
async function onOff(rule: string, code: number, scenario: () => Promise<number>) {
  await ctl('reset', {});
  expect({ rule, on: await scenario() }).toEqual({ rule, on: code });
  await ctl('reset', {});
  await rules({ [rule]: false });
  expect({ rule, off: await scenario() }).toEqual({ rule, off: 0 });
  await ctl('reset', {}); // back to every rule on
}

// ---- gettoken and token checks ---------------------------------------------------------------
describe('gettoken and access_token checks', () => {
  it('issues a token per kind for a registered merchant (7200 s), the same one while valid', async () => {
    const r = await wx('gettoken', { get: true, query: { corpid: W.corpId, corpsecret: W.kfSecret } });
    expect(r).toEqual({ errcode: 0, errmsg: 'ok', access_token: expect.any(String), expires_in: 7200 });
    const again = await wx('gettoken', { get: true, query: { corpid: W.corpId, corpsecret: W.kfSecret } });
    expect(again.access_token).toBe(r.access_token);
    expect(await tok('app')).not.toBe(r.access_token);
    expect(await tok('contact')).not.toBe(r.access_token);
  });

  it('answers WeCom errcodes: wrong secret 40001, unknown corp 40013, missing params', async () => {
    expect((await wx('gettoken', { get: true, query: { corpid: W.corpId, corpsecret: 'nope' } })).errcode).toBe(40001);
    expect((await wx('gettoken', { get: true, query: { corpid: 'ww0000000000000000', corpsecret: W.kfSecret } })).errcode).toBe(40013);
    expect((await wx('gettoken', { get: true, query: { corpsecret: W.kfSecret } })).errcode).toBe(41002);
    expect((await wx('gettoken', { get: true, query: { corpid: W.corpId } })).errcode).toBe(41004);
  });

  it('checks the token on every call: missing 41001, invalid 40014, wrong kind 48002', async () => {
    expect((await wx('kf/account/list')).errcode).toBe(41001);
    expect((await wx('kf/account/list', { token: 'made-up' })).errcode).toBe(40014);
    expect((await wx('kf/account/list', { token: `sbx.${SHOP}.${'A'.repeat(40)}` })).errcode).toBe(40014);
    expect((await wx('message/send', { token: await tok('contact'), body: { touser: 'zhangsan', msgtype: 'text', agentid: W.agentId, text: { content: 'x' } } })).errcode).toBe(
      48002,
    );
    expect((await wx('kf/account/list', { token: await tok('app') })).errcode).toBe(0); // an app granted kf access
  });

  it('answers an unknown api with a sandbox-only 404', async () => {
    const res = await fetch(`${h.url}/sandbox/cgi-bin/kf/nonexistent?access_token=x`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ errcode: 404, errmsg: expect.stringContaining('sandbox') });
  });
});

// ---- endpoint shapes ----------------------------------------------------------------------------
describe('endpoint shapes (success)', () => {
  it('kf/account/list', async () => {
    const r = await wx('kf/account/list', { token: await tok('kf'), body: { offset: 0, limit: 100 } });
    expect(r).toEqual({ errcode: 0, errmsg: 'ok', account_list: [{ open_kfid: expect.stringMatching(/^wk/), name: '沙箱店', avatar: '', manage_privilege: true }] });
  });

  it('kf/sync_msg with the callback Token returns the customer message', async () => {
    const posted = await says('wmAlice', '你们几点开门？');
    const plaintext = (await h.rt.storage.inbox.get(SHOP, `sha256:${posted.callback.plaintextSha256}`))!.plaintext;
    const token = /<Token><!\[CDATA\[([^\]]+)\]\]><\/Token>/.exec(plaintext)![1];
    const r = await wx('kf/sync_msg', { token: await tok('kf'), body: { token, open_kfid: kfId, limit: 1000 } });
    expect(r).toEqual({
      errcode: 0,
      errmsg: 'ok',
      next_cursor: expect.any(String),
      has_more: 0,
      msg_list: [
        {
          msgid: posted.msgid,
          open_kfid: kfId,
          external_userid: 'wmAlice',
          send_time: Math.floor(posted.at / 1000),
          origin: 3,
          msgtype: 'text',
          text: { content: '你们几点开门？' },
        },
      ],
    });
    const next = await wx('kf/sync_msg', { token: await tok('kf'), body: { cursor: r.next_cursor, open_kfid: kfId } });
    expect(next).toMatchObject({ errcode: 0, has_more: 0, msg_list: [] });
  });

  it('kf/sync_msg pages for real (page size 2 via the config route), cursor and has_more', async () => {
    await ctl('config', { syncPageSize: 2 });
    for (let i = 1; i <= 5; i++) await says(`wmPage${i}`, `问题 ${i}`);
    const t = await tok('kf');
    const seen: string[] = [];
    const hasMore: number[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 5; i++) {
      const r = await wx('kf/sync_msg', { token: t, body: { cursor, open_kfid: kfId } });
      seen.push(...r.msg_list.map((m: Json) => m.text.content));
      hasMore.push(r.has_more);
      cursor = r.next_cursor;
      if (!r.has_more) break;
    }
    expect(seen).toEqual(['问题 1', '问题 2', '问题 3', '问题 4', '问题 5']);
    expect(hasMore).toEqual([1, 1, 0]);
    // limit below the page size wins
    expect((await wx('kf/sync_msg', { token: t, body: { limit: 1 } })).msg_list).toHaveLength(1);
  });

  it('kf/send_msg, kf/service_state/get + trans, kf/customer/batchget', async () => {
    await says('wmBob', '在吗', SHOP);
    await ctl('customer-message', { merchantId: SHOP, externalUserId: 'wmBob', text: '在吗？', nickname: '小波' });
    const t = await tok('kf');
    expect(await wx('kf/service_state/get', { token: t, body: { open_kfid: kfId, external_userid: 'wmBob' } })).toEqual({
      errcode: 0,
      errmsg: 'ok',
      service_state: 0,
      servicer_userid: '',
    });
    expect(await wx('kf/service_state/trans', { token: t, body: { open_kfid: kfId, external_userid: 'wmBob', service_state: 1 } })).toEqual({ errcode: 0, errmsg: 'ok' });
    const sent = await send('wmBob', '在的～', { msgid: 'reply-bob-1' });
    expect(sent).toEqual({ errcode: 0, errmsg: 'ok', msgid: 'reply-bob-1' });
    const generated = await send('wmBob', '有什么可以帮您？');
    expect(generated.msgid).toMatch(/^[0-9A-Za-z]{32}$/);
    const trans = await wx('kf/service_state/trans', { token: t, body: { open_kfid: kfId, external_userid: 'wmBob', service_state: 3, servicer_userid: 'zhangsan' } });
    expect(trans).toEqual({ errcode: 0, errmsg: 'ok', msg_code: expect.any(String) });
    expect(await wx('kf/service_state/get', { token: t, body: { open_kfid: kfId, external_userid: 'wmBob' } })).toMatchObject({ service_state: 3, servicer_userid: 'zhangsan' });
    // 3 → 1 is not an allowed move
    expect((await wx('kf/service_state/trans', { token: t, body: { open_kfid: kfId, external_userid: 'wmBob', service_state: 1 } })).errcode).toBe(95016);
    // msg_code of the move to 3: one message
    expect(await wx('kf/send_msg_on_event', { token: t, body: { code: trans.msg_code, msgtype: 'text', text: { content: '店长来了' } } })).toMatchObject({
      errcode: 0,
      msgid: expect.any(String),
    });

    const batch = await wx('kf/customer/batchget', { token: t, body: { external_userid_list: ['wmBob', 'wmNobody'] } });
    expect(batch).toEqual({
      errcode: 0,
      errmsg: 'ok',
      customer_list: [{ external_userid: 'wmBob', nickname: '小波', avatar: '', gender: 0, unionid: '' }],
      invalid_external_userid: ['wmNobody'],
    });
    expect((await wx('kf/send_msg', { token: t, body: { touser: 'wmBob', open_kfid: 'wkUNKNOWN', msgtype: 'text', text: { content: 'x' } } })).errcode).toBe(95004);
  });

  it('kf/send_msg_on_event with the welcome_code of enter_session', async () => {
    const ev = await ctl('kf-event', { merchantId: SHOP, externalUserId: 'wmCarol', scene: 'menu' });
    expect(ev.callback.status).toBe(200);
    const t = await tok('kf');
    const synced = await wx('kf/sync_msg', { token: t, body: {} });
    expect(synced.msg_list[0]).toMatchObject({
      origin: 4,
      msgtype: 'event',
      event: { event_type: 'enter_session', open_kfid: kfId, external_userid: 'wmCarol', scene: 'menu', welcome_code: ev.welcomeCode },
    });
    const r = await wx('kf/send_msg_on_event', { token: t, body: { code: ev.welcomeCode, msgid: 'welcome-carol', msgtype: 'text', text: { content: '欢迎光临～' } } });
    expect(r).toEqual({ errcode: 0, errmsg: 'ok', msgid: 'welcome-carol' });
    const sent = await ctl(`sent?merchantId=${SHOP}`);
    expect(sent.at(-1)).toMatchObject({ api: 'kf/send_msg_on_event', to: 'wmCarol', msgtype: 'text', text: '欢迎光临～', msgid: 'welcome-carol', errcode: 0 });
  });

  it('media/upload + media/get round trip (multipart, file name, 40007 for an unknown id)', async () => {
    const t = await tok('kf');
    const bytes = crypto.randomBytes(300);
    const form = new FormData();
    form.append('media', new Blob([bytes], { type: 'image/png' }), '菜单.png');
    const up = (await (await fetch(`${h.url}/sandbox/cgi-bin/media/upload?access_token=${t}&type=image`, { method: 'POST', body: form })).json()) as Json;
    expect(up).toEqual({ errcode: 0, errmsg: 'ok', type: 'image', media_id: expect.any(String), created_at: expect.stringMatching(/^\d+$/) });
    const got = await fetch(`${h.url}/sandbox/cgi-bin/media/get?access_token=${t}&media_id=${up.media_id}`);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('菜单.png')}`);
    expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await wx('media/get', { get: true, token: t, query: { media_id: 'nope' } })).errcode).toBe(40007);
    // an image reply with the uploaded media
    await says('wmMedia', '有菜单吗');
    expect((await wx('kf/send_msg', { token: t, body: { touser: 'wmMedia', open_kfid: kfId, msgtype: 'image', image: { media_id: up.media_id } } })).errcode).toBe(0);
  });

  it('externalcontact/get and batch/get_by_user after a contact-add callback', async () => {
    const added = await ctl('contact-add', { merchantId: SHOP, userId: 'zhangsan', externalUserId: 'wmDave', name: '大卫', state: 'poster-1' });
    expect(added.callback.status).toBe(200);
    const stored = (await h.rt.storage.inbox.get(SHOP, `sha256:${added.callback.plaintextSha256}`)) as InboxEntry;
    expect(stored).toMatchObject({ msgType: 'event', event: 'change_external_contact', status: 'pending' });
    expect(stored.plaintext).toContain(`<WelcomeCode><![CDATA[${added.welcomeCode}]]></WelcomeCode>`);
    const t = await tok('contact');
    const r = await wx('externalcontact/get', { get: true, token: t, query: { external_userid: 'wmDave' } });
    expect(r).toEqual({
      errcode: 0,
      errmsg: 'ok',
      external_contact: { external_userid: 'wmDave', name: '大卫', avatar: '', type: 1, gender: 0 },
      follow_user: [{ userid: 'zhangsan', remark: '', description: '', createtime: expect.any(Number), tags: [], state: 'poster-1', add_way: 1 }],
    });
    expect((await wx('externalcontact/get', { get: true, token: t, query: { external_userid: 'wmNobody' } })).errcode).toBe(84061);
    const b = await wx('externalcontact/batch/get_by_user', { token: t, body: { userid_list: ['zhangsan'], limit: 50 } });
    expect(b).toEqual({
      errcode: 0,
      errmsg: 'ok',
      external_contact_list: [
        {
          external_contact: r.external_contact,
          follow_info: { userid: 'zhangsan', remark: '', description: '', createtime: expect.any(Number), tag_id: [], state: 'poster-1', add_way: 1 },
        },
      ],
      next_cursor: '',
    });
  });

  it('corp tags: get/add/edit/del and mark_tag', async () => {
    await ctl('contact-add', { merchantId: SHOP, userId: 'zhangsan', externalUserId: 'wmEve', welcome: false });
    const t = await tok('contact');
    const add = await wx('externalcontact/add_corp_tag', { token: t, body: { group_name: '口味', tag: [{ name: '少糖' }, { name: '爱果茶' }] } });
    expect(add).toMatchObject({
      errcode: 0,
      tag_group: { group_id: expect.stringMatching(/^et/), group_name: '口味', tag: [{ id: expect.stringMatching(/^et/), name: '少糖' }, { name: '爱果茶' }] },
    });
    const [less, fruit] = add.tag_group.tag.map((x: Json) => x.id);
    expect((await wx('externalcontact/add_corp_tag', { token: t, body: { group_id: add.tag_group.group_id, tag: [{ name: '少糖' }] } })).errcode).toBe(40071);
    expect(await wx('externalcontact/edit_corp_tag', { token: t, body: { id: fruit, name: '果茶党' } })).toEqual({ errcode: 0, errmsg: 'ok' });
    const list = await wx('externalcontact/get_corp_tag_list', { token: t, body: {} });
    expect(list.tag_group).toHaveLength(1);
    expect(list.tag_group[0].tag.map((x: Json) => x.name)).toEqual(['少糖', '果茶党']);
    expect(await wx('externalcontact/mark_tag', { token: t, body: { userid: 'zhangsan', external_userid: 'wmEve', add_tag: [less, fruit] } })).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    expect((await wx('externalcontact/mark_tag', { token: t, body: { userid: 'zhangsan', external_userid: 'wmEve', add_tag: ['etNOPE'] } })).errcode).toBe(40068);
    const c = await wx('externalcontact/get', { get: true, token: t, query: { external_userid: 'wmEve' } });
    expect(c.follow_user[0].tags).toEqual([
      { group_name: '口味', tag_name: '少糖', tag_id: less, type: 1 },
      { group_name: '口味', tag_name: '果茶党', tag_id: fruit, type: 1 },
    ]);
    expect(await wx('externalcontact/del_corp_tag', { token: t, body: { tag_id: [less, fruit] } })).toEqual({ errcode: 0, errmsg: 'ok' });
    expect((await wx('externalcontact/get_corp_tag_list', { token: t, body: {} })).tag_group).toEqual([]); // the emptied group went too
  });

  it('send_welcome_msg, add_msg_template, get_groupmsg_task, get_groupmsg_send_result', async () => {
    const added = await ctl('contact-add', { merchantId: SHOP, userId: 'lisi', externalUserId: 'wmFrank', notify: false });
    const t = await tok('contact');
    expect(await wx('externalcontact/send_welcome_msg', { token: t, body: { welcome_code: added.welcomeCode, text: { content: '欢迎！' } } })).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    const tpl = await wx('externalcontact/add_msg_template', {
      token: t,
      body: { chat_type: 'single', external_userid: ['wmFrank', 'wmStranger'], text: { content: '周三会员日' } },
    });
    expect(tpl).toEqual({ errcode: 0, errmsg: 'ok', fail_list: ['wmStranger'], msgid: expect.stringMatching(/^msg/) });
    expect(await wx('externalcontact/get_groupmsg_task', { token: t, body: { msgid: tpl.msgid } })).toEqual({
      errcode: 0,
      errmsg: 'ok',
      task_list: [{ userid: 'lisi', status: 0 }],
      next_cursor: '',
    });
    await ctl('groupmsg-confirm', { merchantId: SHOP, msgid: tpl.msgid });
    expect((await wx('externalcontact/get_groupmsg_task', { token: t, body: { msgid: tpl.msgid } })).task_list).toEqual([
      { userid: 'lisi', status: 2, send_time: expect.any(Number) },
    ]);
    expect(await wx('externalcontact/get_groupmsg_send_result', { token: t, body: { msgid: tpl.msgid, userid: 'lisi' } })).toEqual({
      errcode: 0,
      errmsg: 'ok',
      send_list: [{ external_userid: 'wmFrank', userid: 'lisi', status: 1, send_time: expect.any(Number) }],
      next_cursor: '',
    });
    const sent = await ctl(`sent?merchantId=${SHOP}`);
    expect(sent.map((r: Json) => [r.api, r.to, r.text, r.errcode])).toEqual([
      ['externalcontact/send_welcome_msg', 'wmFrank', '欢迎！', 0],
      ['externalcontact/add_msg_template', 'wmFrank|wmStranger', '周三会员日', 0],
    ]);
  });

  it('message/send (app token + agentid) and webhook/send', async () => {
    const t = await tok('app');
    const r = await wx('message/send', { token: t, body: { touser: 'zhangsan|lisi', msgtype: 'text', agentid: W.agentId, text: { content: '有新的待人工' } } });
    expect(r).toEqual({ errcode: 0, errmsg: 'ok', invaliduser: '', invalidparty: '', invalidtag: '', unlicenseduser: '', msgid: expect.any(String) });
    expect((await wx('message/send', { token: t, body: { touser: 'zhangsan', msgtype: 'text', agentid: 1, text: { content: 'x' } } })).errcode).toBe(40056);
    await ctl('webhook-key', { merchantId: SHOP, key: 'robot-key-123456' });
    expect(await wx('webhook/send', { query: { key: 'robot-key-123456' }, body: { msgtype: 'markdown', markdown: { content: '**日报**' } } })).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    expect((await wx('webhook/send', { body: { msgtype: 'text', text: { content: 'x' } } })).errcode).toBe(93000);
    const sent = await ctl(`sent?merchantId=${SHOP}`);
    expect(sent.map((x: Json) => [x.api, x.to, x.msgtype, x.text, x.errcode])).toEqual([
      ['message/send', 'zhangsan|lisi', 'text', '有新的待人工', 0],
      ['message/send', 'zhangsan', 'text', 'x', 40056],
      ['webhook/send', 'robot:robo…3456', 'markdown', '**日报**', 0],
    ]);
  });
});

// ---- rules: each on (fails) and off (the same call succeeds) --------------------------------------
describe('rules that bite (on → WeCom error, off → the same call succeeds)', () => {
  it('tokenExpiry: 42001 after 7200 s on the shared clock', async () => {
    await onOff('tokenExpiry', 42001, async () => {
      const t = await tok('kf');
      await advance(7200 * 1000 + 1);
      return (await wx('kf/account/list', { token: t })).errcode;
    });
    // and gettoken then hands out a new one
    const t1 = await tok('kf');
    await advance(7201 * 1000);
    expect(await tok('kf')).not.toBe(t1);
  });

  it('rateLimit: 45009 above the per-minute cap; a new clock minute clears it', async () => {
    await onOff('rateLimit', 45009, async () => {
      await ctl('config', { ratePerMinute: 3 });
      const t = await tok('kf');
      let last = 0;
      for (let i = 0; i < 4; i++) last = (await wx('kf/account/list', { token: t })).errcode;
      return last;
    });
    await ctl('reset', {});
    // the token first, under the default cap: the host's own token refresh may call gettoken for
    // this corp in the same minute, and with a cap of 1 the test's gettoken would then be refused
    const t = await tok('kf');
    await ctl('config', { ratePerMinute: 1 });
    expect((await wx('kf/account/list', { token: t })).errcode).toBe(0);
    expect((await wx('kf/account/list', { token: t })).errcode).toBe(45009);
    await advance(60_000);
    expect((await wx('kf/account/list', { token: t })).errcode).toBe(0);
  });

  it('rateLimit: 45009 above the per-hour quota too (mark_tag at 3 an hour); a new clock hour clears it', async () => {
    await ctl('reset', {});
    const t = await tok('contact');
    await ctl('config', { ratePerHour: 3 });
    const mark = async () => (await wx('externalcontact/mark_tag', { token: t, body: { userid: 'zhangsan', external_userid: 'wmNOBODY', add_tag: [] } })).errcode;
    const first = [await mark(), await mark(), await mark()];
    // spread over minutes: the minute's cap is not what refuses the 4th
    await advance(2 * 60_000);
    expect(first.every((c) => c !== 45009)).toBe(true);
    expect(await mark()).toBe(45009);
    await advance(3_600_000);
    expect(await mark()).not.toBe(45009);
    await ctl('config', { rules: { rateLimit: false }, ratePerHour: 1 });
    expect(await mark()).not.toBe(45009);
    await ctl('reset', {});
  });

  it("kfWindow48h: send_msg more than 48 h after the customer's last message → 95002", async () => {
    await onOff('kfWindow48h', 95002, async () => {
      await says('wmLate', '还在吗');
      await advance(48 * 3600_000 + 1000);
      return (await send('wmLate', '在的')).errcode;
    });
  });

  it('kfFivePerMessage: the 6th send_msg for one customer message → 95001; a new message resets it', async () => {
    await onOff('kfFivePerMessage', 95001, async () => {
      await says('wmChatty', '问一下');
      for (let i = 1; i <= 5; i++) expect((await send('wmChatty', `第 ${i} 条`)).errcode).toBe(0);
      return (await send('wmChatty', '第 6 条')).errcode;
    });
    await ctl('reset', {});
    await says('wmChatty', '问一下');
    for (let i = 1; i <= 5; i++) await send('wmChatty', `第 ${i} 条`);
    await says('wmChatty', '还有一个问题');
    expect((await send('wmChatty', '请说')).errcode).toBe(0);
  });

  it('kfSessionState: send_msg while a person holds the session (service_state 3) → 95018', async () => {
    await onOff('kfSessionState', 95018, async () => {
      await says('wmHuman', '我要找人');
      const t = await tok('kf');
      expect((await wx('kf/service_state/trans', { token: t, body: { open_kfid: kfId, external_userid: 'wmHuman', service_state: 3, servicer_userid: 'zhangsan' } })).errcode).toBe(
        0,
      );
      return (await send('wmHuman', '机器人插话')).errcode;
    });
  });

  it('welcomeCode: single use (second send_welcome_msg → 41051)', async () => {
    await onOff('welcomeCode', 41051, async () => {
      const { welcomeCode } = await ctl('contact-add', { merchantId: SHOP, userId: 'zhangsan', externalUserId: 'wmTwice', notify: false });
      const t = await tok('contact');
      expect((await wx('externalcontact/send_welcome_msg', { token: t, body: { welcome_code: welcomeCode, text: { content: '欢迎' } } })).errcode).toBe(0);
      return (await wx('externalcontact/send_welcome_msg', { token: t, body: { welcome_code: welcomeCode, text: { content: '又欢迎' } } })).errcode;
    });
  });

  it('welcomeCode: valid 20 s (after that → 41096, an UNVERIFIED code)', async () => {
    await onOff('welcomeCode', 41096, async () => {
      const { welcomeCode } = await ctl('contact-add', { merchantId: SHOP, userId: 'zhangsan', externalUserId: 'wmSlow', notify: false });
      await advance(20_001);
      return (await wx('externalcontact/send_welcome_msg', { token: await tok('contact'), body: { welcome_code: welcomeCode, text: { content: '欢迎' } } })).errcode;
    });
    // the kf enter_session welcome_code follows the same rule
    const ev = await ctl('kf-event', { merchantId: SHOP, externalUserId: 'wmKfSlow', notify: false });
    await advance(21_000);
    expect((await wx('kf/send_msg_on_event', { token: await tok('kf'), body: { code: ev.welcomeCode, msgtype: 'text', text: { content: '欢迎' } } })).errcode).toBe(41096);
  });

  it('textLength: text over 2048 bytes → 45002 (kf/send_msg; also message/send and the robot)', async () => {
    const long = '好'.repeat(683); // 2049 bytes in UTF-8
    await onOff('textLength', 45002, async () => {
      await says('wmLong', '详细说说');
      return (await send('wmLong', long)).errcode;
    });
    await ctl('reset', {});
    await says('wmLong', '详细说说');
    expect((await send('wmLong', '好'.repeat(682))).errcode).toBe(0); // 2046 bytes
    expect((await wx('message/send', { token: await tok('app'), body: { touser: 'zhangsan', msgtype: 'text', agentid: W.agentId, text: { content: long } } })).errcode).toBe(45002);
    expect((await wx('webhook/send', { query: { key: 'k' }, body: { msgtype: 'text', text: { content: long } } })).errcode).toBe(45002);
  });

  it('templateRecipients: add_msg_template with more than 10 000 customers → 40058', async () => {
    const ids = Array.from({ length: 10_001 }, (_, i) => `wmMass${i}`);
    await onOff('templateRecipients', 40058, async () => {
      const r = await wx('externalcontact/add_msg_template', { token: await tok('contact'), body: { external_userid: ids, sender: 'zhangsan', text: { content: '上新啦' } } });
      return r.errcode;
    });
  });

  it('msgidDedupe: a repeated kf msgid → 95999 "sandbox: msgid already sent" (sandbox-only); a failed msgid may be retried', async () => {
    await onOff('msgidDedupe', 95999, async () => {
      await says('wmDup', '你好');
      expect((await send('wmDup', '您好', { msgid: 'same-id-1' })).errcode).toBe(0);
      const again = await send('wmDup', '您好', { msgid: 'same-id-1' });
      return again.errcode;
    });
    await ctl('reset', {});
    await says('wmDup', '你好');
    // the injected failure goes to whichever send_msg comes first: the host answering 你好 may take
    // it (then our send goes through), so try again with a fresh msgid until ours is the one refused
    let failed = '';
    for (let i = 0; i < 5 && !failed; i++) {
      await ctl('fault', { api: 'kf/send_msg', errcode: -1, times: 1 });
      if ((await send('wmDup', '您好', { msgid: `retry-id-${i}` })).errcode === -1) failed = `retry-id-${i}`;
    }
    expect(failed).not.toBe('');
    expect((await send('wmDup', '您好', { msgid: failed })).errcode).toBe(0);
    const r = await send('wmDup', '您好', { msgid: failed });
    expect(r).toMatchObject({ errcode: 95999, errmsg: expect.stringContaining('sandbox: msgid already sent') });
  });

  it('syncTokenExpiry: the callback Token is valid 10 min for kf/sync_msg → 95007', async () => {
    await onOff('syncTokenExpiry', 95007, async () => {
      const posted = await says('wmSync', '你好');
      const plaintext = (await h.rt.storage.inbox.get(SHOP, `sha256:${posted.callback.plaintextSha256}`))!.plaintext;
      const token = /<Token><!\[CDATA\[([^\]]+)\]\]><\/Token>/.exec(plaintext)![1];
      await advance(10 * 60_000 + 1000);
      return (await wx('kf/sync_msg', { token: await tok('kf'), body: { token } })).errcode;
    });
  });
});

// ---- control routes ------------------------------------------------------------------------------
describe('control routes', () => {
  it('customer-message: stores the message and sends the REAL encrypted kf_msg_or_event callback, which the product accepts', async () => {
    const posted = await says('wmZoe', '能外卖吗？');
    expect(posted).toMatchObject({ merchantId: SHOP, openKfId: kfId, externalUserId: 'wmZoe', msgid: expect.any(String), at: h.clock.now(), sentSeq: expect.any(Number) });
    expect(posted.callback).toMatchObject({ url: `${h.url}/wecom/callback/${SHOP}`, status: 200, body: '' });
    const entry = await h.rt.storage.inbox.get(SHOP, `sha256:${posted.callback.plaintextSha256}`);
    expect(entry).toMatchObject({ merchantId: SHOP, msgType: 'event', event: 'kf_msg_or_event', receivedAt: h.clock.now() });
    expect(entry!.plaintext).toMatch(
      new RegExp(
        `^<xml><ToUserName><!\\[CDATA\\[${W.corpId}\\]\\]></ToUserName><CreateTime>${Math.floor(h.clock.now() / 1000)}</CreateTime><MsgType><!\\[CDATA\\[event\\]\\]></MsgType><Event><!\\[CDATA\\[kf_msg_or_event\\]\\]></Event><Token><!\\[CDATA\\[ENC\\w+\\]\\]></Token><OpenKfId><!\\[CDATA\\[${kfId}\\]\\]></OpenKfId></xml>$`,
      ),
    );
    // a merchant with only the default callback pair gets callbacks signed with it
    const plain = await says('wmPlain', '你好', PLAIN);
    expect(plain.callback.status).toBe(200);
    expect(await h.rt.storage.inbox.get(PLAIN, `sha256:${plain.callback.plaintextSha256}`)).toMatchObject({ event: 'kf_msg_or_event' });
  });

  it('clock: advance and set move the one clock the product and the sandbox share', async () => {
    const before = h.clock.now();
    expect(await ctl('clock', { advanceMs: 90_000 })).toEqual({ now: before + 90_000, iso: new Date(before + 90_000).toISOString() });
    expect(h.clock.now()).toBe(before + 90_000);
    const at = Date.UTC(2026, 11, 1, 2, 0, 0);
    expect((await ctl('clock', { set: '2026-12-01T02:00:00.000Z' })).now).toBe(at);
    expect((await ctl('clock')).now).toBe(at);
    expect((await control('clock', { advanceMs: 'soon' })).code).toBe('INPUT.INVALID');
  });

  it('fault: the next `times` calls of an api answer the injected errcode (and sends record it)', async () => {
    await says('wmFault', '你好');
    await ctl('fault', { api: 'kf/send_msg', errcode: 45009, times: 2 });
    expect(await ctl('fault')).toEqual([{ api: 'kf/send_msg', mode: 'errcode', errcode: 45009, times: 2 }]);
    expect((await send('wmFault', '1')).errcode).toBe(45009);
    expect((await send('wmFault', '2')).errcode).toBe(45009);
    expect((await send('wmFault', '3')).errcode).toBe(0);
    await ctl('fault', { api: 'gettoken', errcode: 42001, times: 1 });
    expect((await wx('gettoken', { get: true, query: { corpid: W.corpId, corpsecret: W.kfSecret } })).errcode).toBe(42001);
    expect((await ctl(`sent?merchantId=${SHOP}`)).map((r: Json) => [r.text, r.errcode])).toEqual([
      ['1', 45009],
      ['2', 45009],
      ['3', 0],
    ]);
  });

  it('fault lost: WeCom carries the call out (the send is in the sent list) but its answer never arrives', async () => {
    await says('wmLost', '你好');
    await ctl('fault', { api: 'kf/send_msg', mode: 'lost', times: 1 });
    const body = JSON.stringify({ touser: 'wmLost', open_kfid: kfId, msgtype: 'text', text: { content: '到了吗' } });
    const lost = await fetch(`${h.url}/sandbox/cgi-bin/kf/send_msg?access_token=${await tok('kf')}`, { method: 'POST', body, signal: AbortSignal.timeout(1_000) }).then(
      (r) => `HTTP ${r.status}`,
      (err: Error) => err.name,
    );
    expect(lost).toBe('TimeoutError');
    expect((await send('wmLost', '第二条')).errcode).toBe(0);
    expect((await ctl(`sent?merchantId=${SHOP}`)).map((r: Json) => [r.text, r.errcode])).toEqual([
      ['到了吗', 0],
      ['第二条', 0],
    ]);
  });

  it('sent: {at, api, to, msgtype, text, msgid, errcode} oldest first, `after` for polling; reset forgets', async () => {
    await says('wmList', '你好');
    await send('wmList', '第一条', { msgid: 'list-1' });
    await send('wmList', 'x'.repeat(3000), { msgid: 'list-2' });
    const all = await ctl(`sent?merchantId=${SHOP}`);
    expect(all).toEqual([
      { seq: 1, at: h.clock.now(), api: 'kf/send_msg', to: 'wmList', msgtype: 'text', text: '第一条', msgid: 'list-1', errcode: 0 },
      { seq: 2, at: h.clock.now(), api: 'kf/send_msg', to: 'wmList', msgtype: 'text', text: 'x'.repeat(3000), msgid: 'list-2', errcode: 45002 },
    ]);
    expect(await ctl(`sent?merchantId=${SHOP}&after=1`)).toHaveLength(1);
    await ctl('reset', { merchantId: SHOP });
    expect(await ctl(`sent?merchantId=${SHOP}`)).toEqual([]);
    expect((await control('sent?merchantId=Bad Id')).status).toBe(400);
  });

  it("kf-session and servicer-message play WeCom's side of a session", async () => {
    await says('wmServ', '人呢');
    await ctl('kf-session', { merchantId: SHOP, externalUserId: 'wmServ', serviceState: 3, servicerUserId: 'zhangsan' });
    const r = await ctl('servicer-message', { merchantId: SHOP, externalUserId: 'wmServ', servicerUserId: 'zhangsan', text: '我是店长' });
    expect(r.callback.status).toBe(200);
    const synced = await wx('kf/sync_msg', { token: await tok('kf'), body: { open_kfid: kfId } });
    expect(synced.msg_list.map((m: Json) => [m.origin, m.servicer_userid ?? null, m.text.content])).toEqual([
      [3, null, '人呢'],
      [5, 'zhangsan', '我是店长'],
    ]);
    expect((await send('wmServ', '机器人')).errcode).toBe(95018);
  });
});

// ---- the demo shop on a fresh start ----------------------------------------------------------------
describe("registration from the product's storage: the demo shop", () => {
  it('knows wkDEMO0001 and the seeded conversations, so a reply inside 48 h works at once', async () => {
    await seedDemoShop(h.rt.deps);
    const now = h.clock.now();
    const convs = (await h.rt.storage.conversations.list(DEMO_MERCHANT_ID, { limit: 100 })).items;
    const recent = convs.find((c) => c.state === 'ai' && c.lastCustomerMessageAt !== undefined && now - c.lastCustomerMessageAt < 24 * 3600_000);
    const old = convs.find((c) => c.lastCustomerMessageAt !== undefined && now - c.lastCustomerMessageAt > 49 * 3600_000);
    expect(recent).toBeDefined();
    const t = (await wx('gettoken', { get: true, query: { corpid: DEMO_WECOM.corpId, corpsecret: DEMO_WECOM.kfSecret } })).access_token;
    expect((await wx('kf/account/list', { token: t })).account_list.map((a: Json) => a.open_kfid)).toEqual([DEMO_KF_ACCOUNT]);
    const body = (touser: string) => ({ touser, open_kfid: DEMO_KF_ACCOUNT, msgtype: 'text', text: { content: '您好～' } });
    expect((await wx('kf/send_msg', { token: t, body: body(recent!.externalUserId) })).errcode).toBe(0);
    if (old) expect([95002, 95018]).toContain((await wx('kf/send_msg', { token: t, body: body(old.externalUserId) })).errcode);
    // batchget knows the seeded customers' names
    const c = await h.rt.storage.customers.get(DEMO_MERCHANT_ID, recent!.externalUserId);
    expect((await wx('kf/customer/batchget', { token: t, body: { external_userid_list: [recent!.externalUserId] } })).customer_list[0].nickname).toBe(c!.name);
  });
});

// ---- CLI -----------------------------------------------------------------------------------------------
describe('CLI: sandbox sent, simulate', () => {
  const saved = { DATA_DIR: process.env.DATA_DIR, PUBLIC_URL: process.env.PUBLIC_URL };
  beforeAll(() => {
    process.env.DATA_DIR = h.dataDir;
    process.env.PUBLIC_URL = h.url;
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('sandbox sent --json: the sent list from storage, oldest first, exactly {at, api, to, msgtype, text, msgid, errcode}', async () => {
    await says('wmCli', '你好');
    await send('wmCli', '您好！', { msgid: 'cli-1' });
    await send('wmCli', '还有什么？', { msgid: 'cli-2' });
    const out = await runCli(['sandbox', 'sent', '--merchant', SHOP, '--json']);
    expect(out.code).toBe(0);
    const list = JSON.parse(out.stdout);
    expect(list).toEqual([
      { at: h.clock.now(), api: 'kf/send_msg', to: 'wmCli', msgtype: 'text', text: '您好！', msgid: 'cli-1', errcode: 0 },
      { at: h.clock.now(), api: 'kf/send_msg', to: 'wmCli', msgtype: 'text', text: '还有什么？', msgid: 'cli-2', errcode: 0 },
    ]);
    expect(Object.keys(list[0])).toEqual(['at', 'api', 'to', 'msgtype', 'text', 'msgid', 'errcode']);
    const text = await runCli(['sandbox', 'sent', '--merchant', SHOP]);
    expect(text.stdout).toContain('kf/send_msg  → wmCli');
    expect(JSON.parse((await runCli(['sandbox', 'sent', '--merchant', 'no-such-shop', '--json'])).stdout)).toMatchObject({ ok: false, code: 'NOT_FOUND.MERCHANT' });
  });

  it('simulate: the message reaches the running host through the real encrypted callback (inbox entry stored)', async () => {
    const put = jest.spyOn(h.rt.storage.inbox, 'put');
    try {
      const out = await runCli(['simulate', '--merchant', SHOP, '--text', '你们几点开门？', '--customer', 'wmSim01', '--wait', '1', '--json']);
      expect(out.code).toBe(0);
      const r = JSON.parse(out.stdout);
      expect(Object.keys(r)).toEqual(['reply', 'handoff', 'ms', 'timedOut']);
      expect(r.reply === null || typeof r.reply === 'string').toBe(true);
      expect(r).toMatchObject({ handoff: expect.any(Boolean), ms: expect.any(Number) });
      // without the product's kf processing nothing answers: the honest reading is a timed-out "handoff"
      if (r.timedOut) expect(r).toMatchObject({ reply: null, handoff: true });
      const stored = put.mock.calls.map((c) => c[0]).filter((e) => e.merchantId === SHOP && e.event === 'kf_msg_or_event');
      expect(stored).toHaveLength(1);
      expect(await h.rt.storage.inbox.get(SHOP, stored[0].dedupeKey)).not.toBeNull();
      // the sandbox holds the customer's message for sync_msg
      const synced = await wx('kf/sync_msg', { token: await tok('kf'), body: { open_kfid: kfId } });
      expect(synced.msg_list.at(-1)).toMatchObject({ external_userid: 'wmSim01', origin: 3, text: { content: '你们几点开门？' } });
    } finally {
      put.mockRestore();
    }
  });

  // PENDING: the product's kf processing (inbox → kf/sync_msg → answer → kf/send_msg) is being
  // written in parallel; until it lands nothing answers the customer and this test fails, which
  // `it.failing` reports as passing. When the processing lands this turns red: change it to `it`.
  it('simulate --json: the product answers (a reply, or an explicit handoff) within the wait', async () => {
    // this host's clock is a ManualClock: let product time pass (the fragment window is on it)
    const ticking = setInterval(() => h.clock.advance(50), 50);
    const out = await runCli(['simulate', '--merchant', SHOP, '--text', '你们几点开门？', '--wait', '20', '--json']).finally(() => clearInterval(ticking));
    expect(out.code).toBe(0);
    const r = JSON.parse(out.stdout);
    expect(r.timedOut).toBe(false);
    expect(r.reply !== null || r.handoff === true).toBe(true);
    expect(r.ms).toBeGreaterThan(0);
  });

  it('simulate without a running host: exit 1 with SANDBOX.NO_HOST', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    process.env.PUBLIC_URL = `http://127.0.0.1:${port}`;
    try {
      const out = await runCli(['simulate', '--merchant', SHOP, '--text', '在吗', '--json']);
      expect(out.code).toBe(1);
      // where it looked, and the settings that point it at a host started elsewhere
      const body = JSON.parse(out.stdout);
      expect(body).toMatchObject({ ok: false, code: 'SANDBOX.NO_HOST' });
      expect(body.message).toContain(`没找到正在运行的店小二（http://127.0.0.1:${port} 没有回应）`);
      expect(body.message).toMatch(/npm start.*DATA_DIR.*PORT=/);
    } finally {
      process.env.PUBLIC_URL = h.url;
    }
  });
});
