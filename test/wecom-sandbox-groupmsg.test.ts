import crypto from 'node:crypto';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { Customer } from '@xiaoer/shared/domain/customer';
import { runCli } from '../cloudfunctions/server/cli/main';
import { startTestHost, type TestHost } from './helpers/host';

/**
 * The WeCom sandbox's mass-send (群发) area against a real host: add_msg_template with its
 * attachments, get_groupmsg_list_v2, get_groupmsg_task / get_groupmsg_send_result statuses,
 * remind and cancel, the control route that plays a member confirming, the per-customer quota
 * under each of the corp's three settings on the shared clock, and the sent list. Every rule
 * on AND off: the off case proves the on case would catch a regression.
 */

const aesKey = () => crypto.randomBytes(32).toString('base64').slice(0, 43);
const SHOP = 'sbx-gm-shop';
const W = { corpId: 'ww7e6d5c4b3a291807', token: 'SbxGmTok01', aesKey: aesKey(), contactSecret: 'sbx-gm-contact-secret' };
/** 2026-11-23 10:00 China time, a Monday. */
const MONDAY = Date.parse('2026-11-23T10:00:00+08:00');
const DAY = 86_400_000;

let h: TestHost;
beforeAll(async () => {
  h = await startTestHost();
  await createMerchant(h.rt.deps, { id: SHOP, name: '群发店', ...W });
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  await ctl('reset', {});
  await clock(MONDAY);
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
const clock = (at: number) => ctl('clock', { set: at });
/** A call with a fresh token: tests move the clock by days, past the token's 7200 s. */
async function wx(api: string, body: unknown = {}): Promise<Json> {
  const t = ((await (await fetch(`${h.url}/sandbox/cgi-bin/gettoken?corpid=${W.corpId}&corpsecret=${W.contactSecret}`)).json()) as Json).access_token;
  const res = await fetch(`${h.url}/sandbox/cgi-bin/${api}?access_token=${encodeURIComponent(t)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200); // WeCom answers errors with HTTP 200 and an errcode
  return (await res.json()) as Json;
}
const rules = (r: Record<string, boolean>) => ctl('config', { rules: r });
const sent = async () => (await ctl(`sent?merchantId=${SHOP}`)) as Json[];
const friend = (userId: string, externalUserId: string) => ctl('contact-add', { merchantId: SHOP, userId, externalUserId, welcome: false, notify: false });

/** A mass send from `sender` (the product's way: one task per member); returns the msgid. */
async function massSend(ids: string[], sender = 'zhangsan', extra: Json = {}): Promise<string> {
  const r = await wx('externalcontact/add_msg_template', { external_userid: ids, sender, text: { content: '周末第二杯半价' }, ...extra });
  expect(r).toMatchObject({ errcode: 0, fail_list: [] });
  return r.msgid;
}
const confirm = (msgid: string, userid?: string) => ctl('groupmsg-confirm', { merchantId: SHOP, msgid, ...(userid ? { userid } : {}) });
async function statuses(msgid: string, userid = 'zhangsan'): Promise<number[]> {
  const r = await wx('externalcontact/get_groupmsg_send_result', { msgid, userid });
  expect(r.errcode).toBe(0);
  return r.send_list.map((x: Json) => x.status);
}
/** One mass message to `id` from zhangsan, confirmed at once: its send_result status. */
async function sendOne(id: string): Promise<number> {
  const msgid = await massSend([id]);
  await confirm(msgid);
  return (await statuses(msgid))[0];
}

/** Runs a scenario with a rule on and off: on must fail with `code`, off must succeed. */
async function onOff(rule: string, code: number, scenario: () => Promise<number>) {
  await ctl('reset', {});
  expect({ rule, on: await scenario() }).toEqual({ rule, on: code });
  await ctl('reset', {});
  await rules({ [rule]: false });
  expect({ rule, off: await scenario() }).toEqual({ rule, off: 0 });
  await ctl('reset', {});
}

const image = { msgtype: 'image', image: { media_id: 'MEDIA_1' } };
const link = (desc = '新品上市') => ({ msgtype: 'link', link: { title: '秋季新品', url: 'https://example.com/new', desc } });
const mini = (title = '点单小程序') => ({ msgtype: 'miniprogram', miniprogram: { title, pic_media_id: 'MEDIA_2', appid: 'wx1234567890abcdef', page: '/pages/index' } });
const template = (attachments: unknown[]) => wx('externalcontact/add_msg_template', { external_userid: ['wmA'], sender: 'zhangsan', text: { content: '上新' }, attachments });

describe('add_msg_template: attachments', () => {
  it('stored on the task and shown by get_groupmsg_list_v2; a missing required field or an unknown type → 40058 whatever the rules say', async () => {
    const r = await template([image, link(), mini(), { msgtype: 'image', image: { pic_url: 'https://example.com/a.png' } }]);
    expect(r).toEqual({ errcode: 0, errmsg: 'ok', fail_list: [], msgid: expect.stringMatching(/^msg/) });
    const sec = Math.floor(MONDAY / 1000);
    const list = await wx('externalcontact/get_groupmsg_list_v2', { chat_type: 'single', start_time: sec - 60, end_time: sec + 60 });
    expect(list.group_msg_list).toEqual([
      {
        msgid: r.msgid,
        creator: 'zhangsan',
        create_time: sec,
        create_type: 0,
        text: { content: '上新' },
        attachments: [image, link(), mini(), { msgtype: 'image', image: { pic_url: 'https://example.com/a.png' } }],
      },
    ]);
    await rules({ templateAttachments: false });
    for (const bad of [
      { msgtype: 'image', image: {} },
      { msgtype: 'link', link: { title: '没有地址' } },
      { msgtype: 'miniprogram', miniprogram: { title: 'x', appid: 'wx1', page: '/p' } },
      { msgtype: 'voice', voice: { media_id: 'M' } },
      { msgtype: 'link', link: { title: 1, url: 'https://example.com' } },
    ]) {
      expect({ bad, errcode: (await template([bad])).errcode }).toEqual({ bad, errcode: 40058 });
    }
    expect((await wx('externalcontact/add_msg_template', { external_userid: ['wmA'], sender: 'zhangsan', attachments: image })).errcode).toBe(40058);
    expect((await wx('externalcontact/add_msg_template', { external_userid: ['wmA'], sender: 'zhangsan', text: { content: 'x' }, allow_select: 'yes' })).errcode).toBe(40058);
  });

  it('templateAttachments: more than 9 → 40058', async () => {
    await onOff('templateAttachments', 40058, async () => (await template(Array.from({ length: 10 }, () => image))).errcode);
    expect((await template(Array.from({ length: 9 }, () => image))).errcode).toBe(0);
  });

  it('templateAttachments: a link desc over 512 bytes → 40058', async () => {
    await onOff('templateAttachments', 40058, async () => (await template([link('好'.repeat(171))])).errcode); // 513 bytes
    expect((await template([link('好'.repeat(170) + 'ab')])).errcode).toBe(0); // 512 bytes
  });

  it('templateAttachments: a mini-program title over 64 bytes → 40058', async () => {
    await onOff('templateAttachments', 40058, async () => (await template([mini('好'.repeat(21) + 'ab')])).errcode); // 65 bytes
    expect((await template([mini('好'.repeat(21) + 'a')])).errcode).toBe(0); // 64 bytes
  });
});

describe('get_groupmsg_list_v2', () => {
  it('pages with a cursor (limit ≤ 100, default 50), oldest first, filtered by time, creator, chat_type and filter_type', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      await clock(MONDAY + i * 3600_000);
      ids.push(await massSend(['wmA'], i % 2 ? 'lisi' : 'zhangsan'));
    }
    const group = await wx('externalcontact/add_msg_template', { chat_type: 'group', chat_id_list: ['wrChat1'], sender: 'zhangsan', text: { content: '群里也发' } });
    expect(group.errcode).toBe(0);
    const sec = Math.floor(MONDAY / 1000);
    const range = { chat_type: 'single', start_time: sec, end_time: sec + 5 * 3600 };
    const seen: string[] = [];
    let cursor = '';
    let pages = 0;
    do {
      const page = await wx('externalcontact/get_groupmsg_list_v2', { ...range, limit: 2, cursor });
      expect(page.errcode).toBe(0);
      expect(page.group_msg_list.length).toBeLessThanOrEqual(2);
      seen.push(...page.group_msg_list.map((x: Json) => x.msgid));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect({ seen, pages }).toEqual({ seen: ids, pages: 3 });
    expect((await wx('externalcontact/get_groupmsg_list_v2', range)).group_msg_list).toHaveLength(5); // default 50
    // a time window: the tasks made at +1 h and +2 h only
    const mid = await wx('externalcontact/get_groupmsg_list_v2', { ...range, start_time: sec + 3600, end_time: sec + 2 * 3600 });
    expect(mid.group_msg_list.map((x: Json) => x.msgid)).toEqual(ids.slice(1, 3));
    const byLisi = await wx('externalcontact/get_groupmsg_list_v2', { ...range, creator: 'lisi' });
    expect(byLisi.group_msg_list.map((x: Json) => [x.msgid, x.creator])).toEqual([
      [ids[1], 'lisi'],
      [ids[3], 'lisi'],
    ]);
    expect((await wx('externalcontact/get_groupmsg_list_v2', { ...range, filter_type: 1 })).group_msg_list).toEqual([]); // API tasks are the corp's
    expect((await wx('externalcontact/get_groupmsg_list_v2', { ...range, filter_type: 0 })).group_msg_list).toHaveLength(5);
    expect((await wx('externalcontact/get_groupmsg_list_v2', { ...range, chat_type: 'group' })).group_msg_list.map((x: Json) => x.msgid)).toEqual([group.msgid]);
    expect((await wx('externalcontact/get_groupmsg_list_v2', { ...range, limit: 101 })).errcode).toBe(40058);
    expect((await wx('externalcontact/get_groupmsg_list_v2', { ...range, limit: 100 })).errcode).toBe(0);
    expect((await wx('externalcontact/get_groupmsg_list_v2', { ...range, start_time: sec + 10, end_time: sec })).errcode).toBe(40058);
    expect((await wx('externalcontact/get_groupmsg_list_v2', { chat_type: 'single', start_time: sec })).errcode).toBe(40058);
  });

  it('groupmsgListRange: start_time and end_time more than a month (31 days) apart → 40058', async () => {
    const sec = Math.floor(MONDAY / 1000);
    await onOff(
      'groupmsgListRange',
      40058,
      async () => (await wx('externalcontact/get_groupmsg_list_v2', { chat_type: 'single', start_time: sec - 31 * 86400 - 1, end_time: sec })).errcode,
    );
    expect((await wx('externalcontact/get_groupmsg_list_v2', { chat_type: 'single', start_time: sec - 31 * 86400, end_time: sec })).errcode).toBe(0);
  });
});

describe('confirming, statuses, lost customers', () => {
  it('groupmsg-confirm plays one member or all and says what happened to each; get_groupmsg_task 0 → 2, send_result 0 → 1', async () => {
    await friend('zhangsan', 'wmA');
    await friend('zhangsan', 'wmB');
    await friend('lisi', 'wmC');
    const r = await wx('externalcontact/add_msg_template', { external_userid: ['wmA', 'wmB', 'wmC', 'wmNobody'], text: { content: '会员日' } });
    expect(r.fail_list).toEqual(['wmNobody']);
    expect((await wx('externalcontact/get_groupmsg_task', { msgid: r.msgid })).task_list).toEqual([
      { userid: 'zhangsan', status: 0 },
      { userid: 'lisi', status: 0 },
    ]);
    expect(await statuses(r.msgid, 'lisi')).toEqual([0]);

    await clock(MONDAY + 60_000);
    expect(await confirm(r.msgid, 'zhangsan')).toEqual({
      msgid: r.msgid,
      members: [{ userid: 'zhangsan', result: 'sent', sendTime: MONDAY + 60_000, delivered: 2, notFriend: 0, quotaUsedUp: 0 }],
    });
    expect((await wx('externalcontact/get_groupmsg_task', { msgid: r.msgid })).task_list).toEqual([
      { userid: 'zhangsan', status: 2, send_time: Math.floor((MONDAY + 60_000) / 1000) },
      { userid: 'lisi', status: 0 },
    ]);
    expect((await wx('externalcontact/get_groupmsg_send_result', { msgid: r.msgid, userid: 'zhangsan' })).send_list).toEqual([
      { external_userid: 'wmA', userid: 'zhangsan', status: 1, send_time: Math.floor((MONDAY + 60_000) / 1000) },
      { external_userid: 'wmB', userid: 'zhangsan', status: 1, send_time: Math.floor((MONDAY + 60_000) / 1000) },
    ]);
    expect(await statuses(r.msgid, 'lisi')).toEqual([0]);

    const all = await confirm(r.msgid);
    expect(all.members.map((m: Json) => [m.userid, m.result, m.delivered])).toEqual([
      ['zhangsan', 'already_sent', 2],
      ['lisi', 'sent', 1],
    ]);
    expect(await statuses(r.msgid, 'lisi')).toEqual([1]);
    const stranger = await control('groupmsg-confirm', { merchantId: SHOP, msgid: r.msgid, userid: 'wangwu' });
    expect(stranger).toMatchObject({ status: 404, ok: false, code: 'NOT_FOUND.GROUPMSG_MEMBER' });
    expect((await control('groupmsg-confirm', { merchantId: SHOP, msgid: 'msgNOPE' })).status).toBe(404);
  });

  it('a customer who deleted the member (contact-delete, or lost in the product) → status 2, and it does not count toward their quota', async () => {
    await friend('zhangsan', 'wmKeep');
    await friend('zhangsan', 'wmGone');
    const del = await ctl('contact-delete', { merchantId: SHOP, userId: 'zhangsan', externalUserId: 'wmGone' });
    expect(del.callback.status).toBe(200); // the product took the del_follow_user callback
    expect((await control('contact-delete', { merchantId: SHOP, userId: 'zhangsan', externalUserId: 'wmGone' })).status).toBe(404);
    const now = h.clock.now();
    const row = (id: string, lost: boolean) => Customer.parse({ merchantId: SHOP, externalUserId: id, name: id, followUserId: 'zhangsan', lost, createdAt: now, updatedAt: now });
    await h.rt.storage.customers.upsert(row('wmProductLost', true));
    await h.rt.storage.customers.upsert(row('wmProductKept', false));
    const msgid = await massSend(['wmKeep', 'wmGone', 'wmProductLost', 'wmProductKept', 'wmLisisOnly']);
    await friend('lisi', 'wmLisisOnly');
    expect((await confirm(msgid)).members[0]).toMatchObject({ delivered: 2, notFriend: 3, quotaUsedUp: 0 });
    expect(await statuses(msgid)).toEqual([1, 2, 2, 1, 2]);
    const send = (await wx('externalcontact/get_groupmsg_send_result', { msgid, userid: 'zhangsan' })).send_list;
    expect(send.filter((x: Json) => 'send_time' in x).map((x: Json) => x.external_userid)).toEqual(['wmKeep', 'wmProductKept']);

    // 1 per day: the customer who got nothing from zhangsan still has today's one
    await ctl('groupmsg-quota', { merchantId: SHOP, period: 'day' });
    expect((await ctl(`groupmsg-quota?merchantId=${SHOP}&externalUserId=wmKeep,wmGone`)).received).toEqual({ wmKeep: 1, wmGone: 0 });
    await friend('zhangsan', 'wmGone'); // added back
    expect(await statuses(await massSend(['wmGone', 'wmKeep']).then(async (id) => (await confirm(id), id)))).toEqual([1, 3]);
  });
});

describe('massSendQuota: per customer, per the corp setting, on the shared clock', () => {
  beforeEach(async () => {
    await friend('zhangsan', 'wmQ');
  });

  it('default: as many per calendar month as the month has days (February 2027: 28), again on 1 March', async () => {
    expect(await ctl(`groupmsg-quota?merchantId=${SHOP}`)).toEqual({ merchantId: SHOP, period: 'month', cap: 30 }); // November
    const feb1 = Date.parse('2027-02-01T09:00:00+08:00');
    for (let d = 0; d < 28; d++) {
      await clock(feb1 + d * DAY);
      expect({ d, status: await sendOne('wmQ') }).toEqual({ d, status: 1 });
    }
    expect(await ctl(`groupmsg-quota?merchantId=${SHOP}&externalUserId=wmQ`)).toEqual({ merchantId: SHOP, period: 'month', cap: 28, received: { wmQ: 28 } });
    await clock(Date.parse('2027-02-28T23:59:00+08:00'));
    expect(await sendOne('wmQ')).toBe(3);
    await clock(Date.parse('2027-03-01T00:01:00+08:00')); // still 28 Feb in UTC: the calendar is China's
    expect(await sendOne('wmQ')).toBe(1);
  });

  it('1 per day: a second the same day → 3; the next China calendar day → 1', async () => {
    await ctl('groupmsg-quota', { merchantId: SHOP, period: 'day' });
    await clock(Date.parse('2026-11-23T00:30:00+08:00'));
    expect(await sendOne('wmQ')).toBe(1);
    await clock(Date.parse('2026-11-23T23:59:00+08:00'));
    expect(await sendOne('wmQ')).toBe(3);
    await clock(Date.parse('2026-11-24T00:00:00+08:00'));
    expect(await sendOne('wmQ')).toBe(1);
  });

  it('7 per week (Monday to Sunday): the 8th in a week → 3; Monday → 1', async () => {
    await ctl('groupmsg-quota', { merchantId: SHOP, period: 'week' });
    for (let d = 0; d < 7; d++) {
      await clock(MONDAY + d * DAY);
      expect({ d, status: await sendOne('wmQ') }).toEqual({ d, status: 1 });
    }
    await clock(Date.parse('2026-11-29T23:59:00+08:00')); // Sunday night
    expect(await sendOne('wmQ')).toBe(3);
    await clock(Date.parse('2026-11-30T00:00:00+08:00'));
    expect(await sendOne('wmQ')).toBe(1);
  });

  it('only deliveries count: a status 3 does not use up the week after switching from 1 per day to 7 per week', async () => {
    await ctl('groupmsg-quota', { merchantId: SHOP, period: 'day' });
    expect(await sendOne('wmQ')).toBe(1);
    expect(await sendOne('wmQ')).toBe(3);
    await ctl('groupmsg-quota', { merchantId: SHOP, period: 'week' });
    for (let i = 0; i < 6; i++) expect({ i, status: await sendOne('wmQ') }).toEqual({ i, status: 1 });
    expect(await sendOne('wmQ')).toBe(3);
  });

  it('rule off: no status 3; a bad setting → 400', async () => {
    await onOff('massSendQuota', 3, async () => {
      await friend('zhangsan', 'wmQ');
      await ctl('groupmsg-quota', { merchantId: SHOP, period: 'day' });
      expect(await sendOne('wmQ')).toBe(1);
      const second = await sendOne('wmQ');
      return second === 1 ? 0 : second;
    });
    expect((await control('groupmsg-quota', { merchantId: SHOP, period: 'year' })).status).toBe(400);
  });
});

describe('remind and cancel', () => {
  it('remindThreePerDay: a 4th remind of one msgid within 24 h → 45011 (UNVERIFIED code); reminds are in the sent list', async () => {
    await onOff('remindThreePerDay', 45011, async () => {
      await friend('zhangsan', 'wmR');
      await friend('lisi', 'wmS');
      const { msgid } = await wx('externalcontact/add_msg_template', { external_userid: ['wmR', 'wmS'], text: { content: '提醒我' } });
      await confirm(msgid, 'lisi');
      for (let i = 0; i < 3; i++) {
        await clock(MONDAY + i * 3600_000);
        expect((await wx('externalcontact/remind_groupmsg_send', { msgid })).errcode).toBe(0);
      }
      await clock(MONDAY + 23 * 3600_000);
      const fourth = (await wx('externalcontact/remind_groupmsg_send', { msgid })).errcode;
      const reminds = (await sent()).filter((r) => r.api === 'externalcontact/remind_groupmsg_send');
      expect(reminds.map((r) => [r.msgid, r.to, r.count])).toEqual(Array.from({ length: 4 }, () => [msgid, 'zhangsan', 1]));
      expect(reminds.map((r) => r.errcode)).toEqual([0, 0, 0, fourth]);
      return fourth;
    });
    // 24 h after the first, one is allowed again
    await clock(MONDAY);
    await friend('zhangsan', 'wmR');
    const msgid = await massSend(['wmR']);
    for (let i = 0; i < 3; i++) expect((await wx('externalcontact/remind_groupmsg_send', { msgid })).errcode).toBe(0);
    await clock(MONDAY + DAY + 1);
    expect((await wx('externalcontact/remind_groupmsg_send', { msgid })).errcode).toBe(0);
    expect((await wx('externalcontact/remind_groupmsg_send', { msgid: 'msgNOPE' })).errcode).toBe(40058);
    expect((await wx('externalcontact/remind_groupmsg_send', {})).errcode).toBe(40058);
  });

  it('cancel: what was sent stays sent; a member who had not confirmed cannot any more (409 from the control route)', async () => {
    await friend('zhangsan', 'wmX');
    await friend('lisi', 'wmY');
    const { msgid } = await wx('externalcontact/add_msg_template', { external_userid: ['wmX', 'wmY'], text: { content: '取消我' } });
    await confirm(msgid, 'zhangsan');
    expect(await wx('externalcontact/cancel_groupmsg_send', { msgid })).toEqual({ errcode: 0, errmsg: 'ok' });
    const late = await control('groupmsg-confirm', { merchantId: SHOP, msgid, userid: 'lisi' });
    expect(late).toMatchObject({ status: 409, ok: false, code: 'CONFLICT.GROUPMSG_CANCELLED' });
    expect(late.message).toContain('已经取消');
    expect((await control('groupmsg-confirm', { merchantId: SHOP, msgid })).status).toBe(409); // all: lisi still can't
    expect((await confirm(msgid, 'zhangsan')).members[0]).toMatchObject({ result: 'already_sent', delivered: 1 });
    expect((await wx('externalcontact/get_groupmsg_task', { msgid })).task_list.map((x: Json) => [x.userid, x.status])).toEqual([
      ['zhangsan', 2],
      ['lisi', 0],
    ]);
    expect(await statuses(msgid, 'zhangsan')).toEqual([1]);
    expect(await statuses(msgid, 'lisi')).toEqual([0]);
    expect((await ctl(`groupmsg-quota?merchantId=${SHOP}&externalUserId=wmX,wmY`)).received).toEqual({ wmX: 1, wmY: 0 });
    expect((await wx('externalcontact/cancel_groupmsg_send', { msgid })).errcode).toBe(0); // again: nothing left to stop
    expect((await wx('externalcontact/cancel_groupmsg_send', { msgid: 'msgNOPE' })).errcode).toBe(40058);
    const cancels = (await sent()).filter((r) => r.api === 'externalcontact/cancel_groupmsg_send');
    expect(cancels.map((r) => [r.msgid, r.to, r.count, r.errcode])).toEqual([
      [msgid, 'lisi', 1, 0],
      [msgid, '', 0, 0],
      ['msgNOPE', '', 0, 40058],
    ]);
  });
});

describe('the sent list', () => {
  const saved = process.env.DATA_DIR;
  beforeAll(() => {
    process.env.DATA_DIR = h.dataDir;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = saved;
  });

  it('lists every mass-send call with api = the endpoint path and count = its recipients (control route and `sandbox sent --json`)', async () => {
    await friend('zhangsan', 'wmA');
    const single = await massSend(['wmA', 'wmB', 'wmC'], 'zhangsan', { attachments: [image] });
    const group = await wx('externalcontact/add_msg_template', { chat_type: 'group', chat_id_list: ['wrC1', 'wrC2'], sender: 'zhangsan', attachments: [link()] });
    expect((await wx('externalcontact/add_msg_template', { external_userid: ['wmA'], sender: 'zhangsan', attachments: Array(10).fill(image) })).errcode).toBe(40058);
    await wx('externalcontact/remind_groupmsg_send', { msgid: single });
    await wx('externalcontact/cancel_groupmsg_send', { msgid: group.msgid });
    const want = [
      ['externalcontact/add_msg_template', 'wmA|wmB|wmC', 'text+attachments', 3, single, 0],
      ['externalcontact/add_msg_template', 'wrC1|wrC2', 'attachments', 2, group.msgid, 0],
      ['externalcontact/add_msg_template', 'wmA', 'attachments', 1, '', 40058],
      ['externalcontact/remind_groupmsg_send', 'zhangsan', 'groupmsg', 1, single, 0],
      ['externalcontact/cancel_groupmsg_send', 'zhangsan', 'groupmsg', 1, group.msgid, 0],
    ];
    const row = (r: Json) => [r.api, r.to, r.msgtype, r.count, r.msgid, r.errcode];
    expect((await sent()).map(row)).toEqual(want);
    const out = await runCli(['sandbox', 'sent', '--merchant', SHOP, '--json']);
    expect(out.code).toBe(0);
    const list = JSON.parse(out.stdout) as Json[];
    expect(list.map(row)).toEqual(want);
    expect(Object.keys(list[0])).toEqual(['at', 'api', 'to', 'msgtype', 'text', 'msgid', 'errcode', 'count']);
    expect((await runCli(['sandbox', 'sent', '--merchant', SHOP])).stdout).toContain('externalcontact/add_msg_template  → wmA|wmB|wmC (3)');
  });
});
