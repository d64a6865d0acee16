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
