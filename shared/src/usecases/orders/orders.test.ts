import crypto from 'node:crypto';
import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import type { OrderEventInput } from '../../domain/order-event';
import { testDeps } from '../../../../test/helpers/deps';
import { nodeTimers } from '../../../../cloudfunctions/server/timers';
import { createMerchant } from '../shop/merchants';
import { receiveOrderWebhook, rotateWebhookSecret } from './webhook';
import { linkOrder, listUnmatchedOrders, hasOrders } from './link';
import { importOrderTable } from './import';
import { dashboardToday } from '../shop/dashboard';

const SHOP = 'orders-shop';
const at = (local: string) => Date.parse(`${local}+08:00`);
let deps: Deps & { clock: ManualClock };
/** The wall clock the freshness window reads (the product clock is another one). */
let wall = 0;
let secret = '';

beforeEach(async () => {
  deps = testDeps();
  deps.timers = { ...nodeTimers, wallNow: () => wall };
  wall = Date.UTC(2026, 10, 22, 4);
  await createMerchant(deps, { id: SHOP, name: '订单测试店', corpId: 'ww1122334455667788', token: 'Tok', aesKey: 'a'.repeat(43) });
  secret = (await rotateWebhookSecret(deps, SHOP, 'test')).secret;
  const now = deps.clock.now();
  for (const [ext, phone] of [
    ['wm-li', '13800138000'],
    ['wm-wang', undefined],
  ] as const)
    await deps.storage.customers.upsert({
      merchantId: SHOP,
      externalUserId: ext,
      name: ext,
      ...(phone ? { phone } : {}),
      source: 'kf',
      tags: [],
      totalSpentFen: 0,
      orderCount: 0,
      lost: false,
      createdAt: now,
      updatedAt: now,
    });
});
afterEach(() => deps.storage.close());

const ev = (over: Partial<OrderEventInput> = {}): OrderEventInput => ({
  orderNo: 'NO-1',
  status: 'paid',
  amountFen: 3200,
  items: [{ sku: 'T01', name: '杨枝甘露', qty: 2, priceFen: 1600, category: '鲜果茶' }],
  customer: { externalUserId: 'wm-wang' },
  placedAt: '2026-11-21T12:00:00+08:00',
  updatedAt: '2026-11-21T12:00:05+08:00',
  ...over,
});

/** A delivery signed the way the README says, at wall-clock second `ts`. */
function delivery(body: unknown, opts: { key?: string; ts?: number; sign?: (s: string) => string; merchantId?: string } = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const ts = String(opts.ts ?? Math.floor(wall / 1000));
  const sig = crypto
    .createHmac('sha256', opts.key ?? secret)
    .update(`${ts}.${text}`)
    .digest('hex');
  return { merchantId: opts.merchantId ?? SHOP, timestamp: ts, signature: opts.sign ? opts.sign(sig) : sig, body: new TextEncoder().encode(text), text };
}
const send = (e: OrderEventInput) => receiveOrderWebhook(deps, delivery(e));
const days = async () => deps.storage.counters.days(SHOP, '2026-11-20', '2026-11-23');
const customer = async (ext: string) => (await deps.storage.customers.get(SHOP, ext))!;
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: { code?: string; status?: number }) => `${e.status} ${e.code}`,
  );

