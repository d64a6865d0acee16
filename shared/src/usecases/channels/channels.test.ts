import type { ManualClock } from '../../domain/time';
import type { Customer } from '../../domain/customer';
import type { Order } from '../../domain/commerce';
import type { AppError } from '../../domain/errors';
import { sourceText } from '../../domain/customer-source';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { SHOP, VECTOR_A, setupHarness, type Harness } from '../../testing/wecom-harness';
import { processInboxEntry } from '../channel-wecom/inbox';
import { createChannel, removeChannel, updateChannel } from './manage';
import { listChannelsWithStats } from './stats';
import { channelNames, listChannels } from './store';

const DAY = 86_400_000;
let deps: Deps & { clock: ManualClock };
let h: Harness;
const env = () => ({ deps, wecom: h.fake });

const failure = async (p: Promise<unknown>): Promise<AppError> => {
  try {
    await p;
  } catch (e) {
    return e as AppError;
  }
  throw new Error('expected a failure');
};

beforeEach(async () => {
  deps = testDeps();
  h = await setupHarness(deps);
  const now = deps.clock.now();
  for (const [id, userid] of [
    ['m-zs', 'zhangsan'],
    ['m-ls', 'lisi'],
  ])
    await deps.storage.members.add({ id, merchantId: SHOP, openid: id, name: id, role: 'staff', onDuty: true, wecomUserId: userid, createdAt: now });
  // a member without a WeCom account: no code can route to them
  await deps.storage.members.add({ id: 'm-none', merchantId: SHOP, openid: 'm-none', name: '新人', role: 'staff', onDuty: true, createdAt: now });
});
afterEach(() => deps.storage.close());

const COUNTER = { name: '门店柜台', members: ['zhangsan'], tags: ['到店'], welcome: '欢迎来柜台扫码！报手机号送一杯小料～' };

