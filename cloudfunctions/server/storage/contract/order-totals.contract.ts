import fc from 'fast-check';
import type { Order, OrderStatus } from '@xiaoer/shared/domain/commerce';
import { customerTotals } from '@xiaoer/shared/usecases/orders/facts';
import { type MakeStorage, withStorage } from './harness';

/**
 * OrderRepo.customerTotals: the storage works out what usecases/orders/facts.ts `customerTotals`
 * would from the same orders — webhook rows with facts and revs, and rows from before revs read
 * by their status — so an order event need not read every order of a regular.
 */
const STATUSES: OrderStatus[] = ['paid', 'fulfilled', 'refunded', 'cancelled'];
const CATEGORIES = ['鲜果茶', '奶茶', '', 'Zebra', 'apple', '𠮷野家'];

interface Shape {
  legacy: boolean;
  status: OrderStatus;
  paid: boolean;
  refunded: boolean;
  placedAt: number;
  amountFen: number;
  cats: number[];
  rev: number;
}
const shape = fc.record({
  legacy: fc.boolean(),
  status: fc.constantFrom(...STATUSES),
  paid: fc.boolean(),
  refunded: fc.boolean(),
  placedAt: fc.integer({ min: 1, max: 1_000_000 }),
  amountFen: fc.integer({ min: 0, max: 100_000 }),
  cats: fc.array(fc.integer({ min: 0, max: CATEGORIES.length }), { maxLength: 3 }),
  rev: fc.integer({ min: 1, max: 5 }),
});

/** Ids are per customer: the property's runs share one storage. */
function orderOf(i: number, s: Shape, who: string): Order {
  const items = s.cats.map((c, k) => ({ sku: `S${k}`, name: '商品', qty: 1, priceFen: 100, ...(CATEGORIES[c] !== undefined ? { category: CATEGORIES[c] } : {}) }));
  const base = { id: `${who}:o${i}`, merchantId: 'a', externalUserId: who, amountFen: s.amountFen, status: s.status, items, placedAt: s.placedAt, updatedAt: s.placedAt };
  // a row from before revs carries no facts: its status says what was counted
  if (s.legacy) return base;
  return { ...base, ...(s.paid ? { paidFen: s.amountFen } : {}), ...(s.paid && s.refunded ? { refundedAt: s.placedAt + 1 } : {}), rev: s.rev };
}

export function orderTotalsContract(make: MakeStorage) {
  describe('OrderRepo.customerTotals', () => {
    const ctx = withStorage(make);

    it('agrees with customerTotals over the same orders, legacy rows, refunds and unpaid ones included', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(shape, { maxLength: 12 }), fc.nat(13), fc.integer({ min: 1, max: 14 }), async (shapes, exceptAt, limit) => {
          const who = `wm${Math.random().toString(36).slice(2)}`;
          const orders = shapes.map((s, i) => orderOf(i, s, who));
          for (const o of orders) await ctx.s.orders.put(o, null);
          // the same customer id at another shop, and another customer here: never counted
          await ctx.s.orders.put({ ...orderOf(99, shapes[0] ?? ({ legacy: true, status: 'paid', cats: [0], placedAt: 5, amountFen: 7 } as Shape), who), merchantId: 'b' }, null);
          await ctx.s.orders.put(orderOf(98, { legacy: true, status: 'paid', paid: true, refunded: false, placedAt: 5, amountFen: 7, cats: [0], rev: 1 }, `${who}-other`), null);
          const except = `${who}:o${exceptAt}`;
          // the latest `limit` by placing time (ties in any order: only distinct times are compared exactly)
          const latest = [...orders].sort((x, y) => y.placedAt - x.placedAt).slice(0, limit);
          const distinct = new Set(orders.map((o) => o.placedAt)).size === orders.length;
          const got = await ctx.s.orders.customerTotals('a', who, { limit: 50, except });
          expect(got.totals).toEqual(customerTotals(orders.filter((o) => o.id !== except)));
          if (distinct) expect((await ctx.s.orders.customerTotals('a', who, { limit })).totals).toEqual(customerTotals(latest));
        }),
        { numRuns: 25 },
      );
    });

    it('has no orders and no version for a customer without orders', async () => {
      expect(await ctx.s.orders.customerTotals('a', 'nobody', { limit: 10 })).toEqual({ totals: { totalSpentFen: 0, orderCount: 0, categories: [] }, version: '' });
    });

    it('changes its version when an order is added or rewritten, and only then', async () => {
      const o = orderOf(1, { legacy: false, status: 'paid', paid: true, refunded: false, placedAt: 10, amountFen: 500, cats: [0], rev: 1 }, 'wm1');
      await ctx.s.orders.put(o, null);
      const v1 = (await ctx.s.orders.customerTotals('a', 'wm1', { limit: 10 })).version;
      expect((await ctx.s.orders.customerTotals('a', 'wm1', { limit: 10, except: 'wm1:o1' })).version).toBe(v1);
      await ctx.s.orders.put({ ...orderOf(2, { legacy: false, status: 'paid', paid: true, refunded: false, placedAt: 20, amountFen: 300, cats: [], rev: 1 }, 'wm2') }, null);
      expect((await ctx.s.orders.customerTotals('a', 'wm1', { limit: 10 })).version).toBe(v1);
      await ctx.s.orders.put({ ...o, status: 'refunded', refundedAt: 30, updatedAt: 30, rev: 2 }, 1);
      const v2 = (await ctx.s.orders.customerTotals('a', 'wm1', { limit: 10 })).version;
      expect(v2).not.toBe(v1);
      await ctx.s.orders.put(orderOf(3, { legacy: false, status: 'paid', paid: true, refunded: false, placedAt: 40, amountFen: 100, cats: [1], rev: 1 }, 'wm1'), null);
      const v3 = await ctx.s.orders.customerTotals('a', 'wm1', { limit: 10 });
      expect(v3.version).not.toBe(v2);
      expect(v3.totals).toEqual({ totalSpentFen: 100, orderCount: 1, firstOrderAt: 10, lastOrderAt: 40, categories: ['奶茶'] });
    });
  });
}
