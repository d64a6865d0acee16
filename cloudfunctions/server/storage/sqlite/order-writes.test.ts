import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Order } from '@xiaoer/shared/domain/commerce';
import { openSqliteStorage, type SqliteStorage } from '.';

/**
 * Order events' writes share group commits (counters and order rows, one transaction per turn):
 * each write still resolves only once committed, a compare-and-set still has one winner, a
 * counters increment stays all-or-nothing, and one failing write does not fail its neighbours.
 */
const order = (id: string, extra: Partial<Order> = {}): Order =>
  ({ id, merchantId: 'm', amountFen: 100, paidFen: 100, status: 'paid', rev: 1, items: [], placedAt: 1_000, updatedAt: 1_000, ...extra }) as Order;
const inc = (eventId: string, amount = 1) => [
  { day: '2026-11-21', hour: 10, name: 'orders' as const, amount: 1, eventId },
  { day: '2026-11-21', hour: 10, name: 'revenueFen' as const, amount, eventId },
];

let s: SqliteStorage;
beforeEach(() => {
  s = openSqliteStorage(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-order-writes-')), 'db'));
});
afterEach(() => s.close());

const commits = () => {
  // every COMMIT the connection runs, counted at the SQL it executes
  const exec = s.db.exec.bind(s.db);
  const seen = { commits: 0 };
  s.db.exec = ((sql: string) => {
    if (/^\s*COMMIT/i.test(sql)) seen.commits++;
    return exec(sql);
  }) as typeof s.db.exec;
  return seen;
};

describe('order writes in group commits (SQLite)', () => {
  it('commits the counters and orders of concurrent deliveries together, each counted once', async () => {
    const seen = commits();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => Promise.all([s.counters.increment('m', inc(`o${i}`, 100)), s.orders.put(order(`o${i}`), null)])));
    expect(results).toEqual(Array.from({ length: 20 }, () => [2, true]));
    // 40 writes, one transaction
    expect(seen.commits).toBe(1);
    // a repeat counts nothing and inserts nothing
    expect(await Promise.all([s.counters.increment('m', inc('o3', 100)), s.orders.put(order('o3'), null)])).toEqual([0, false]);
    const day = (await s.counters.days('m', '2026-11-21', '2026-11-21'))['2026-11-21']!;
    expect([day.orders, day.revenueFen]).toEqual([20, 2000]);
    expect((await s.counters.hours('m', '2026-11-21', '2026-11-21'))['2026-11-21']![10]!.revenueFen).toBe(2000);
  });

  it('gives one winner to two compare-and-set writes of one order in the same batch', async () => {
    await s.orders.put(order('o1'), null);
    const [a, b] = await Promise.all([s.orders.put(order('o1', { rev: 2, status: 'fulfilled' }), 1), s.orders.put(order('o1', { rev: 2, status: 'refunded' }), 1)]);
    expect([a, b]).toEqual([true, false]);
    expect((await s.orders.get('m', 'o1'))!.status).toBe('fulfilled');
  });

  it('fails only the write that fails: its neighbours in the batch are committed', async () => {
    const broken = order('bad', { amountFen: 1n as unknown as number }); // JSON cannot hold a BigInt: the write throws
    const [good, bad, counted] = await Promise.allSettled([s.orders.put(order('ok'), null), s.orders.put(broken, null), s.counters.increment('m', inc('ok', 100))]);
    expect(good).toEqual({ status: 'fulfilled', value: true });
    expect(bad.status).toBe('rejected');
    expect(counted).toEqual({ status: 'fulfilled', value: 2 });
    expect(await s.orders.get('m', 'ok')).not.toBeNull();
    expect(await s.orders.get('m', 'bad')).toBeNull();
    expect((await s.counters.days('m', '2026-11-21', '2026-11-21'))['2026-11-21']!.revenueFen).toBe(100);
  });

  it('keeps an increment alone all-or-nothing (its own transaction outside a batch)', async () => {
    // a second increment whose revenue row cannot be written (NOT NULL day) rolls its event mark back too
    await expect(s.counters.increment('m', [...inc('x'), { day: null as unknown as string, name: 'refunds', amount: 1, eventId: 'x' }])).rejects.toThrow();
    expect(await s.counters.increment('m', inc('x', 5))).toBe(2);
    expect((await s.counters.days('m', '2026-11-21', '2026-11-21'))['2026-11-21']!.revenueFen).toBe(5);
  });
});
