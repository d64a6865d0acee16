import { newJob } from '../../domain/job';
import { checkOrderEvent, type OrderEventInput } from '../../domain/order-event';
import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { FakeWecomApi } from '../../testing/fake-wecom-api';
import { createMerchant } from '../shop/merchants';
import { ensureLocalMember } from '../shop/members';
import { ingestOrderEvent } from '../orders/ingest';
import { changeStock, editStock, takeOrderStock } from '../stock/stock';
import { importStockTable } from '../stock/import';
import { createAlertJob, latestMorningSlot, planAlerts } from './jobs';
import { listAlerts } from './store';

const sh = (local: string) => Date.parse(`${local}+08:00`);
const CORP = { corpId: 'wx5823bf96d3bd56c7', token: 'QDG6eK', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const SHOP = 'alert-shop';

let deps: Deps & { clock: ManualClock };
let fake: FakeWecomApi;
const sends = () => fake.callsTo('message/send');

async function product(sku: string, stock: number, lowStockAt = 5, redStockAt?: number) {
  await deps.storage.knowledge.upsertProduct({
    merchantId: SHOP,
    sku,
    name: `商品${sku}`,
    priceFen: 1000,
    stock,
    lowStockAt,
    ...(redStockAt !== undefined ? { redStockAt } : {}),
    updatedAt: 0,
  });
}
const stockOf = async (sku: string) => (await deps.storage.knowledge.listProducts(SHOP)).find((p) => p.sku === sku)?.stock;
const merchant = async () => (await deps.storage.merchants.get(SHOP))!;

function event(over: Partial<OrderEventInput>) {
  const c = checkOrderEvent({
    orderNo: 'NO-1',
    status: 'paid',
    amountFen: 3000,
    items: [
      { sku: 'A', name: '商品A', qty: 2, priceFen: 1000 },
      { sku: 'B', name: '商品B', qty: 1, priceFen: 1000 },
      { sku: 'A', name: '商品A', qty: 1, priceFen: 0 },
    ],
    customer: {},
    placedAt: '2026-11-20T12:00:00+08:00',
    updatedAt: '2026-11-20T12:00:05+08:00',
    ...over,
  });
  if (!c.ok) throw new Error(c.message);
  return c.event;
}

async function runAlertJob(key: string, payload: Record<string, unknown>) {
  return (await createAlertJob({ wecom: fake }).run(newJob({ key, merchantId: SHOP, kind: 'alert', runAt: 0, payload }, 0), deps)) as { raised: number; pushed: number };
}

beforeEach(async () => {
  deps = testDeps(sh('2026-11-19T10:00:00'));
  await createMerchant(deps, { id: SHOP, name: '阿香奶茶', ...CORP, agentId: 1000002, appSecret: 'app-secret' });
  const owner = await ensureLocalMember(deps, SHOP, 'owner');
  await deps.storage.members.save({ ...owner, wecomUserId: 'LaoBan' });
  fake = new FakeWecomApi();
  await product('A', 20);
  await product('B', 10);
});
afterEach(() => deps.storage.close());

describe('stock taken by paid orders', () => {
  it('takes an order’s items once under duplicate and reordered deliveries, whatever status proves the payment', async () => {
    const m = await merchant();
    const paid = event({});
    const fulfilled = event({ status: 'fulfilled', updatedAt: '2026-11-20T13:00:00+08:00' });
    const refunded = event({ status: 'refunded', updatedAt: '2026-11-20T14:00:00+08:00' });
    // the fulfilment arrives first (it proves the payment), then everything again in another order
    for (const ev of [fulfilled, paid, fulfilled, refunded, paid, refunded]) await ingestOrderEvent(deps, m, ev, 'webhook');
    expect(await stockOf('A')).toBe(17);
    expect(await stockOf('B')).toBe(9);
    // a cancelled order never paid takes nothing
    await ingestOrderEvent(deps, m, event({ orderNo: 'NO-2', status: 'cancelled' }), 'webhook');
    expect(await stockOf('A')).toBe(17);
  });

  it('a randomized stream of 300 deliveries (duplicates, reorderings, refunds, cancels) takes each paid order once', async () => {
    await product('A', 1000);
    const m = await merchant();
    let seed = 12345;
    const rnd = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
    const statuses = ['paid', 'fulfilled', 'refunded', 'cancelled'] as const;
    const paidOrders = new Set<string>();
    const qty = (i: number) => 1 + (i % 3);
    for (let k = 0; k < 300; k++) {
      const i = rnd(40);
      const status = statuses[rnd(4)]!;
      if (status !== 'cancelled') paidOrders.add(`R-${i}`);
      const t = `2026-11-20T12:${String(rnd(60)).padStart(2, '0')}:00+08:00`;
      const ev = event({ orderNo: `R-${i}`, status, items: [{ sku: 'A', name: '商品A', qty: qty(i), priceFen: 1000 }], updatedAt: t });
      await ingestOrderEvent(deps, m, ev, 'webhook');
    }
    const taken = [...paidOrders].reduce((sum, no) => sum + qty(Number(no.slice(2))), 0);
    expect(taken).toBeGreaterThan(0);
    expect(await stockOf('A')).toBe(1000 - taken);
  });

  it('a retry after a crash between taking stock and writing the order takes nothing twice', async () => {
    await takeOrderStock(deps, SHOP, 'NO-9', [{ sku: 'A', qty: 4 }]);
    await takeOrderStock(deps, SHOP, 'NO-9', [{ sku: 'A', qty: 4 }]);
    expect(await stockOf('A')).toBe(16);
  });

  it('a count set in the app is the new starting point; marks are checked', async () => {
    await editStock(deps, SHOP, { sku: 'A', stock: 3, lowStockAt: 8, redStockAt: 2 });
    await takeOrderStock(deps, SHOP, 'NO-5', [{ sku: 'A', qty: 1 }]);
    expect((await deps.storage.knowledge.listProducts(SHOP)).find((p) => p.sku === 'A')).toMatchObject({ stock: 2, lowStockAt: 8, redStockAt: 2 });
    await expect(editStock(deps, SHOP, { sku: 'A', lowStockAt: 1, redStockAt: 4 })).rejects.toMatchObject({ code: 'VALIDATION.STOCK_MARKS' });
    await expect(editStock(deps, SHOP, { sku: 'NOPE', stock: 1 })).rejects.toMatchObject({ status: 404 });
    expect(await changeStock(deps, SHOP, 'NOPE', { take: 1, orderNo: 'x' })).toBeNull();
  });
});

describe('stock import', () => {
  it('sets counts and marks by sku, reports bad rows by line, and a second import of the same file changes nothing', async () => {
    const table = {
      header: ['编号', '库存', '黄色提醒', '红色提醒（件）'],
      rows: [
        { line: 2, cells: ['A', '12', '6', '2'] },
        { line: 3, cells: ['B', 'x', '', ''] },
        { line: 4, cells: ['NOPE', '1', '', ''] },
        { line: 5, cells: ['B', '', '3', '5'] },
      ],
      errors: [],
      warnings: [],
    };
    for (let i = 0; i < 2; i++) {
      const r = await importStockTable(deps, SHOP, table);
      expect(r.updated).toBe(1);
      expect(r.errors.map((e) => e.line)).toEqual([3, 4, 5]);
    }
    const [a, b] = await deps.storage.knowledge.listProducts(SHOP);
    expect(a).toMatchObject({ sku: 'A', stock: 12, lowStockAt: 6, redStockAt: 2 });
    expect(b).toMatchObject({ sku: 'B', stock: 10, lowStockAt: 5 });
    await expect(importStockTable(deps, SHOP, { ...table, header: ['名字', '库存'] })).rejects.toMatchObject({ code: 'INPUT.INVALID' });
  });
});

describe('alerts', () => {
  it('a big order and a refund are stored once and pushed once, however often the webhook delivers them', async () => {
    await deps.storage.merchants.save({ ...(await merchant()), alerts: { bigOrderFen: 2000, unfulfilledHours: 24, stock: true } });
    const m = await merchant();
    for (let i = 0; i < 3; i++) {
      await ingestOrderEvent(deps, m, event({}), 'webhook');
      await ingestOrderEvent(deps, m, event({ orderNo: 'SMALL', amountFen: 1999 }), 'webhook');
      await ingestOrderEvent(deps, m, event({ status: 'refunded', updatedAt: '2026-11-20T15:00:00+08:00' }), 'webhook');
    }
    const owner = await listAlerts(deps, SHOP, 'owner', 50);
    expect(owner.map((a) => a.key).sort()).toEqual(['order:big:NO-1', 'order:refund:NO-1']);
    // staff see no alert about money
    expect(await listAlerts(deps, SHOP, 'staff', 50)).toEqual([]);
    await runAlertJob('alert:orders:x', { type: 'orders', at: sh('2026-11-20T16:00:00') });
    await runAlertJob('alert:orders:y', { type: 'orders', at: sh('2026-11-20T17:00:00') });
    expect(sends()).toHaveLength(1);
    const content = (sends()[0]!.req as { text: { content: string } }).text.content;
    expect(content).toContain('大单');
    expect(content).toContain('退款');
  });

  it('stock is checked at most once per product per day, red before yellow, and a failed push is sent by the retry', async () => {
    await product('A', 1, 5, 2);
    await product('B', 4);
    await product('C', 50);
    fake.failNext('message/send', 45009);
    await expect(runAlertJob('alert:stock:1', { type: 'stock', day: '2026-11-20' })).rejects.toThrow();
    expect(await runAlertJob('alert:stock:1', { type: 'stock', day: '2026-11-20' })).toEqual({ raised: 0, pushed: 2 });
    // the same day again (a stray second run): nothing new
    expect(await runAlertJob('alert:stock:2', { type: 'stock', day: '2026-11-20' })).toEqual({ raised: 0, pushed: 0 });
    const kinds = (await listAlerts(deps, SHOP, 'staff', 50)).map((a) => `${a.key}:${a.kind}`).sort();
    expect(kinds).toEqual(['stock:A:stockRed', 'stock:B:stockYellow']);
    // the next day, still low: alerted again, once
    expect(await runAlertJob('alert:stock:3', { type: 'stock', day: '2026-11-21' })).toEqual({ raised: 2, pushed: 2 });
    expect(sends()).toHaveLength(2);
  });

  it('a paid order not fulfilled after N hours is an exception; fulfilled ones are not', async () => {
    await deps.storage.merchants.save({ ...(await merchant()), alerts: { unfulfilledHours: 2, stock: true } });
    const m = await merchant();
    await ingestOrderEvent(deps, m, event({ orderNo: 'WAIT' }), 'webhook');
    await ingestOrderEvent(deps, m, event({ orderNo: 'DONE' }), 'webhook');
    await ingestOrderEvent(deps, m, event({ orderNo: 'DONE', status: 'fulfilled', updatedAt: '2026-11-20T12:30:00+08:00' }), 'webhook');
    expect((await runAlertJob('k1', { type: 'orders', at: sh('2026-11-20T13:00:00') })).raised).toBe(0);
    expect((await runAlertJob('k2', { type: 'orders', at: sh('2026-11-20T14:00:00') })).raised).toBe(1);
    expect((await runAlertJob('k3', { type: 'orders', at: sh('2026-11-20T15:00:00') })).raised).toBe(0);
    expect((await listAlerts(deps, SHOP, 'staff', 50)).map((a) => a.key)).toEqual(['order:unfulfilled:WAIT']);
  });

  it('the weekly slow-mover list names products in stock that sold nothing last week', async () => {
    await product('C', 7);
    const m = await merchant();
    await ingestOrderEvent(deps, m, event({ placedAt: '2026-11-18T12:00:00+08:00', updatedAt: '2026-11-18T12:00:00+08:00' }), 'webhook');
    await runAlertJob('slow', { type: 'slow', day: '2026-11-23' });
    const [slow] = await listAlerts(deps, SHOP, 'owner', 50);
    expect(slow).toMatchObject({ kind: 'slowMovers', day: '2026-11-23' });
    expect(slow!.text).toContain('商品C');
    expect(slow!.text).not.toContain('商品A');
  });
});

describe('09:00 planning', () => {
  const shop = (createdAt: number) => ({ timezone: 'Asia/Shanghai', createdAt });

  it('names the latest 09:00 slot in the shop’s time zone, and Mondays for the slow movers', () => {
    const created = sh('2026-11-01T00:00:00');
    expect(latestMorningSlot(sh('2026-11-20T09:00:00'), shop(created))).toEqual({ day: '2026-11-20', at: sh('2026-11-20T09:00:00') });
    expect(latestMorningSlot(sh('2026-11-20T08:59:59'), shop(created))?.day).toBe('2026-11-19');
    // 2026-11-23 is a Monday
    expect(latestMorningSlot(sh('2026-11-22T23:00:00'), shop(created), true)?.day).toBe('2026-11-16');
    expect(latestMorningSlot(sh('2026-11-23T09:00:00'), shop(created), true)?.day).toBe('2026-11-23');
  });

  it('never catches up a slot from before the shop existed, but a tick at 09:00 itself is on time', () => {
    expect(latestMorningSlot(sh('2026-11-20T09:30:00'), shop(sh('2026-11-20T09:10:00')))).toBeNull();
    expect(latestMorningSlot(sh('2026-11-20T09:00:20'), shop(sh('2026-11-20T09:00:10')))?.day).toBe('2026-11-20');
  });

  it('plans deterministic keys, the same within the day, and none for stock when the owner turned it off', async () => {
    const m = await merchant();
    const keys = (now: number, mm = m) => planAlerts(now, [mm]).map((j) => j.key);
    const a = keys(sh('2026-11-20T09:05:00'));
    // the shop was made on the 19th: last Monday's list is a slot from before it existed
    expect(a).toEqual([`alert:stock:${SHOP}:2026-11-20`, `alert:orders:${SHOP}:2026-11-20T01`]);
    expect(keys(sh('2026-11-23T09:00:00'))).toContain(`alert:slow:${SHOP}:2026-11-23`);
    expect(keys(sh('2026-11-20T09:45:00'))).toEqual(a);
    expect(keys(sh('2026-11-20T09:05:00'), { ...m, alerts: { unfulfilledHours: 24, stock: false } })).toEqual([`alert:orders:${SHOP}:2026-11-20T01`]);
  });
});
