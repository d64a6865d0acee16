import { type MakeStorage, withStorage } from './harness';

export function counterRepoContract(make: MakeStorage) {
  describe('CounterRepo', () => {
    const ctx = withStorage(make);
    it('counts each source event once, per day and per store, tenants apart', async () => {
      const inc = (eventId: string, amount = 1, storeId?: string) => ({ day: '2026-11-20', name: 'orders' as const, amount, eventId, storeId });
      expect(await ctx.s.counters.increment('a', [inc('o1'), inc('o2', 1, 's1'), inc('o1')])).toBe(2);
      expect(await ctx.s.counters.increment('a', [inc('o1'), inc('o2', 1, 's1')])).toBe(0);
      await ctx.s.counters.increment('a', [{ day: '2026-11-21', name: 'revenueFen', amount: 1250, eventId: 'o3' }]);
      // the same event id under another counter name is another event
      await ctx.s.counters.increment('a', [{ day: '2026-11-20', name: 'revenueFen', amount: 999, eventId: 'o1' }]);
      await ctx.s.counters.increment('b', [inc('o1', 7)]);
      const days = await ctx.s.counters.days('a', '2026-11-19', '2026-11-21');
      expect(Object.keys(days)).toEqual(['2026-11-19', '2026-11-20', '2026-11-21']);
      expect(days['2026-11-19'].orders).toBe(0);
      expect(days['2026-11-20'].orders).toBe(2);
      expect(days['2026-11-20'].revenueFen).toBe(999);
      expect(days['2026-11-21'].revenueFen).toBe(1250);
      expect((await ctx.s.counters.days('a', '2026-11-20', '2026-11-20', 's1'))['2026-11-20'].orders).toBe(1);
      expect((await ctx.s.counters.days('b', '2026-11-20', '2026-11-20'))['2026-11-20'].orders).toBe(7);
    });
    it('keeps hourly buckets beside the daily totals, moved once per event with them', async () => {
      const inc = (eventId: string, hour: number, amount = 1, storeId?: string) => ({ day: '2026-11-20', hour, name: 'revenueFen' as const, amount, eventId, storeId });
      expect(await ctx.s.counters.increment('a', [inc('o1', 9, 500), inc('o2', 9, 300, 's1'), inc('o3', 14, 200), inc('o1', 9, 500)])).toBe(3);
      expect(await ctx.s.counters.increment('a', [inc('o3', 14, 200), { ...inc('r1', 15, -500), name: 'revenueFen' as const }])).toBe(1);
      // an increment without an hour (older seed data) moves the day only
      await ctx.s.counters.increment('a', [{ day: '2026-11-20', name: 'revenueFen', amount: 50, eventId: 'old' }]);
      await ctx.s.counters.increment('b', [inc('o1', 9, 7)]);
      const hours = await ctx.s.counters.hours('a', '2026-11-19', '2026-11-20');
      expect(Object.keys(hours)).toEqual(['2026-11-19', '2026-11-20']);
      expect(hours['2026-11-19']).toHaveLength(24);
      expect(hours['2026-11-20'].map((c) => c.revenueFen)).toEqual(Array.from({ length: 24 }, (_, h) => ({ 9: 800, 14: 200, 15: -500 })[h] ?? 0));
      expect((await ctx.s.counters.days('a', '2026-11-20', '2026-11-20'))['2026-11-20'].revenueFen).toBe(550);
      expect((await ctx.s.counters.hours('b', '2026-11-20', '2026-11-20'))['2026-11-20'][9].revenueFen).toBe(7);
    });
  });
}

