import { conversation, customer, text } from './fixtures';
import type { CustomerFacts, CustomerQuery } from '@xiaoer/shared/ports/storage';
import { type MakeStorage, withStorage } from './harness';

export function customerRepoContract(make: MakeStorage) {
  describe('CustomerRepo', () => {
    const ctx = withStorage(make);
    it('keys customers by (merchant, externalUserId) and keeps tenants apart', async () => {
      await ctx.s.customers.upsert(customer('a', 'wm1', { name: '张三' }));
      await ctx.s.customers.upsert(customer('b', 'wm1', { name: '李四' }));
      expect((await ctx.s.customers.get('a', 'wm1'))?.name).toBe('张三');
      expect((await ctx.s.customers.get('b', 'wm1'))?.name).toBe('李四');
      expect(await ctx.s.customers.count('a')).toBe(1);
      await ctx.s.customers.upsert(customer('a', 'wm1', { name: '张三丰' }));
      expect(await ctx.s.customers.count('a')).toBe(1);
      await ctx.s.customers.remove('a', 'wm1');
      expect(await ctx.s.customers.get('a', 'wm1')).toBeNull();
      expect(await ctx.s.customers.get('b', 'wm1')).not.toBeNull();
    });

    it('pages by recent activity with a cursor, filters by tag and search', async () => {
      for (let i = 0; i < 25; i++) {
        await ctx.s.customers.upsert(
          customer('a', `wm${String(i).padStart(2, '0')}`, { name: i % 2 ? `王${i}` : `赵${i}`, lastMessageAt: 1000 + (i % 5), tags: i % 3 === 0 ? ['VIP'] : ['新客'] }),
        );
      }
      await ctx.s.customers.upsert(customer('b', 'other', { tags: ['VIP'], lastMessageAt: 5000 }));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await ctx.s.customers.list('a', { limit: 7, cursor });
        seen.push(...page.items.map((c) => c.externalUserId));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toHaveLength(25);
      expect(new Set(seen).size).toBe(25);
      const acts = await Promise.all(seen.map(async (id) => (await ctx.s.customers.get('a', id))!.lastMessageAt!));
      expect([...acts].sort((x, y) => y - x)).toEqual(acts);
      const vip = await ctx.s.customers.list('a', { tag: 'VIP', limit: 100 });
      expect(vip.items).toHaveLength(9);
      expect(vip.items.every((c) => c.merchantId === 'a' && c.tags.includes('VIP'))).toBe(true);
      const wang = await ctx.s.customers.list('a', { search: '王', limit: 100 });
      expect(wang.items).toHaveLength(12);
      const pct = await ctx.s.customers.list('a', { search: '%', limit: 100 });
      expect(pct.items).toHaveLength(0);
    });

    /** Every page of a query, in order, and the totals each page reported. */
    async function all(merchantId: string, q: Omit<CustomerQuery, 'limit' | 'cursor'>, limit = 2) {
      const ids: string[] = [];
      const totals = new Set<number>();
      let cursor: string | undefined;
      do {
        const page = await ctx.s.customers.list(merchantId, { ...q, limit, cursor });
        ids.push(...page.items.map((c) => c.externalUserId));
        totals.add(page.total);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return { ids, totals: [...totals] };
    }

    it('filters by several tags (all or any), sorts by spend or added date, and counts every match', async () => {
      const rows: [string, string[], number, number][] = [
        // id, tags, spent, added
        ['wm1', ['VIP', '复购'], 50_000, 5],
        ['wm2', ['VIP'], 90_000, 3],
        ['wm3', ['复购'], 50_000, 9],
        ['wm4', ['VIP', '复购', '沉睡'], 10_000, 1],
        ['wm5', [], 70_000, 7],
        ['wm6', ['沉睡'], 50_000, 5],
      ];
      for (const [id, tags, totalSpentFen, createdAt] of rows) await ctx.s.customers.upsert(customer('a', id, { tags, totalSpentFen, createdAt, lastMessageAt: 100 + createdAt }));
      await ctx.s.customers.upsert(customer('b', 'wm9', { tags: ['VIP', '复购'], totalSpentFen: 999_999, createdAt: 99 }));

      expect(await all('a', { tags: ['VIP', '复购'] })).toEqual({ ids: ['wm1', 'wm4'], totals: [2] });
      expect(await all('a', { tags: ['VIP', '复购'], tagMode: 'any', sort: 'spend' })).toEqual({ ids: ['wm2', 'wm1', 'wm3', 'wm4'], totals: [4] });
      // the single `tag` of older callers joins the list
      expect(await all('a', { tag: '沉睡', tags: ['VIP'] })).toEqual({ ids: ['wm4'], totals: [1] });
      // equal spend (50,000 three times) pages by id: none skipped or repeated across page ends
      expect(await all('a', { sort: 'spend' })).toEqual({ ids: ['wm2', 'wm5', 'wm1', 'wm3', 'wm6', 'wm4'], totals: [6] });
      expect(await all('a', { sort: 'spend' }, 1)).toEqual({ ids: ['wm2', 'wm5', 'wm1', 'wm3', 'wm6', 'wm4'], totals: [6] });
      expect(await all('a', { sort: 'added' })).toEqual({ ids: ['wm3', 'wm5', 'wm1', 'wm6', 'wm2', 'wm4'], totals: [6] });
      expect(await all('a', { sort: 'lastVisit', tags: ['沉睡'] })).toEqual({ ids: ['wm6', 'wm4'], totals: [2] });
      expect(await all('a', { tags: ['没人有'] })).toEqual({ ids: [], totals: [0] });
      expect(await all('a', { search: '客户wm', tags: ['VIP'], tagMode: 'any', sort: 'added' }, 10)).toEqual({ ids: ['wm1', 'wm2', 'wm4'], totals: [3] });

      // a new spend moves the customer in the spend order
      await ctx.s.customers.upsert(customer('a', 'wm4', { tags: ['VIP', '复购', '沉睡'], totalSpentFen: 100_000, createdAt: 1 }));
      expect((await ctx.s.customers.list('a', { sort: 'spend', limit: 1 })).items.map((c) => c.externalUserId)).toEqual(['wm4']);
    });

    it('reads only the rule facts of every customer, a page at a time', async () => {
      const full = customer('a', 'wm1', {
        name: '王姐',
        phone: '13812345678',
        note: '只喝少冰',
        tags: ['VIP'],
        totalSpentFen: 123_400,
        orderCount: 7,
        lastOrderAt: 2000,
        firstOrderAt: 1500,
        categories: ['奶茶', '果茶'],
        source: 'contact_way',
        sourceState: 'table-qr',
        birthday: { month: 6, day: 18, year: 1990 },
        storeId: 's1',
        followUserId: 'zhangsan',
        lastMessageAt: 3000,
        optedOutAt: 2500,
        campaignReplyAt: 2600,
        createdAt: 1000,
      });
      await ctx.s.customers.upsert(full);
      await ctx.s.customers.upsert(customer('a', 'wm2', { lost: true, createdAt: 1100 }));
      for (let i = 3; i <= 7; i++) await ctx.s.customers.upsert(customer('a', `wm${i}`, { createdAt: 1000 + i }));
      await ctx.s.customers.upsert(customer('b', 'wm1', { name: '别家的' }));

      const seen: CustomerFacts[] = [];
      let cursor: string | undefined;
      do {
        const page = await ctx.s.customers.listFacts('a', { limit: 2, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen.map((f) => f.externalUserId).sort()).toEqual(['wm1', 'wm2', 'wm3', 'wm4', 'wm5', 'wm6', 'wm7']);
      expect(seen.find((f) => f.externalUserId === 'wm1')).toEqual({
        externalUserId: 'wm1',
        name: '王姐',
        tags: ['VIP'],
        totalSpentFen: 123_400,
        orderCount: 7,
        lastOrderAt: 2000,
        lastMessageAt: 3000,
        createdAt: 1000,
        categories: ['奶茶', '果茶'],
        source: 'contact_way',
        sourceState: 'table-qr',
        birthdayMonth: 6,
        birthdayDay: 18,
        firstOrderAt: 1500,
        optedOutAt: 2500,
        campaignReplyAt: 2600,
        storeId: 's1',
        followUserId: 'zhangsan',
        lost: false,
      });
      // absent facts stay absent (a rule on them matches nobody), not zero or empty
      const bare = seen.find((f) => f.externalUserId === 'wm3')!;
      expect(Object.keys(bare).sort()).toEqual(['createdAt', 'externalUserId', 'lost', 'name', 'orderCount', 'source', 'tags', 'totalSpentFen']);
      expect(seen.find((f) => f.externalUserId === 'wm2')?.lost).toBe(true);
      // facts follow the document: a change is read back at once
      await ctx.s.customers.upsert({ ...full, tags: ['VIP', '沉睡'], birthday: undefined });
      const again = (await ctx.s.customers.listFacts('a', { limit: 100 })).items.find((f) => f.externalUserId === 'wm1')!;
      expect(again.tags).toEqual(['VIP', '沉睡']);
      expect(again.birthdayMonth).toBeUndefined();
      expect(again.birthdayDay).toBeUndefined();
    });
  });
}

export function conversationRepoContract(make: MakeStorage) {
  describe('ConversationRepo', () => {
    const ctx = withStorage(make);
    it('finds one thread per customer and channel, lists by state, counts waiting', async () => {
      await ctx.s.conversations.upsert(conversation('a', 'c1', 'wm1', { updatedAt: 10 }));
      await ctx.s.conversations.upsert(conversation('a', 'c2', 'wm2', { state: 'waiting_human', waitingSince: 5, updatedAt: 20 }));
      await ctx.s.conversations.upsert(conversation('a', 'c3', 'wm3', { state: 'waiting_human', waitingSince: 50, updatedAt: 30 }));
      await ctx.s.conversations.upsert(conversation('b', 'c9', 'wm1', { state: 'waiting_human', waitingSince: 1, updatedAt: 40 }));
      expect((await ctx.s.conversations.findByCustomer('a', 'wm1', 'kf'))?.id).toBe('c1');
      expect(await ctx.s.conversations.findByCustomer('a', 'wm1', 'contact')).toBeNull();
      expect(await ctx.s.conversations.countByState('a', 'waiting_human')).toBe(2);
      const waiting = await ctx.s.conversations.list('a', { states: ['waiting_human'], limit: 10 });
      expect(waiting.items.map((c) => c.id)).toEqual(['c3', 'c2']);
      const all = await ctx.s.conversations.list('a', { limit: 2 });
      expect(all.items.map((c) => c.id)).toEqual(['c3', 'c2']);
      const rest = await ctx.s.conversations.list('a', { limit: 2, cursor: all.nextCursor! });
      expect(rest.items.map((c) => c.id)).toEqual(['c1']);
      expect(rest.nextCursor).toBeNull();
      expect((await ctx.s.conversations.listWaitingSince('a', 10, 10)).map((c) => c.id)).toEqual(['c2']);
      expect(await ctx.s.conversations.get('b', 'c1')).toBeNull();
      expect(await ctx.s.conversations.removeByCustomer('a', 'wm1')).toEqual(['c1']);
      expect(await ctx.s.conversations.get('b', 'c9')).not.toBeNull();
    });

    it('keeps why the AI handed a conversation over, and a conversation from before reasons reads without one', async () => {
      await ctx.s.conversations.upsert(conversation('a', 'r1', 'wm1', { state: 'waiting_human', waitingSince: 5, handoffReason: 'commit', handoffAt: 5 }));
      await ctx.s.conversations.upsert(conversation('a', 'r2', 'wm2', { state: 'waiting_human', waitingSince: 6 }));
      expect(await ctx.s.conversations.get('a', 'r1')).toMatchObject({ handoffReason: 'commit', handoffAt: 5 });
      expect((await ctx.s.conversations.list('a', { states: ['waiting_human'], limit: 10 })).items.find((c) => c.id === 'r1')).toMatchObject({ handoffReason: 'commit' });
      const old = await ctx.s.conversations.get('a', 'r2');
      expect(old?.handoffReason).toBeUndefined();
    });
  });
}

export function messageRepoContract(make: MakeStorage) {
  describe('MessageRepo', () => {
    const ctx = withStorage(make);
    it('adds idempotently by id and returns the last N oldest first', async () => {
      expect(await ctx.s.messages.add(text('a', 'c1', 'x1', 100, '第一句'))).toBe(true);
      expect(await ctx.s.messages.add(text('a', 'c1', 'x1', 100, '第一句'))).toBe(false);
      await ctx.s.messages.add(text('a', 'c1', 'x2', 200, '第二句'));
      await ctx.s.messages.add(text('a', 'c1', 'x3', 300, '第三句'));
      await ctx.s.messages.add(text('b', 'c1', 'x4', 400, '别家的'));
      const last2 = await ctx.s.messages.listByConversation('a', 'c1', 2);
      expect(last2.map((m) => m.id)).toEqual(['x2', 'x3']);
      expect(await ctx.s.messages.setDelivery('a', 'x2', 'sent')).toBe(true);
      expect(await ctx.s.messages.setDelivery('b', 'x2', 'failed')).toBe(false);
      expect((await ctx.s.messages.listByConversation('a', 'c1', 3)).map((m) => m.delivery)).toEqual([undefined, 'sent', undefined]);
      expect(await ctx.s.messages.removeByConversation('a', 'c1')).toBe(3);
      expect(await ctx.s.messages.listByConversation('b', 'c1', 10)).toHaveLength(1);
    });

    it('pages older messages before a (time, id) position, oldest first', async () => {
      for (const [id, at] of [
        ['p1', 100],
        ['p2', 200],
        ['p3', 200],
        ['p4', 300],
      ] as const)
        await ctx.s.messages.add(text('a', 'c3', id, at, id));
      await ctx.s.messages.add(text('b', 'c3', 'p0', 50, '别家的'));
      expect((await ctx.s.messages.listByConversation('a', 'c3', 2, { at: 300, id: 'p4' })).map((m) => m.id)).toEqual(['p2', 'p3']);
      // same time: the id breaks the tie, so nothing is skipped or repeated between pages
      expect((await ctx.s.messages.listByConversation('a', 'c3', 2, { at: 200, id: 'p3' })).map((m) => m.id)).toEqual(['p1', 'p2']);
      expect(await ctx.s.messages.listByConversation('a', 'c3', 5, { at: 100, id: 'p1' })).toEqual([]);
    });

    it('keeps a handoff notice’s reason', async () => {
      await ctx.s.messages.add({ ...text('a', 'c2', 'h1', 100, '马上请店员来'), sender: 'ai', answer: { knowledgeIds: [], confidence: 1, handoff: true, reason: 'harm' } });
      expect((await ctx.s.messages.listByConversation('a', 'c2', 5))[0]?.answer).toEqual({ knowledgeIds: [], confidence: 1, handoff: true, reason: 'harm' });
    });
  });
}
