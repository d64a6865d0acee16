import crypto from 'node:crypto';
import { dayOf } from '@xiaoer/shared/domain/time';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { receiveOrderWebhook, rotateWebhookSecret } from '@xiaoer/shared/usecases/orders/webhook';
import type { SqliteStorage } from '../cloudfunctions/server/storage/sqlite';
import { countingStorage, sqlStatements } from './helpers/counting';
import { testDeps } from './helpers/deps';

/**
 * What one order delivery costs in storage (issue 12 "Performance": the webhook's p99 at 32 in
 * flight is its CPU per delivery times the queue). Counted, never timed: the repository calls a
 * delivery makes through the storage port, and the SQL statements the SQLite adapter runs for
 * them — the shop and its webhook secret come from the adapter's read cache (read-cache.ts),
 * checked once per turn of the event loop, not read again for every delivery.
 */

const CORP = { corpId: 'wx5823bf96d3bd56c7', token: 'QDG6eK', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const nextTurn = () => new Promise((r) => setImmediate(r));

/** Each statement the connection runs, named by its verb and table (`SELECT orders`, `INSERT counter_events`). */
function countingSql(s: SqliteStorage) {
  const name = (sql: string) => {
    if (/^\s*PRAGMA\s+data_version/i.test(sql)) return 'PRAGMA data_version';
    const verb = /^\s*(\w+)/.exec(sql)![1].toUpperCase();
    const table = /\b(?:FROM|INTO|UPDATE)\s+(\w+)/i.exec(sql)?.[1] ?? '?';
    return `${verb} ${table}`;
  };
  return sqlStatements(s, name);
}

const tally = (xs: string[]) => Object.fromEntries([...new Set(xs)].sort().map((x) => [x, xs.filter((y) => y === x).length]));

async function setup() {
  const deps = testDeps();
  await createMerchant(deps, { id: 'shop', name: '计数店', ...CORP });
  const { secret } = await rotateWebhookSecret(deps, 'shop', 'test');
  const counted = countingStorage(deps.storage);
  const sql = countingSql(deps.storage as SqliteStorage);
  const at = new Date(deps.timers.wallNow()).toISOString();
  /** One signed paid order, 1 item the shop does not list, a phone no customer has (the bench's delivery). */
  const deliver = (orderNo: string, status = 'paid') => {
    const body = JSON.stringify({
      orderNo,
      status,
      amountFen: 1600,
      items: [{ sku: 'T01', name: '杨枝甘露', qty: 1, priceFen: 1600, category: '鲜果茶' }],
      customer: { phone: '13800000001' },
      placedAt: at,
      updatedAt: at,
    });
    const timestamp = String(Math.floor(deps.timers.wallNow() / 1000));
    const signature = crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    return receiveOrderWebhook({ ...deps, storage: counted.storage }, { merchantId: 'shop', timestamp, signature, body: Buffer.from(body), text: body });
  };
  return { deps, calls: counted.calls, sql, deliver };
}

describe('order webhook: storage calls per delivery', () => {
  it('a new paid order: seven repository calls, ten SQL statements, the shop and its secret from memory', async () => {
    const { deps, calls, sql, deliver } = await setup();
    await deliver('warm-1');
    await nextTurn();
    calls.length = 0;
    sql.length = 0;
    const n = 10;
    const out = await Promise.all(Array.from({ length: n }, (_, i) => deliver(`o-${i}`)));
    expect(out.every((r) => r.outcome === 'created' && r.customer === null)).toBe(true);
    const each = (k: number) => k * n;
    expect(tally(calls)).toEqual({
      'counters.increment': each(1),
      'customers.findByPhone': each(1),
      'knowledge.getProducts': each(1),
      'kv.get': each(1),
      'merchants.get': each(1),
      'orders.get': each(1),
      'orders.put': each(1),
    });
    // no statement reads the shop or the secret: ten deliveries begun in one turn look at data_version once
    expect(tally(sql)).toEqual({
      'INSERT counter_events': each(2),
      'INSERT counter_hours': each(2),
      'INSERT counters': each(2),
      'INSERT orders': each(1),
      'PRAGMA data_version': 1,
      'SELECT customers': each(1),
      'SELECT orders': each(1),
      'SELECT products': each(1),
    });
    const today = dayOf(deps.timers.wallNow(), 'Asia/Shanghai');
    expect((await deps.storage.counters.days('shop', today, today))[today].orders).toBe(n + 1);
    await deps.storage.close();
  });

  it('a repeated delivery: three repository calls, one SQL statement, nothing written', async () => {
    const { deps, calls, sql, deliver } = await setup();
    await deliver('dup-1');
    await nextTurn();
    calls.length = 0;
    sql.length = 0;
    expect((await deliver('dup-1')).outcome).toBe('duplicate');
    expect(tally(calls)).toEqual({ 'kv.get': 1, 'merchants.get': 1, 'orders.get': 1 });
    expect(tally(sql)).toEqual({ 'PRAGMA data_version': 1, 'SELECT orders': 1 });
    await deps.storage.close();
  });
});