export function knowledgeRepoContract(make: MakeStorage) {
  describe('KnowledgeRepo', () => {
    const ctx = withStorage(make);
    it("moves a merchant's FAQ version on every write and removal, and only that merchant's", async () => {
      const faq = { id: 'f1', question: '几点开门', answer: '早上九点', alternatives: [], enabled: true, merchantId: 'a', updatedAt: 1 };
      expect(await ctx.s.knowledge.faqsVersion('a')).toBe(0);
      await ctx.s.knowledge.upsertFaq(faq);
      const v1 = await ctx.s.knowledge.faqsVersion('a');
      // the same updatedAt and length: a cache keyed on those would miss this edit
      await ctx.s.knowledge.upsertFaq({ ...faq, answer: '早上十点' });
      const v2 = await ctx.s.knowledge.faqsVersion('a');
      await ctx.s.knowledge.removeFaq('a', 'f1');
      const v3 = await ctx.s.knowledge.faqsVersion('a');
      expect(new Set([0, v1, v2, v3]).size).toBe(4);
      expect(await ctx.s.knowledge.faqsVersion('b')).toBe(0);
      await Promise.all([1, 2, 3].map((i) => ctx.s.knowledge.upsertFaq({ ...faq, merchantId: 'c', id: `f${i}` })));
      expect(await ctx.s.knowledge.faqsVersion('c')).toBeGreaterThan(0);
      expect(await ctx.s.knowledge.faqsVersion('a')).toBe(v3);
    });
    it('keeps FAQs, products and facts per merchant', async () => {
      const faq = { id: 'f1', question: '几点开门', answer: '早上九点', alternatives: [], enabled: true, merchantId: 'a', updatedAt: 1 };
      await ctx.s.knowledge.upsertFaq(faq);
      await ctx.s.knowledge.upsertFaq({ ...faq, answer: '早上十点' });
      await ctx.s.knowledge.upsertFaq({ ...faq, merchantId: 'b', answer: '不告诉你' });
      expect((await ctx.s.knowledge.listFaqs('a')).map((f) => f.answer)).toEqual(['早上十点']);
      await ctx.s.knowledge.removeFaq('a', 'f1');
      expect(await ctx.s.knowledge.listFaqs('a')).toEqual([]);
      expect(await ctx.s.knowledge.listFaqs('b')).toHaveLength(1);
      await ctx.s.knowledge.upsertProduct({ sku: 'T1', name: '珍珠奶茶', priceFen: 1500, stock: 3, merchantId: 'a', updatedAt: 1, lowStockAt: 5 });
      expect((await ctx.s.knowledge.listProducts('a'))[0].priceFen).toBe(1500);
      // the red stock mark is kept beside the yellow one
      await ctx.s.knowledge.upsertProduct({ sku: 'T1', name: '珍珠奶茶', priceFen: 1500, stock: 2, merchantId: 'a', updatedAt: 2, lowStockAt: 5, redStockAt: 1 });
      expect(await ctx.s.knowledge.listProducts('a')).toMatchObject([{ stock: 2, lowStockAt: 5, redStockAt: 1 }]);
      expect(await ctx.s.knowledge.listProducts('b')).toEqual([]);
      await ctx.s.knowledge.upsertProduct({ sku: 'T2', name: '椰果', priceFen: 300, stock: 9, merchantId: 'a', updatedAt: 3, lowStockAt: 5 });
      expect((await ctx.s.knowledge.getProducts('a', ['T2', 'T9', 'T1', 'T2'])).map((p) => p.sku).sort()).toEqual(['T1', 'T2']);
      expect(await ctx.s.knowledge.getProducts('b', ['T1'])).toEqual([]);
      expect(await ctx.s.knowledge.getProducts('a', [])).toEqual([]);
      await ctx.s.knowledge.setFacts('a', { hours: '9:00-21:00' }, 1);
      expect(await ctx.s.knowledge.getFacts('a')).toEqual({ hours: '9:00-21:00' });
      expect(await ctx.s.knowledge.getFacts('b')).toEqual({});
    });
  });
}

export function auditRepoContract(make: MakeStorage) {
  describe('AuditRepo', () => {
    const ctx = withStorage(make);
    it('lists newest first, per merchant', async () => {
      for (let i = 0; i < 5; i++) await ctx.s.audit.append({ id: `e${i}`, merchantId: 'a', actor: 'm1', action: 'settings.update', target: '', detail: {}, at: i });
      await ctx.s.audit.append({ id: 'x', merchantId: 'b', actor: 'm9', action: 'x', target: '', detail: {}, at: 99 });
      expect((await ctx.s.audit.list('a', 3)).map((e) => e.id)).toEqual(['e4', 'e3', 'e2']);
    });
  });
}

export function orderRepoContract(make: MakeStorage) {
  describe('OrderRepo', () => {
    const ctx = withStorage(make);
    it('adds idempotently and queries by customer and by time', async () => {
      const o = (id: string, placedAt: number, merchantId = 'a') => ({
        id,
        merchantId,
        externalUserId: 'wm1',
        amountFen: 1800,
        status: 'paid' as const,
        items: [],
        placedAt,
        updatedAt: placedAt,
      });
      expect(await ctx.s.orders.add(o('o1', 100))).toBe(true);
      expect(await ctx.s.orders.add(o('o1', 100))).toBe(false);
      await ctx.s.orders.add(o('o2', 200));
      await ctx.s.orders.add(o('o3', 300, 'b'));
      expect((await ctx.s.orders.listByCustomer('a', 'wm1', 10)).map((x) => x.id)).toEqual(['o2', 'o1']);
      expect((await ctx.s.orders.listPlacedBetween('a', 150, 400, 10)).map((x) => x.id)).toEqual(['o2']);
      expect(await ctx.s.orders.get('a', 'o3')).toBeNull();
    });
  });
}

export function marketingRepoContract(make: MakeStorage) {
  describe('TagRuleRepo', () => {
    const ctx = withStorage(make);
    it('keeps rules per merchant', async () => {
      const rule = {
        id: 'r1',
        merchantId: 'a',
        name: '门店码',
        tags: ['到店'],
        when: { field: 'source' as const, op: '=' as const, value: 'qr' },
        enabled: true,
        createdAt: 1,
        updatedAt: 1,
      };
      await ctx.s.tagRules.upsert(rule);
      await ctx.s.tagRules.upsert({ ...rule, merchantId: 'b' });
      // the rule comes back as stored, condition tree included
      expect(await ctx.s.tagRules.list('a')).toEqual([rule]);
      await ctx.s.tagRules.remove('a', 'r1');
      expect(await ctx.s.tagRules.list('a')).toHaveLength(0);
      expect(await ctx.s.tagRules.list('b')).toHaveLength(1);
    });
  });
}