describe('creating a channel QR code', () => {
  it('makes a QR code at WeCom (one member: type 1, several: type 2) and stores its config_id and picture', async () => {
    const one = await createChannel(env(), SHOP, COUNTER);
    deps.clock.advance(1000);
    const two = await createChannel(env(), SHOP, { name: '外卖袋', members: ['zhangsan', 'lisi', 'lisi'] });
    const [a, b] = h.fake.callsTo('externalcontact/add_contact_way').map((c) => c.req);
    expect(a).toEqual({ type: 1, scene: 2, remark: '门店柜台', skip_verify: true, state: one.state, user: ['zhangsan'] });
    expect(b).toEqual({ type: 2, scene: 2, remark: '外卖袋', skip_verify: true, state: two.state, user: ['zhangsan', 'lisi'] });
    expect(one.state).toMatch(/^ch[A-Za-z0-9]{5,28}$/);
    expect(one.state).not.toBe(two.state);
    expect(one).toMatchObject({
      configId: expect.stringMatching(/^cw/),
      qrCode: expect.stringMatching(/^https:\/\/fake\.qr\//),
      tags: ['到店'],
      welcome: COUNTER.welcome,
      type: 1,
    });
    expect(two).toMatchObject({ members: ['zhangsan', 'lisi'], tags: [], type: 2 });
    expect(two.welcome).toBeUndefined();
    expect((await listChannels(deps, SHOP)).map((c) => c.name)).toEqual(['门店柜台', '外卖袋']);
  });

  it('refuses members who are not the shop’s WeCom accounts, a taken name, and a bad input, naming the field; nothing reaches WeCom', async () => {
    for (const members of [['wangwu'], []]) {
      const e = await failure(createChannel(env(), SHOP, { ...COUNTER, members }));
      expect({ code: e.code, status: e.status, path: (e.details as { path: string }[])[0]!.path }).toEqual({ code: 'INPUT.INVALID', status: 400, path: 'members' });
    }
    expect((await failure(createChannel(env(), SHOP, { ...COUNTER, name: '  ' }))).details).toEqual([expect.objectContaining({ path: 'name' })]);
    await createChannel(env(), SHOP, COUNTER);
    const dup = await failure(createChannel(env(), SHOP, { ...COUNTER, members: ['lisi'] }));
    expect(dup).toMatchObject({ code: 'INPUT.INVALID', message: '已经有叫「门店柜台」的活码了，换个名字吧', details: [{ path: 'name' }] });
    expect(h.fake.callsTo('externalcontact/add_contact_way', false)).toHaveLength(1);
  });

  it.each([
    [48002, 'WECOM.CONTACT_SETUP', /客户联系还没接好/],
    [-1, 'WECOM.UNAVAILABLE', /暂时没有响应.*稍后再试/],
    [40058, 'WECOM.CONTACT_WAY_REFUSED', /没有同意生成这个活码/],
  ])('a WeCom refusal (%i) is a clear Chinese error and stores nothing', async (errcode, code, text) => {
    h.fake.failNext('externalcontact/add_contact_way', errcode);
    const e = await failure(createChannel(env(), SHOP, COUNTER));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(text);
    expect(e.message).not.toMatch(/\d{4}|config_id|state|errcode/);
    expect(await listChannels(deps, SHOP)).toEqual([]);
  });
});

describe('changing and deleting', () => {
  it('tells WeCom only what it keeps (name, members), never the state; welcome and tags are ours', async () => {
    const c = await createChannel(env(), SHOP, { ...COUNTER, members: ['zhangsan', 'lisi'] });
    deps.clock.advance(60_000);
    const renamed = await updateChannel(env(), SHOP, c.state, { name: '收银台', members: ['lisi'] });
    expect(h.fake.callsTo('externalcontact/update_contact_way').map((x) => x.req)).toEqual([{ config_id: c.configId, remark: '收银台', user: ['lisi'], state: c.state }]);
    expect(renamed).toMatchObject({ state: c.state, configId: c.configId, qrCode: c.qrCode, name: '收银台', members: ['lisi'], updatedAt: c.createdAt + 60_000 });
    const retagged = await updateChannel(env(), SHOP, c.state, { tags: ['柜台客'], welcome: null });
    expect(h.fake.callsTo('externalcontact/update_contact_way')).toHaveLength(1);
    expect(retagged.tags).toEqual(['柜台客']);
    expect(retagged.welcome).toBeUndefined();
    expect((await listChannels(deps, SHOP))[0]).toEqual(retagged);
  });

  it('a one-member code stays one member; a WeCom failure leaves ours as it was', async () => {
    const c = await createChannel(env(), SHOP, COUNTER);
    expect(await failure(updateChannel(env(), SHOP, c.state, { members: ['zhangsan', 'lisi'] }))).toMatchObject({ code: 'INPUT.INVALID', details: [{ path: 'members' }] });
    h.fake.failNext('externalcontact/update_contact_way', 60020);
    expect((await failure(updateChannel(env(), SHOP, c.state, { name: '前台' }))).code).toBe('WECOM.CONTACT_SETUP');
    expect((await listChannels(deps, SHOP))[0]).toEqual(c);
    expect((await failure(updateChannel(env(), SHOP, 'chNope123', { name: '前台' }))).code).toBe('NOT_FOUND.CHANNEL');
  });

  it('deletes at WeCom, then ours; a code WeCom no longer has still goes; a busy WeCom keeps it', async () => {
    const gone = await createChannel(env(), SHOP, COUNTER);
    const kept = await createChannel(env(), SHOP, { ...COUNTER, name: '海报' });
    const live = await createChannel(env(), SHOP, { ...COUNTER, name: '美团页面' });
    await removeChannel(env(), SHOP, gone.state);
    expect(h.fake.callsTo('externalcontact/del_contact_way').map((x) => x.req)).toEqual([{ config_id: gone.configId }]);
    // deleted elsewhere: del and get both refuse the config_id
    h.fake.failNext('externalcontact/del_contact_way', 40058);
    h.fake.failNext('externalcontact/get_contact_way', 40058);
    await removeChannel(env(), SHOP, kept.state);
    expect((await listChannels(deps, SHOP)).map((x) => x.name)).toEqual(['美团页面']);
    // WeCom busy, or a refusal while the code is still there: ours stays, the owner is told
    h.fake.failNext('externalcontact/del_contact_way', -1);
    expect((await failure(removeChannel(env(), SHOP, live.state))).code).toBe('WECOM.UNAVAILABLE');
    h.fake.failNext('externalcontact/del_contact_way', 40058);
    expect((await failure(removeChannel(env(), SHOP, live.state))).code).toBe('WECOM.CONTACT_WAY_REFUSED');
    expect((await listChannels(deps, SHOP)).map((x) => x.name)).toEqual(['美团页面']);
    expect((await failure(removeChannel(env(), SHOP, gone.state))).code).toBe('NOT_FOUND.CHANNEL');
  });
});

describe('a customer adds the shop through a channel', () => {
  const addEvent = (ext: string, state: string, code: string) =>
    h.callback({
      ToUserName: VECTOR_A.corpId,
      FromUserName: 'sys',
      CreateTime: Math.floor(deps.clock.now() / 1000),
      MsgType: 'event',
      Event: 'change_external_contact',
      ChangeType: 'add_external_contact',
      UserID: 'zhangsan',
      ExternalUserID: ext,
      State: state,
      WelcomeCode: code,
    });

  it("gets the channel's welcome (first, once), its tags here and at WeCom, and 渠道活码 · <name> as source", async () => {
    const c = await createChannel(env(), SHOP, COUNTER);
    h.fake.contacts.set('wmNEW', { external_contact: { external_userid: 'wmNEW', name: '小林' }, follow_user: [{ userid: 'zhangsan', state: c.state }] });
    const entry = await addEvent('wmNEW', c.state, 'WC-CH1');
    const calls = h.fake.calls.length;
    expect(await processInboxEntry(h.ctx, entry)).toMatchObject({ status: 'processed', result: { detail: { welcome: 'sent', channel: '门店柜台' } } });
    const mine = h.fake.calls.slice(calls);
    expect(mine[0]).toMatchObject({ api: 'externalcontact/send_welcome_msg', req: { welcome_code: 'WC-CH1', text: { content: COUNTER.welcome } } });
    const customer = (await deps.storage.customers.get(SHOP, 'wmNEW')) as Customer;
    expect(customer).toMatchObject({ source: 'contact_way', sourceState: c.state, tags: ['到店'], followUserId: 'zhangsan' });
    expect(h.fake.callsTo('externalcontact/mark_tag').map((x) => x.req)).toEqual([{ userid: 'zhangsan', external_userid: 'wmNEW', add_tag: [expect.any(String)] }]);
    expect(sourceText(customer.source, (await channelNames(deps, SHOP)).get(customer.sourceState!))).toBe('渠道活码 · 门店柜台');

    // WeCom delivers it again: nobody is welcomed or tagged twice
    await processInboxEntry(h.ctx, { ...entry, status: 'pending' });
    expect(h.fake.callsTo('externalcontact/send_welcome_msg', false)).toHaveLength(1);
    expect(h.fake.callsTo('externalcontact/mark_tag')).toHaveLength(1);
    expect((await deps.storage.customers.get(SHOP, 'wmNEW'))!.tags).toEqual(['到店']);
  });

  it("a channel without its own welcome sends the shop's; an unknown State is an ordinary add", async () => {
    const c = await createChannel(env(), SHOP, { name: '海报', members: ['zhangsan'] });
    await processInboxEntry(h.ctx, await addEvent('wmP', c.state, 'WC-P'));
    await processInboxEntry(h.ctx, await addEvent('wmQ', 'chGone1234', 'WC-Q'));
    const texts = h.fake.callsTo('externalcontact/send_welcome_msg').map((x) => (x.req as { text: { content: string } }).text.content);
    expect(texts).toEqual([expect.stringContaining('茶小满'), expect.stringContaining('茶小满')]);
    expect(await deps.storage.customers.get(SHOP, 'wmP')).toMatchObject({ source: 'contact_way', tags: [] });
    expect(await deps.storage.customers.get(SHOP, 'wmQ')).toMatchObject({ tags: [] });
    expect(h.fake.callsTo('externalcontact/mark_tag')).toHaveLength(0);
  });
});

describe('per-channel numbers', () => {
  it('counts customers added, still friends, and a paid order within 30 days of being added', async () => {
    const bag = await createChannel(env(), SHOP, { name: '外卖袋', members: ['zhangsan'] });
    deps.clock.advance(1000);
    const poster = await createChannel(env(), SHOP, { name: '海报', members: ['zhangsan'] });
    const t0 = deps.clock.now() - 100 * DAY;
    const cust = async (ext: string, state: string | undefined, over: Partial<Customer> = {}) =>
      deps.storage.customers.upsert({
        merchantId: SHOP,
        externalUserId: ext,
        name: ext,
        source: 'contact_way',
        ...(state ? { sourceState: state } : {}),
        tags: [],
        totalSpentFen: 0,
        orderCount: 0,
        lost: false,
        createdAt: t0,
        updatedAt: t0,
        ...over,
      });
    await cust('wmA', bag.state, { firstOrderAt: t0 + 3 * DAY, lastOrderAt: t0 + 50 * DAY }); // first order inside
    await cust('wmB', bag.state, { lost: true, firstOrderAt: t0 - 10 * DAY, lastOrderAt: t0 + 30 * DAY }); // last order on the 30th day
    await cust('wmC', bag.state, { firstOrderAt: t0 + 31 * DAY, lastOrderAt: t0 + 40 * DAY }); // too late
    await cust('wmD', bag.state); // never ordered
    // first order before, last after: only the orders can tell
    await cust('wmE', bag.state, { firstOrderAt: t0 - 5 * DAY, lastOrderAt: t0 + 60 * DAY });
    await cust('wmF', bag.state, { firstOrderAt: t0 - 5 * DAY, lastOrderAt: t0 + 60 * DAY });
    const order = (id: string, ext: string, placedAt: number, paid: boolean): Order => ({
      id,
      merchantId: SHOP,
      externalUserId: ext,
      amountFen: 1800,
      status: paid ? 'paid' : 'cancelled',
      ...(paid ? { paidFen: 1800 } : {}),
      items: [{ sku: 's', name: '奶茶', qty: 1, priceFen: 1800 }],
      placedAt,
      updatedAt: placedAt,
      customerRef: {},
      source: 'webhook',
      rev: 1,
    });
    for (const o of [order('E1', 'wmE', t0 - 5 * DAY, true), order('E2', 'wmE', t0 + 10 * DAY, true), order('E3', 'wmE', t0 + 60 * DAY, true)])
      await deps.storage.orders.put(o, null);
    for (const o of [order('F1', 'wmF', t0 - 5 * DAY, true), order('F2', 'wmF', t0 + 10 * DAY, false), order('F3', 'wmF', t0 + 60 * DAY, true)])
      await deps.storage.orders.put(o, null);
    await cust('wmG', poster.state, { lost: true });
    await cust('wmH', undefined, { firstOrderAt: t0 }); // no channel
    await cust('wmI', 'table-qr', { firstOrderAt: t0 }); // someone else's State

    const rows = await listChannelsWithStats(deps, SHOP);
    expect(rows.map((r) => [r.channel.name, r.stats])).toEqual([
      ['外卖袋', { added: 6, friends: 5, ordered: 3 }],
      ['海报', { added: 1, friends: 0, ordered: 0 }],
    ]);
  });
});