describe('order events: counters move once per fact', () => {
  it('paid counts orders and revenue on the placing day; repeats, fulfilment and older events change nothing', async () => {
    expect((await send(ev())).outcome).toBe('created');
    expect((await send(ev())).outcome).toBe('duplicate');
    expect((await send(ev({ status: 'fulfilled', updatedAt: '2026-11-21T12:20:00+08:00' }))).outcome).toBe('updated');
    expect((await send(ev({ status: 'fulfilled', updatedAt: '2026-11-21T12:20:00+08:00' }))).outcome).toBe('duplicate');
    expect((await send(ev())).outcome).toBe('older');
    const d = await days();
    expect(d['2026-11-21']).toMatchObject({ orders: 1, revenueFen: 3200, refunds: 0 });
    expect((await deps.storage.orders.get(SHOP, 'NO-1'))!.status).toBe('fulfilled');
  });

  it('a refund after payment takes the revenue back once, on the refund day', async () => {
    await send(ev());
    const refund = ev({ status: 'refunded', updatedAt: '2026-11-22T09:00:00+08:00' });
    expect((await send(refund)).outcome).toBe('updated');
    expect((await send(refund)).outcome).toBe('duplicate');
    const d = await days();
    expect(d['2026-11-21']).toMatchObject({ orders: 1, revenueFen: 3200 });
    expect(d['2026-11-22']).toMatchObject({ refunds: 1, revenueFen: -3200 });
  });

  it('a refund arriving before its payment counts both once; the payment then changes nothing', async () => {
    await send(ev({ status: 'refunded', updatedAt: '2026-11-22T09:00:00+08:00' }));
    expect((await send(ev())).outcome).toBe('older');
    expect((await send(ev({ status: 'fulfilled', updatedAt: '2026-11-21T13:00:00+08:00' }))).outcome).toBe('older');
    const d = await days();
    expect(d['2026-11-21']).toMatchObject({ orders: 1, revenueFen: 3200 });
    expect(d['2026-11-22']).toMatchObject({ refunds: 1, revenueFen: -3200 });
    expect((await deps.storage.orders.get(SHOP, 'NO-1'))!.status).toBe('refunded');
  });

  it('fulfilled before paid counts the payment once', async () => {
    await send(ev({ status: 'fulfilled', updatedAt: '2026-11-21T12:20:00+08:00' }));
    await send(ev());
    expect((await days())['2026-11-21']).toMatchObject({ orders: 1, revenueFen: 3200 });
  });

  it('cancelled before payment counts nothing; a paid order cancelled keeps its revenue until a refund', async () => {
    await send(ev({ orderNo: 'C-1', status: 'cancelled' }));
    await send(ev({ orderNo: 'C-2' }));
    await send(ev({ orderNo: 'C-2', status: 'cancelled', updatedAt: '2026-11-21T12:30:00+08:00' }));
    // the same two events of a third order, the other way round: the same totals
    await send(ev({ orderNo: 'C-3', status: 'cancelled', updatedAt: '2026-11-21T12:30:00+08:00' }));
    expect((await send(ev({ orderNo: 'C-3' }))).outcome).toBe('updated');
    expect((await days())['2026-11-21']).toMatchObject({ orders: 2, revenueFen: 6400 });
    expect((await deps.storage.orders.get(SHOP, 'C-3'))!.status).toBe('cancelled');
  });

  it('counts per store as well', async () => {
    await send(ev({ storeId: 's1' }));
    expect((await deps.storage.counters.days(SHOP, '2026-11-21', '2026-11-21', 's1'))['2026-11-21'].revenueFen).toBe(3200);
  });

  it('an order seeded before the webhook (no facts) is not counted again; its refund is counted once', async () => {
    await deps.storage.orders.add({
      id: 'OLD-1',
      merchantId: SHOP,
      amountFen: 1000,
      status: 'paid',
      items: [],
      placedAt: at('2026-11-21T10:00:00'),
      updatedAt: at('2026-11-21T10:00:00'),
    });
    await send(ev({ orderNo: 'OLD-1', amountFen: 1000, placedAt: '2026-11-21T10:00:00+08:00', updatedAt: '2026-11-21T10:30:00+08:00', status: 'fulfilled' }));
    await send(ev({ orderNo: 'OLD-1', amountFen: 1000, placedAt: '2026-11-21T10:00:00+08:00', updatedAt: '2026-11-22T10:30:00+08:00', status: 'refunded' }));
    await send(ev({ orderNo: 'OLD-1', amountFen: 1000, placedAt: '2026-11-21T10:00:00+08:00', updatedAt: '2026-11-22T10:30:00+08:00', status: 'refunded' }));
    const d = await days();
    expect(d['2026-11-21']).toMatchObject({ orders: 0, revenueFen: 0 });
    expect(d['2026-11-22']).toMatchObject({ refunds: 1, revenueFen: -1000 });
  });

  it('a delivery that died after counting, before the order was written, counts nothing twice when retried', async () => {
    const put = deps.storage.orders.put.bind(deps.storage.orders);
    let failures = 1;
    deps.storage.orders.put = async (o, rev) => {
      if (failures-- > 0) throw new Error('process died here');
      return put(o, rev);
    };
    await expect(send(ev())).rejects.toThrow('process died here');
    expect((await send(ev())).outcome).toBe('created');
    expect((await days())['2026-11-21']).toMatchObject({ orders: 1, revenueFen: 3200 });
    expect(await customer('wm-wang')).toMatchObject({ totalSpentFen: 3200, orderCount: 1 });
  });
});

