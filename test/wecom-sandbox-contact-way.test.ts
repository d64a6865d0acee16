import crypto from 'node:crypto';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import type { InboxEntry } from '@xiaoer/shared/domain/inbox';
import { startTestHost, type TestHost } from './helpers/host';

/**
 * The WeCom sandbox's 联系我 endpoints (add/get/list/update/del_contact_way, the QR picture), a
 * customer added through a contact way (the callback's State and WelcomeCode), and the tag
 * endpoints' limits: 5 calls in flight per corp (45033) and 30-character names — each rule on
 * AND off, the off case proving the on case would catch a regression.
 */

const aesKey = () => crypto.randomBytes(32).toString('base64').slice(0, 43);
const SHOP = 'sbx-way-shop';
const W = { corpId: 'ww1a2b3c4d5e6f7a8b', token: 'SbxWayTok01', aesKey: aesKey(), contactSecret: 'sbx-way-contact-secret', kfSecret: 'sbx-way-kf-secret' };

let h: TestHost;
beforeAll(async () => {
  h = await startTestHost();
  await createMerchant(h.rt.deps, { id: SHOP, name: '活码店', ...W });
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  await ctl('reset', {});
});

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
async function wx(api: string, token: string, body: unknown = {}): Promise<Json> {
  const res = await fetch(`${h.url}/sandbox/cgi-bin/${api}?access_token=${encodeURIComponent(token)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200); // WeCom answers errors with HTTP 200 and an errcode
  return (await res.json()) as Json;
}
async function tok(kind: 'contact' | 'kf' = 'contact'): Promise<string> {
  const secret = kind === 'contact' ? W.contactSecret : W.kfSecret;
  const res = await fetch(`${h.url}/sandbox/cgi-bin/gettoken?corpid=${W.corpId}&corpsecret=${secret}`);
  return ((await res.json()) as Json).access_token;
}
const rules = (r: Record<string, boolean>) => ctl('config', { rules: r });
const sent = async () => (await ctl(`sent?merchantId=${SHOP}`)) as Json[];

/** Runs a scenario with a rule on and off: on must fail with `code`, off must succeed. */
async function onOff(rule: string, code: number, scenario: () => Promise<number>) {
  await ctl('reset', {});
  expect({ rule, on: await scenario() }).toEqual({ rule, on: code });
  await ctl('reset', {});
  await rules({ [rule]: false });
  expect({ rule, off: await scenario() }).toEqual({ rule, off: 0 });
  await ctl('reset', {});
}

describe('联系我 endpoints', () => {
  it('add (QR code) → get → list → update → del, and the qr_code URL serves a PNG', async () => {
    const t = await tok();
    const add = await wx('externalcontact/add_contact_way', t, { type: 1, scene: 2, state: 'qr-counter', user: ['zhangsan'], remark: '柜台', skip_verify: true });
    expect(add).toEqual({ errcode: 0, errmsg: 'ok', config_id: expect.stringMatching(/^[0-9a-z]{32}$/), qr_code: expect.stringMatching(/^http:\/\/.+\.png$/) });
    const png = await fetch(add.qr_code);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await png.arrayBuffer()).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

    expect(await wx('externalcontact/get_contact_way', t, { config_id: add.config_id })).toEqual({
      errcode: 0,
      errmsg: 'ok',
      contact_way: {
        config_id: add.config_id,
        type: 1,
        scene: 2,
        remark: '柜台',
        skip_verify: true,
        state: 'qr-counter',
        user: ['zhangsan'],
        party: [],
        qr_code: add.qr_code,
        create_time: expect.any(Number),
      },
    });
    const mini = await wx('externalcontact/add_contact_way', t, { type: 2, scene: 1, style: 1, user: ['zhangsan', 'lisi'] });
    expect(mini).toEqual({ errcode: 0, errmsg: 'ok', config_id: expect.any(String) }); // a mini-program way has no picture
    const list = await wx('externalcontact/list_contact_way', t, { limit: 1 });
    expect(list.contact_way).toHaveLength(1);
    const rest = await wx('externalcontact/list_contact_way', t, { limit: 1, cursor: list.next_cursor });
    expect([...list.contact_way, ...rest.contact_way].map((w: Json) => w.config_id).sort()).toEqual([add.config_id, mini.config_id].sort());
    expect(rest.next_cursor).toBe('');

    expect(await wx('externalcontact/update_contact_way', t, { config_id: add.config_id, state: 'qr-bag', remark: '外卖袋' })).toEqual({ errcode: 0, errmsg: 'ok' });
    expect((await wx('externalcontact/get_contact_way', t, { config_id: add.config_id })).contact_way).toMatchObject({
      state: 'qr-bag',
      remark: '外卖袋',
      user: ['zhangsan'],
      type: 1,
    });

    expect(await wx('externalcontact/del_contact_way', t, { config_id: add.config_id })).toEqual({ errcode: 0, errmsg: 'ok' });
    expect((await wx('externalcontact/get_contact_way', t, { config_id: add.config_id })).errcode).toBe(40058);
    expect((await fetch(add.qr_code)).status).toBe(404);

    // the sent list names every call by its endpoint path
    expect((await sent()).map((r) => [r.api, r.errcode])).toEqual([
      ['externalcontact/add_contact_way', 0],
      ['externalcontact/get_contact_way', 0],
      ['externalcontact/add_contact_way', 0],
      ['externalcontact/list_contact_way', 0],
      ['externalcontact/list_contact_way', 0],
      ['externalcontact/update_contact_way', 0],
      ['externalcontact/get_contact_way', 0],
      ['externalcontact/del_contact_way', 0],
      ['externalcontact/get_contact_way', 40058],
    ]);
    expect((await sent())[0]).toMatchObject({ to: 'zhangsan', msgtype: 'contact_way', text: expect.stringContaining(`config_id ${add.config_id}`) });
  });

  it('refuses bad inputs with 40058, a missing token with 41001 and a kf token with 48002', async () => {
    const t = await tok();
    const bad = async (body: Json) => (await wx('externalcontact/add_contact_way', t, body)).errcode;
    expect(await bad({ type: 3, scene: 2, user: ['zhangsan'] })).toBe(40058);
    expect(await bad({ type: 1, scene: 3, user: ['zhangsan'] })).toBe(40058);
    expect(await bad({ type: 1, scene: 2, user: ['zhangsan', 'lisi'] })).toBe(40058); // single takes one user
    expect(await bad({ type: 2, scene: 2, user: [] })).toBe(40058);
    expect(await bad({ type: 2, scene: 2, user: [1] })).toBe(40058);
    expect(await bad({ type: 2, scene: 2, user: ['a'], skip_verify: 'yes' })).toBe(40058);
    expect(await bad({ type: 2, scene: 2, user: ['a'], state: 'x'.repeat(31) })).toBe(40058);
    expect(await bad({ type: 2, scene: 2, user: ['a'], state: '柜'.repeat(30) })).toBe(0); // 30 characters, not bytes
    expect((await wx('externalcontact/update_contact_way', t, { config_id: 'nope', state: 'x' })).errcode).toBe(40058);
    expect((await wx('externalcontact/del_contact_way', t, {})).errcode).toBe(40058);
    expect((await wx('externalcontact/list_contact_way', t, { start_time: 10, end_time: 5 })).errcode).toBe(40058);
    expect((await wx('externalcontact/add_contact_way', '', { type: 1, scene: 2, user: ['a'] })).errcode).toBe(41001);
    expect((await wx('externalcontact/add_contact_way', await tok('kf'), { type: 1, scene: 2, user: ['a'] })).errcode).toBe(48002);
  });

  it('thirtyChars: a 31-character state or tag name → 40058', async () => {
    await onOff('thirtyChars', 40058, async () => (await wx('externalcontact/add_contact_way', await tok(), { type: 1, scene: 2, user: ['a'], state: 's'.repeat(31) })).errcode);
    await onOff('thirtyChars', 40058, async () => (await wx('externalcontact/add_corp_tag', await tok(), { group_name: '店小二', tag: [{ name: '标'.repeat(31) }] })).errcode);
    await onOff('thirtyChars', 40058, async () => {
      const t = await tok();
      const add = await wx('externalcontact/add_corp_tag', t, { group_name: '店小二', tag: [{ name: 'VIP' }] });
      return (await wx('externalcontact/edit_corp_tag', t, { id: add.tag_group.tag[0].id, name: 'V'.repeat(31) })).errcode;
    });
  });
});

describe('a customer adds a member through a contact way', () => {
  it("sends add_external_contact with the way's State and a WelcomeCode the product can use within 20 s", async () => {
    const t = await tok();
    const way = await wx('externalcontact/add_contact_way', t, { type: 2, scene: 2, state: 'qr-meituan', user: ['lisi', 'zhangsan'] });
    const added = await ctl('contact-way-add', { merchantId: SHOP, configId: way.config_id, externalUserId: 'wmWayA', name: '阿美' });
    expect(added).toMatchObject({ userId: 'lisi', state: 'qr-meituan', welcomeCode: expect.any(String), callback: { status: 200 } });
    const stored = (await h.rt.storage.inbox.get(SHOP, `sha256:${added.callback.plaintextSha256}`)) as InboxEntry;
    expect(stored.plaintext).toContain('<ChangeType><![CDATA[add_external_contact]]></ChangeType>');
    expect(stored.plaintext).toContain('<UserID><![CDATA[lisi]]></UserID>');
    expect(stored.plaintext).toContain('<State><![CDATA[qr-meituan]]></State>');
    expect(stored.plaintext).toContain(`<WelcomeCode><![CDATA[${added.welcomeCode}]]></WelcomeCode>`);
    const c = await fetch(`${h.url}/sandbox/cgi-bin/externalcontact/get?access_token=${t}&external_userid=wmWayA`).then((r) => r.json() as Promise<Json>);
    expect(c.follow_user).toEqual([expect.objectContaining({ userid: 'lisi', state: 'qr-meituan' })]);

    // the welcome code: good for 20 s after the callback (the product is left out: notify false)
    const quick = await ctl('contact-way-add', { merchantId: SHOP, configId: way.config_id, externalUserId: 'wmWayB', userId: 'zhangsan', notify: false });
    await ctl('clock', { advanceMs: 19_000 });
    expect(await wx('externalcontact/send_welcome_msg', t, { welcome_code: quick.welcomeCode, text: { content: '欢迎从美团来' } })).toEqual({ errcode: 0, errmsg: 'ok' });
    const slow = await ctl('contact-way-add', { merchantId: SHOP, configId: way.config_id, externalUserId: 'wmWayC', notify: false });
    await ctl('clock', { advanceMs: 20_001 });
    expect((await wx('externalcontact/send_welcome_msg', t, { welcome_code: slow.welcomeCode, text: { content: '欢迎' } })).errcode).toBe(41096);
  });

  it('refuses an unknown way, a member not on it, and a deleted way', async () => {
    const t = await tok();
    const way = await wx('externalcontact/add_contact_way', t, { type: 1, scene: 2, user: ['zhangsan'] });
    expect(await control('contact-way-add', { merchantId: SHOP, configId: 'abc123', externalUserId: 'wmX' })).toMatchObject({ status: 404, ok: false });
    expect(await control('contact-way-add', { merchantId: SHOP, configId: way.config_id, externalUserId: 'wmX', userId: 'lisi' })).toMatchObject({ status: 400, ok: false });
    const plain = await ctl('contact-way-add', { merchantId: SHOP, configId: way.config_id, externalUserId: 'wmX', notify: false });
    expect(plain).toMatchObject({ userId: 'zhangsan', state: '' }); // a way without state: the callback carries none
    await wx('externalcontact/del_contact_way', t, { config_id: way.config_id });
    expect(await control('contact-way-add', { merchantId: SHOP, configId: way.config_id, externalUserId: 'wmY' })).toMatchObject({ status: 404, ok: false });
  });
});

describe('tagConcurrency: more than 5 calls of a tag API in flight for one corp → 45033', () => {
  /** Six mark_tag calls held in flight together; the errcodes once the hold is released. */
  async function sixAtOnce(limitOn: boolean): Promise<number[]> {
    const t = await tok();
    await ctl('contact-add', { merchantId: SHOP, userId: 'zhangsan', externalUserId: 'wmTagged', welcome: false, notify: false });
    const tag = (await wx('externalcontact/add_corp_tag', t, { group_name: '店小二', tag: [{ name: '常客' }] })).tag_group.tag[0].id;
    await ctl('hold', { merchantId: SHOP, api: 'externalcontact/mark_tag', on: true });
    const calls = Array.from({ length: 6 }, () => wx('externalcontact/mark_tag', t, { userid: 'zhangsan', external_userid: 'wmTagged', add_tag: [tag] }));
    if (limitOn) {
      // while five are held, the sixth is answered at once
      expect((await Promise.race(calls)).errcode).toBe(45033);
      expect(await ctl(`hold?merchantId=${SHOP}&api=externalcontact/mark_tag`)).toEqual({ api: 'externalcontact/mark_tag', held: true, inFlight: 5 });
    } else {
      for (let i = 0; i < 500 && (await ctl(`hold?merchantId=${SHOP}&api=externalcontact/mark_tag`)).inFlight < 6; i++) await new Promise((r) => setTimeout(r, 10));
      expect((await ctl(`hold?merchantId=${SHOP}&api=externalcontact/mark_tag`)).inFlight).toBe(6);
    }
    await ctl('hold', { merchantId: SHOP, api: 'externalcontact/mark_tag', on: false });
    return (await Promise.all(calls)).map((r) => r.errcode).sort((a, b) => a - b);
  }

  it('on: five go through and one is refused (and listed in sandbox sent); off: all six go through', async () => {
    expect(await sixAtOnce(true)).toEqual([0, 0, 0, 0, 0, 45033]);
    const marks = (await sent()).filter((r) => r.api === 'externalcontact/mark_tag');
    expect(marks.map((r) => r.errcode).sort((a, b) => a - b)).toEqual([0, 0, 0, 0, 0, 45033]);
    expect(marks[0]).toMatchObject({ to: 'wmTagged', msgtype: 'tags' });
    await ctl('reset', {});
    await rules({ tagConcurrency: false });
    expect(await sixAtOnce(false)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('calls one after another never hit the limit, and another tag API is counted apart', async () => {
    const t = await tok();
    for (let i = 0; i < 8; i++) expect((await wx('externalcontact/add_corp_tag', t, { group_name: '店小二', tag: [{ name: `标签${i}` }] })).errcode).toBe(0);
    await ctl('hold', { merchantId: SHOP, api: 'externalcontact/add_corp_tag', on: true });
    const held = Array.from({ length: 5 }, (_, i) => wx('externalcontact/add_corp_tag', t, { group_name: '店小二', tag: [{ name: `并发${i}` }] }));
    for (let i = 0; i < 500 && (await ctl(`hold?merchantId=${SHOP}&api=externalcontact/add_corp_tag`)).inFlight < 5; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await wx('externalcontact/get_corp_tag_list', t, {})).errcode).toBe(0);
    await ctl('hold', { merchantId: SHOP, api: 'externalcontact/add_corp_tag', on: false });
    expect((await Promise.all(held)).map((r) => r.errcode)).toEqual([0, 0, 0, 0, 0]);
    expect((await sent()).filter((r) => r.api === 'externalcontact/add_corp_tag')).toHaveLength(13);
  });
});
