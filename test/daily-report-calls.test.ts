import type { Message } from '@xiaoer/shared/domain/conversation';
import type { Order } from '@xiaoer/shared/domain/commerce';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { buildDailyReport } from '@xiaoer/shared/usecases/reports/daily-job';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { countingStorage } from './helpers/counting';
import { testDeps } from './helpers/deps';

/**
 * The daily report reads counters and a few bounded pages, never messages, customers or all
 * orders (issue 12 "Performance"): the storage calls one build makes are counted through a proxy
 * around the storage port, for a small shop and one with 20× the data, and must be the same few.
 */

const sh = (local: string) => Date.parse(`${local}+08:00`);
const DAY = '2026-11-21';
const CORP = { corpId: 'wx5823bf96d3bd56c7', token: 'QDG6eK', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };

/** `scale` customers with a conversation, 5 messages and 2 orders each over the 20 days before DAY (the last day gets 1 in 10), some waiting for a person. */
async function seedShop(deps: Deps, id: string, scale: number) {
  await createMerchant(deps, { id, name: `店${id}`, ...CORP });
  const s = deps.storage;
  const start = sh('2026-11-02T10:00:00');
  for (let i = 0; i < scale; i++) {
    const who = `wm${id}${i}`;
    const at = start + (i % 20) * 86_400_000 + (i % 600) * 60_000;
    await s.customers.upsert({
      merchantId: id,
      externalUserId: who,
      name: `客户${i}`,
      source: 'other',
      tags: [],
      totalSpentFen: 0,
      orderCount: 0,
      lost: false,
      createdAt: at,
      updatedAt: at,
    });
    const conv = `c${i}`;
    await s.conversations.upsert({
      id: conv,
      merchantId: id,
      externalUserId: who,
      channel: 'kf',
      state: i % 7 === 0 ? 'waiting_human' : 'ai_active',
      missed: false,
      lastMessagePreview: '',
      updatedAt: at,
      createdAt: at,
    } as never);
    for (let k = 0; k < 5; k++)
      await s.messages.add({ id: `m${i}-${k}`, merchantId: id, conversationId: conv, sender: k % 2 ? 'ai' : 'customer', at: at + k, type: 'text', text: '几点开门' } as Message);
    for (let k = 0; k < 2; k++) {
      const o: Order = {
        id: `o${i}-${k}`,
        merchantId: id,
        externalUserId: who,
        amountFen: 1600,
        paidFen: 1600,
        status: 'paid',
        rev: 1,
        items: [{ sku: `T${k}`, name: '杨枝甘露', qty: 1, priceFen: 1600 }],
        placedAt: at + k * 3_600_000,
        updatedAt: at + k * 3_600_000,
      } as Order;
      await s.orders.add(o);
      const day = new Date(o.placedAt + 8 * 3_600_000).toISOString().slice(0, 10);
      await s.counters.increment(id, [
        { day, name: 'orders', amount: 1, eventId: o.id, hour: 10 },
        { day, name: 'revenueFen', amount: 1600, eventId: o.id, hour: 10 },
        { day, name: 'customerMessages', amount: 3, eventId: o.id, hour: 10 },
      ]);
    }
  }
}

describe('daily report build: storage calls', () => {
  const deps = testDeps(sh(`${DAY}T21:00:00`));
  const build = async (merchantId: string) => {
    const counting = countingStorage(deps.storage);
    const merchant = (await deps.storage.merchants.get(merchantId))!;
    const report = await buildDailyReport({ ...deps, storage: counting.storage }, merchant, DAY);
    return { calls: counting.calls, report };
  };

  beforeAll(async () => {
    await seedShop(deps, 'small', 20);
    await seedShop(deps, 'big', 400);
  }, 60_000);

  it('makes the same few calls for a shop with 20× the messages, customers and orders', async () => {
    const small = await build('small');
    const big = await build('big');
    // the data is really there: the big shop's day has 20× the orders (and the report saw them)
    expect(big.report.numbers.orders).toBe(20 * (small.report.numbers.orders as number));
    expect(big.report.numbers.waitingHuman).toBeGreaterThan(small.report.numbers.waitingHuman as number);
    expect(big.calls).toEqual(small.calls);
    expect([...big.calls].sort()).toEqual(['conversations.countByState', 'counters.days', 'knowledge.listProducts', 'kv.list', 'orders.listPlacedBetween']);
  });

  it('reads no messages, customers or customer orders whatever the size', async () => {
    const { calls } = await build('big');
    expect(calls.filter((c) => /^(messages|customers)\.|orders\.(get|listByCustomer)/.test(c))).toEqual([]);
  });
});