describe('order events: the customer', () => {
  it('matched by external user id: spend, count, first/last order and categories; a refund takes them back', async () => {
    await send(ev());
    await send(
      ev({
        orderNo: 'NO-2',
        amountFen: 900,
        items: [{ sku: 'M1', name: '珍珠奶茶', qty: 1, priceFen: 900, category: '奶茶' }],
        placedAt: '2026-11-22T08:00:00+08:00',
        updatedAt: '2026-11-22T08:00:00+08:00',
      }),
    );
    expect(await customer('wm-wang')).toMatchObject({
      totalSpentFen: 4100,
      orderCount: 2,
      firstOrderAt: at('2026-11-21T12:00:00'),
      lastOrderAt: at('2026-11-22T08:00:00'),
      categories: ['奶茶', '鲜果茶'],
    });
    await send(ev({ orderNo: 'NO-2', status: 'refunded', amountFen: 900, placedAt: '2026-11-22T08:00:00+08:00', updatedAt: '2026-11-22T09:00:00+08:00' }));
    expect(await customer('wm-wang')).toMatchObject({ totalSpentFen: 3200, orderCount: 1, categories: ['鲜果茶'] });
  });

  it('else by phone (as shops write it), else unmatched: counted anyway, linked later by the owner', async () => {
    expect((await send(ev({ orderNo: 'P-1', customer: { phone: '+86 138-0013-8000' } }))).customer).toBe('wm-li');
    expect(await customer('wm-li')).toMatchObject({ totalSpentFen: 3200, orderCount: 1 });
    expect((await send(ev({ orderNo: 'U-1', amountFen: 500, customer: { phone: '13900000000', unionId: 'o6_union' } }))).customer).toBeNull();
    expect((await send(ev({ orderNo: 'U-2', amountFen: 700, customer: { externalUserId: 'wm-nobody' } }))).customer).toBeNull();
    expect((await days())['2026-11-21']).toMatchObject({ orders: 3, revenueFen: 4400 });
    expect((await listUnmatchedOrders(deps, SHOP, 10)).map((o) => o.id).sort()).toEqual(['U-1', 'U-2']);

    await linkOrder(deps, { merchantId: SHOP, orderNo: 'U-1', externalUserId: 'wm-li', actorId: 'owner' });
    expect(await customer('wm-li')).toMatchObject({ totalSpentFen: 3700, orderCount: 2 });
    expect((await listUnmatchedOrders(deps, SHOP, 10)).map((o) => o.id)).toEqual(['U-2']);
    // linking does not count the order again, and a later event keeps the link
    await send(ev({ orderNo: 'U-1', amountFen: 500, status: 'fulfilled', updatedAt: '2026-11-21T13:00:00+08:00', customer: { phone: '13900000000' } }));
    expect((await days())['2026-11-21']).toMatchObject({ orders: 3, revenueFen: 4400 });
    expect(await deps.storage.orders.get(SHOP, 'U-1')).toMatchObject({ externalUserId: 'wm-li', status: 'fulfilled', linked: { by: 'owner' } });
    await expect(linkOrder(deps, { merchantId: SHOP, orderNo: 'U-1', externalUserId: 'wm-wang', actorId: 'owner' })).rejects.toMatchObject({ code: 'CONFLICT.ORDER_LINKED' });
    await expect(linkOrder(deps, { merchantId: SHOP, orderNo: 'U-9', externalUserId: 'wm-wang', actorId: 'owner' })).rejects.toMatchObject({ code: 'NOT_FOUND.ORDER' });
    await expect(linkOrder(deps, { merchantId: SHOP, orderNo: 'U-2', externalUserId: 'wm-ghost', actorId: 'owner' })).rejects.toMatchObject({ code: 'NOT_FOUND.CUSTOMER' });
  });

  it("concurrent deliveries of one customer's orders leave the right totals", async () => {
    const evs = Array.from({ length: 12 }, (_, i) => ev({ orderNo: `K-${i}`, amountFen: 100 * (i + 1) }));
    await Promise.all([...evs, ...evs.slice(0, 6).map((e) => ({ ...e, status: 'refunded' as const, updatedAt: '2026-11-21T18:00:00+08:00' }))].map(send));
    // refunded: 100..600 (2,100); kept: 700..1,200 (5,700)
    expect(await customer('wm-wang')).toMatchObject({ totalSpentFen: 5700, orderCount: 6 });
    const d = await days();
    expect(d['2026-11-21']).toMatchObject({ orders: 12, revenueFen: 5700, refunds: 6 });
  });
});

