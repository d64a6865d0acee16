import { type MakeStorage, withStorage } from './harness';

export function jobRepoContract(make: MakeStorage) {
  describe('JobRepo (ledger)', () => {
    const ctx = withStorage(make);
    it('enqueues once per key and claims each due job once', async () => {
      const j = { key: 'report:daily:a:2026-11-20', merchantId: 'a', kind: 'report.daily', runAt: 100 };
      expect(await ctx.s.jobs.enqueue(j, 0)).toBe(true);
      expect(await ctx.s.jobs.enqueue(j, 0)).toBe(false);
      await ctx.s.jobs.enqueue({ ...j, key: 'later', runAt: 10_000 }, 0);
      expect(await ctx.s.jobs.claimDue(50, 1000, 10)).toEqual([]);
      const [first, second] = await Promise.all([ctx.s.jobs.claimDue(100, 1000, 10), ctx.s.jobs.claimDue(100, 1000, 10)]);
      const claimed = [...first, ...second];
      expect(claimed.map((c) => c.key)).toEqual([j.key]);
      expect(claimed[0]).toMatchObject({ status: 'running', attempts: 1, leaseUntil: 1100 });
      await ctx.s.jobs.complete(j.key, { sent: 1 }, 200);
      expect(await ctx.s.jobs.get(j.key)).toMatchObject({ status: 'done', result: { sent: 1 } });
      expect(await ctx.s.jobs.claimDue(5000, 1000, 10)).toEqual([]);
    });

    it('reclaims a job whose lease ran out, retries failures, gives up at the end', async () => {
      await ctx.s.jobs.enqueue({ key: 'k', merchantId: 'a', kind: 'x', runAt: 0, maxAttempts: 2 }, 0);
      expect(await ctx.s.jobs.claimDue(0, 100, 10)).toHaveLength(1);
      expect(await ctx.s.jobs.claimDue(50, 100, 10)).toHaveLength(0); // lease held
      const again = await ctx.s.jobs.claimDue(101, 100, 10); // holder died
      expect(again[0]).toMatchObject({ key: 'k', attempts: 2 });
      await ctx.s.jobs.fail('k', 'boom', 500, 110);
      expect(await ctx.s.jobs.get('k')).toMatchObject({ status: 'pending', runAt: 500, lastError: 'boom' });
      expect(await ctx.s.jobs.claimDue(499, 100, 10)).toHaveLength(0);
      await ctx.s.jobs.claimDue(500, 100, 10);
      await ctx.s.jobs.fail('k', 'boom again', null, 510);
      expect(await ctx.s.jobs.get('k')).toMatchObject({ status: 'failed', lastError: 'boom again' });
      expect((await ctx.s.jobs.list({ status: 'failed', limit: 10 })).map((x) => x.key)).toEqual(['k']);
    });
  });
}

export function inboxRepoContract(make: MakeStorage) {
  describe('InboxRepo', () => {
    const ctx = withStorage(make);
    it('takes each delivery once per merchant and lists what is pending, oldest first', async () => {
      const e = (merchantId: string, dedupeKey: string, receivedAt: number) => ({
        merchantId,
        dedupeKey,
        msgType: 'event',
        event: 'kf_msg_or_event',
        plaintext: '<xml/>',
        receivedAt,
        status: 'pending' as const,
        attempts: 0,
      });
      expect(await ctx.s.inbox.put(e('a', 'k1', 10))).toBe(true);
      expect(await ctx.s.inbox.put(e('a', 'k1', 11))).toBe(false); // WeCom retry
      expect(await ctx.s.inbox.put(e('b', 'k1', 12))).toBe(true);
      await ctx.s.inbox.put(e('a', 'k2', 5));
      expect((await ctx.s.inbox.listPending(100, 10)).map((x) => `${x.merchantId}:${x.dedupeKey}`)).toEqual(['a:k2', 'a:k1', 'b:k1']);
      await ctx.s.inbox.markProcessed('a', 'k1', 50);
      await ctx.s.inbox.markFailed('a', 'k2', 'boom', 51);
      expect((await ctx.s.inbox.listPending(100, 10)).map((x) => x.merchantId)).toEqual(['b']);
      expect(await ctx.s.inbox.get('a', 'k1')).toMatchObject({ status: 'processed', processedAt: 50, attempts: 1 });
      expect(await ctx.s.inbox.get('a', 'k2')).toMatchObject({ status: 'failed', lastError: 'boom' });
      expect(await ctx.s.inbox.get('c', 'k1')).toBeNull();
      // pruning takes processed entries received before the cut, up to the limit; pending and failed stay
      await ctx.s.inbox.put(e('a', 'k3', 20));
      await ctx.s.inbox.markProcessed('a', 'k3', 60);
      await ctx.s.inbox.put(e('a', 'k4', 300));
      await ctx.s.inbox.markProcessed('a', 'k4', 301);
      expect(await ctx.s.inbox.pruneProcessed(200, 1)).toBe(1);
      expect(await ctx.s.inbox.pruneProcessed(200, 10)).toBe(1);
      expect(await ctx.s.inbox.get('a', 'k1')).toBeNull();
      expect(await ctx.s.inbox.get('a', 'k3')).toBeNull();
      expect(await ctx.s.inbox.get('a', 'k4')).toMatchObject({ status: 'processed' });
      expect(await ctx.s.inbox.get('a', 'k2')).toMatchObject({ status: 'failed' });
      expect(await ctx.s.inbox.get('b', 'k1')).toMatchObject({ status: 'pending' });
    });
  });
}

