import { conversation, customer, text } from './fixtures';
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