describe('the webhook: signature, freshness, body', () => {
  it('accepts the openssl vector and refuses the same signature in capitals, truncated, padded or empty', async () => {
    const key = 'whsec_openssl-vector-0123456789';
    const body =
      '{"orderNo":"NO-20261122-0001","status":"paid","amountFen":3200,"items":[{"sku":"T01","name":"杨枝甘露","qty":2,"priceFen":1600,"category":"鲜果茶"}],"customer":{"phone":"13800138000"},"placedAt":"2026-11-22T12:00:00+08:00","updatedAt":"2026-11-22T12:00:05+08:00"}';
    // printf '%s' "1763784000.$BODY" | openssl dgst -sha256 -hmac 'whsec_openssl-vector-0123456789'
    const OPENSSL = 'cd94f0584eb13a564079aa222c824335c9cd8e9a692a2a103ca413a25b59a14c';
    expect(crypto.createHmac('sha256', key).update(`1763784000.${body}`).digest('hex')).toBe(OPENSSL);
    expect(deps.secrets.hmacSha256Hex(key, ['1763784000', '.', new TextEncoder().encode(body)])).toBe(OPENSSL);
    // the shop's secret is what its owner was shown: store this one as if rotated to it
    await deps.storage.kv.set(SHOP, 'webhook', 'secret', { sealed: deps.secrets.seal(key), rotatedAt: 1 }, 1, 1);
    wall = 1763784000_000 + 299_000;
    const d = (signature: string) => ({ merchantId: SHOP, timestamp: '1763784000', signature, body: new TextEncoder().encode(body), text: body });
    for (const bad of [OPENSSL.toUpperCase(), OPENSSL.slice(0, 63), `${OPENSSL}0`, '', 'sha256=' + OPENSSL, OPENSSL.replace(/^c/, 'd')])
      expect(await code(receiveOrderWebhook(deps, d(bad)))).toBe('401 WEBHOOK.BAD_SIGNATURE');
    expect(await code(receiveOrderWebhook(deps, d(OPENSSL)))).toBe('OK');
    expect((await deps.storage.orders.get(SHOP, 'NO-20261122-0001'))!.externalUserId).toBe('wm-li');
  });

  it('refuses stale and future timestamps by wall-clock time, whatever the product clock says', async () => {
    deps.clock.set(Date.UTC(2030, 0, 1));
    const now = Math.floor(wall / 1000);
    expect(await code(receiveOrderWebhook(deps, delivery(ev(), { ts: now - 301 })))).toBe('400 WEBHOOK.STALE');
    expect(await code(receiveOrderWebhook(deps, delivery(ev(), { ts: now + 301 })))).toBe('400 WEBHOOK.STALE');
    expect(await code(receiveOrderWebhook(deps, delivery(ev(), { ts: now - 300 })))).toBe('OK');
  });

  it('refuses an unknown shop, a shop without a secret, bad JSON and an invalid order, writing nothing', async () => {
    await createMerchant(deps, { id: 'no-secret', name: '没密钥', corpId: 'ww1122334455667799', token: 'Tok', aesKey: 'b'.repeat(43) });
    expect(await code(receiveOrderWebhook(deps, delivery(ev(), { merchantId: 'nobody' })))).toBe('404 WEBHOOK.UNKNOWN_MERCHANT');
    expect(await code(receiveOrderWebhook(deps, delivery(ev(), { merchantId: 'no-secret' })))).toBe('401 WEBHOOK.NO_SECRET');
    expect(await code(receiveOrderWebhook(deps, delivery('{"orderNo":')))).toBe('400 WEBHOOK.BAD_JSON');
    expect(await code(receiveOrderWebhook(deps, { ...delivery('{}'), text: null }))).toBe('400 WEBHOOK.BAD_JSON');
    const invalid = receiveOrderWebhook(deps, delivery({ ...ev(), amountFen: 12.5, placedAt: 1763784000 }));
    await expect(invalid).rejects.toMatchObject({ code: 'WEBHOOK.INVALID_ORDER', status: 422, message: expect.stringContaining('金额') });
    expect(await deps.storage.orders.get(SHOP, 'NO-1')).toBeNull();
    expect(await hasOrders(deps, SHOP)).toBe(false);
    expect((await days())['2026-11-21'].revenueFen).toBe(0);
  });

  it('after a rotation only the new secret signs', async () => {
    const old = secret;
    const { secret: fresh } = await rotateWebhookSecret(deps, SHOP, 'owner');
    expect(fresh).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(fresh).not.toBe(old);
    expect(await code(receiveOrderWebhook(deps, delivery(ev(), { key: old })))).toBe('401 WEBHOOK.BAD_SIGNATURE');
    expect(await code(receiveOrderWebhook(deps, delivery(ev(), { key: fresh })))).toBe('OK');
    // stored sealed: the plaintext is nowhere in the record
    expect(JSON.stringify(await deps.storage.kv.get(SHOP, 'webhook', 'secret'))).not.toContain(fresh.slice(6));
  });

  it('unseals the secret once per rotation, and takes one rotated by another process at the next delivery', async () => {
    let opens = 0;
    const box = deps.secrets;
    deps.secrets = { ...box, open: (s) => (opens++, box.open(s)) };
    for (const n of ['NO-1', 'NO-2', 'NO-3']) expect(await code(receiveOrderWebhook(deps, delivery(ev({ orderNo: n }))))).toBe('OK');
    expect(opens).toBe(1);
    // the CLI rotates in its own process: only the stored record changes under this one
    const fresh = 'whsec_rotated-by-the-cli';
    const stored = (await deps.storage.kv.get(SHOP, 'webhook', 'secret'))!;
    await deps.storage.kv.set(SHOP, 'webhook', 'secret', { sealed: box.seal(fresh), rotatedAt: 2 }, stored.version, 2);
    expect(await code(receiveOrderWebhook(deps, delivery(ev({ orderNo: 'NO-4' }))))).toBe('401 WEBHOOK.BAD_SIGNATURE');
    expect(await code(receiveOrderWebhook(deps, delivery(ev({ orderNo: 'NO-5' }), { key: fresh })))).toBe('OK');
    expect(opens).toBe(2);
    expect(await deps.storage.orders.get(SHOP, 'NO-4')).toBeNull();
  });
});

