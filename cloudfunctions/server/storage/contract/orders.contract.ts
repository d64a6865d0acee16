import type { Order } from '@xiaoer/shared/domain/commerce';
import { customer } from './fixtures';
import { type MakeStorage, withStorage } from './harness';

const order = (id: string, over: Partial<Order> = {}): Order => ({
  id,
  merchantId: 'a',
  amountFen: 1800,
  status: 'paid',
  items: [{ sku: 'T1', name: '杨枝甘露', qty: 1, priceFen: 1800, category: '鲜果茶' }],
  placedAt: 1_000,
  updatedAt: 1_000,
  customerRef: { phone: '13800000001', unionId: 'u1' },
  source: 'webhook',
  paidFen: 1800,
  rev: 1,
  ...over,
});

/** The order webhook's storage: compare-and-set writes, unmatched orders, customers by phone. */
export function orderWriteContract(make: MakeStorage) {
  describe('OrderRepo.put (compare-and-set) and listUnmatched', () => {
    const ctx = withStorage(make);

    it('inserts once, then replaces only at the expected rev', async () => {
      expect(await ctx.s.orders.put(order('o1'), null)).toBe(true);
      expect(await ctx.s.orders.put(order('o1', { amountFen: 1 }), null)).toBe(false);
      // a stale writer (rev 0 or 5) changes nothing
      expect(await ctx.s.orders.put(order('o1', { status: 'refunded', rev: 2 }), 0)).toBe(false);
      expect(await ctx.s.orders.put(order('o1', { status: 'refunded', rev: 6 }), 5)).toBe(false);
      expect((await ctx.s.orders.get('a', 'o1'))!.status).toBe('paid');
      // two writers racing on rev 1: exactly one wins
      const race = await Promise.all([ctx.s.orders.put(order('o1', { status: 'fulfilled', rev: 2 }), 1), ctx.s.orders.put(order('o1', { status: 'refunded', rev: 2 }), 1)]);
      expect(race.filter(Boolean)).toHaveLength(1);
      expect((await ctx.s.orders.get('a', 'o1'))!.rev).toBe(2);
    });

    it('replaces nested values whole (items, the customer reference) and moves the customer index', async () => {
      await ctx.s.orders.put(order('o1'), null);
      const next = order('o1', { items: [{ sku: 'T2', name: '珍珠奶茶', qty: 2, priceFen: 900 }], customerRef: { externalUserId: 'wm1' }, externalUserId: 'wm1', rev: 2 });
      expect(await ctx.s.orders.put(next, 1)).toBe(true);
      expect(await ctx.s.orders.get('a', 'o1')).toEqual(next);
      expect((await ctx.s.orders.listByCustomer('a', 'wm1', 10)).map((o) => o.id)).toEqual(['o1']);
    });

    it('replaces a row written before revs existed when the writer expects rev 0', async () => {
      const { rev: _r, paidFen: _p, ...legacy } = order('old');
      expect(await ctx.s.orders.add(legacy)).toBe(true);
      expect(await ctx.s.orders.put(order('old', { status: 'refunded', refundedAt: 2_000, rev: 1 }), 1)).toBe(false);
      expect(await ctx.s.orders.put(order('old', { status: 'refunded', refundedAt: 2_000, rev: 1 }), 0)).toBe(true);
      expect(await ctx.s.orders.get('a', 'old')).toMatchObject({ status: 'refunded', refundedAt: 2_000, rev: 1 });
    });

    it('lists unmatched orders newest first, per merchant, until they are linked', async () => {
      await ctx.s.orders.put(order('u1', { placedAt: 100 }), null);
      await ctx.s.orders.put(order('u2', { placedAt: 300 }), null);
      await ctx.s.orders.put(order('u3', { placedAt: 200 }), null);
      await ctx.s.orders.put(order('m1', { placedAt: 400, externalUserId: 'wm1' }), null);
      await ctx.s.orders.put(order('x1', { merchantId: 'b', placedAt: 500 }), null);
      expect((await ctx.s.orders.listUnmatched('a', 10)).map((o) => o.id)).toEqual(['u2', 'u3', 'u1']);
      expect((await ctx.s.orders.listUnmatched('a', 2)).map((o) => o.id)).toEqual(['u2', 'u3']);
      expect(await ctx.s.orders.put(order('u2', { placedAt: 300, externalUserId: 'wm1', rev: 2 }), 1)).toBe(true);
      expect((await ctx.s.orders.listUnmatched('a', 10)).map((o) => o.id)).toEqual(['u3', 'u1']);
      expect((await ctx.s.orders.listUnmatched('b', 10)).map((o) => o.id)).toEqual(['x1']);
    });
  });

  describe('OrderRepo.listByCustomer (the profile’s latest orders)', () => {
    const ctx = withStorage(make);
    it('gives the latest `limit` orders of one customer, newest placed first, tenants and customers apart', async () => {
      for (let i = 1; i <= 25; i++) await ctx.s.orders.put(order(`c${i}`, { externalUserId: 'wm1', placedAt: i * 100 }), null);
      await ctx.s.orders.put(order('other', { externalUserId: 'wm2', placedAt: 9_999 }), null);
      await ctx.s.orders.put(order('b1', { merchantId: 'b', externalUserId: 'wm1', placedAt: 9_999 }), null);
      const latest = await ctx.s.orders.listByCustomer('a', 'wm1', 20);
      expect(latest.map((o) => o.id)).toEqual(Array.from({ length: 20 }, (_, i) => `c${25 - i}`));
      expect(latest[0]).toEqual(order('c25', { externalUserId: 'wm1', placedAt: 2_500 }));
      expect((await ctx.s.orders.listByCustomer('b', 'wm1', 20)).map((o) => o.id)).toEqual(['b1']);
      expect(await ctx.s.orders.listByCustomer('a', 'wm9', 20)).toEqual([]);
    });
  });

  describe('CustomerRepo.findByPhone', () => {
    const ctx = withStorage(make);
    it('finds the most recently active customer with exactly that phone, tenants apart', async () => {
      await ctx.s.customers.upsert(customer('a', 'wm1', { phone: '13800000001', lastMessageAt: 1_000 }));
      await ctx.s.customers.upsert(customer('a', 'wm2', { phone: '13800000001', lastMessageAt: 2_000 }));
      await ctx.s.customers.upsert(customer('a', 'wm3', { phone: '13800000003' }));
      await ctx.s.customers.upsert(customer('b', 'wm9', { phone: '13800000009' }));
      expect((await ctx.s.customers.findByPhone('a', '13800000001'))?.externalUserId).toBe('wm2');
      expect((await ctx.s.customers.findByPhone('a', '13800000003'))?.externalUserId).toBe('wm3');
      expect(await ctx.s.customers.findByPhone('a', '13800000009')).toBeNull();
      expect(await ctx.s.customers.findByPhone('a', '1380000000')).toBeNull();
    });
  });
}