export function kvRepoContract(make: MakeStorage) {
  describe('KvRepo', () => {
    const ctx = withStorage(make);
    it('creates once, then writes only on the version it read, per merchant and namespace', async () => {
      expect(await ctx.s.kv.set('a', 'cursor', 'kf1', { cursor: 'c1' }, null, 10)).toBe(true);
      expect(await ctx.s.kv.set('a', 'cursor', 'kf1', { cursor: 'other' }, null, 11)).toBe(false);
      expect(await ctx.s.kv.get('a', 'cursor', 'kf1')).toEqual({ key: 'kf1', value: { cursor: 'c1' }, version: 1, updatedAt: 10 });
      const race = await Promise.all([ctx.s.kv.set('a', 'cursor', 'kf1', { cursor: 'c2' }, 1, 12), ctx.s.kv.set('a', 'cursor', 'kf1', { cursor: 'c3' }, 1, 12)]);
      expect(race.filter(Boolean)).toHaveLength(1);
      const now = await ctx.s.kv.get<{ cursor: string; extra?: number }>('a', 'cursor', 'kf1');
      expect(now?.version).toBe(2);
      expect(['c2', 'c3']).toContain(now?.value.cursor);
      // an object value is replaced whole, not merged
      await ctx.s.kv.set('a', 'cursor', 'kf1', { extra: 1 }, 2, 13);
      expect((await ctx.s.kv.get('a', 'cursor', 'kf1'))?.value).toEqual({ extra: 1 });
      expect(await ctx.s.kv.get('b', 'cursor', 'kf1')).toBeNull();
      expect(await ctx.s.kv.get('a', 'token', 'kf1')).toBeNull();
      await ctx.s.kv.set('a', 'cursor', 'kf0', 'x', null, 14);
      await ctx.s.kv.set('b', 'cursor', 'kf9', 'y', null, 14);
      expect((await ctx.s.kv.list('a', 'cursor', 10)).map((e) => e.key)).toEqual(['kf0', 'kf1']);
      await ctx.s.kv.delete('a', 'cursor', 'kf1');
      expect(await ctx.s.kv.get('a', 'cursor', 'kf1')).toBeNull();
    });

    it('lists in key order up to the limit: the alert list keys by `<day>|<key>` and reads oldest day first', async () => {
      for (const k of ['2026-11-21|stock:B', '2026-11-20|order:big:9', '2026-11-21|order:refund:1', '2026-11-19|stock:A']) await ctx.s.kv.set('a', 'alert', k, { k }, null, 10);
      await ctx.s.kv.set('b', 'alert', '2026-11-18|stock:Z', {}, null, 10);
      expect((await ctx.s.kv.list('a', 'alert', 3)).map((e) => e.key)).toEqual(['2026-11-19|stock:A', '2026-11-20|order:big:9', '2026-11-21|order:refund:1']);
      // insert-only: the same alert raised again stores nothing
      expect(await ctx.s.kv.set('a', 'alert', '2026-11-19|stock:A', { again: true }, null, 11)).toBe(false);
      expect((await ctx.s.kv.get('a', 'alert', '2026-11-19|stock:A'))?.value).toEqual({ k: '2026-11-19|stock:A' });
    });

    it('prunes one namespace by age across merchants, up to a limit, and nothing else', async () => {
      for (let i = 0; i < 5; i++) await ctx.s.kv.set(i % 2 ? 'a' : 'b', 'seen', `m${i}`, 1, null, 100 + i);
      await ctx.s.kv.set('a', 'seen', 'fresh', 1, null, 500);
      await ctx.s.kv.set('a', 'cursor', 'old', 'keep', null, 1);
      expect(await ctx.s.kv.prune('seen', 200, 3)).toBe(3);
      expect(await ctx.s.kv.prune('seen', 200, 10)).toBe(2);
      expect(await ctx.s.kv.prune('seen', 200, 10)).toBe(0);
      expect((await ctx.s.kv.list('a', 'seen', 10)).map((e) => e.key)).toEqual(['fresh']);
      expect(await ctx.s.kv.list('b', 'seen', 10)).toEqual([]);
      expect(await ctx.s.kv.get('a', 'cursor', 'old')).toMatchObject({ value: 'keep' });
    });
  });
}