describe('order import', () => {
  const table = (rows: string[][]) => ({ header: rows[0], rows: rows.slice(1).map((cells, i) => ({ line: i + 2, cells })), errors: [], warnings: [] });

  it('groups item lines into orders, reads 元 and local times, reports bad rows by line, and is idempotent', async () => {
    const t = table([
      ['订单号', '状态', '金额', '下单时间', '手机号', '商品名', '数量', '单价', '品类'],
      ['A-1', '已付款', '¥25.50', '2026-11-21 12:30', '13800138000', '杨枝甘露', '1', '15', '鲜果茶'],
      ['A-1', '已付款', '¥25.50', '2026-11-21 12:30', '13800138000', '珍珠奶茶', '1', '10.5', '奶茶'],
      ['A-2', '已付款', 'abc', '2026-11-21 13:00', '', '', '', '', ''],
      ['A-3', '退款中', '10', '2026-11-21 13:00', '', '', '', '', ''],
      ['A-4', '已付款', '10', '2026-02-30 13:00', '', '', '', '', ''],
      ['A-5', 'paid', '8', '2026/11/21 14:00', '13900000000', '', '', '', ''],
    ]);
    const r = await importOrderTable(deps, SHOP, t);
    expect(r).toMatchObject({ imported: 2, unchanged: 0, unmatched: 1 });
    expect(r.errors.map((e) => e.line)).toEqual([4, 5, 6]);
    expect(r.errors[0].message).toContain('金额');
    expect(r.errors[1].message).toContain('状态');
    expect(r.errors[2].message).toContain('下单时间');
    expect(await deps.storage.orders.get(SHOP, 'A-1')).toMatchObject({ amountFen: 2550, placedAt: at('2026-11-21T12:30:00'), externalUserId: 'wm-li', source: 'import' });
    expect((await deps.storage.orders.get(SHOP, 'A-1'))!.items).toHaveLength(2);
    expect(await customer('wm-li')).toMatchObject({ totalSpentFen: 2550, categories: ['奶茶', '鲜果茶'] });
    expect(await importOrderTable(deps, SHOP, t)).toMatchObject({ imported: 0, unchanged: 2 });
    expect((await days())['2026-11-21']).toMatchObject({ orders: 2, revenueFen: 3350 });
  });

  it('refuses a table without the needed columns', async () => {
    await expect(importOrderTable(deps, SHOP, table([['订单号', '金额']]))).rejects.toMatchObject({ code: 'INPUT.INVALID', message: expect.stringContaining('状态') });
  });
});

describe('今日 before and after the first order', () => {
  it('says the shop has no orders until one arrives', async () => {
    expect((await dashboardToday(deps, SHOP, 'owner')).hasOrders).toBe(false);
    await send(ev());
    expect((await dashboardToday(deps, SHOP, 'owner')).hasOrders).toBe(true);
  });
});
