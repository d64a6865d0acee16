import type { Report } from '@xiaoer/shared/domain/report';
import { type MakeStorage, withStorage } from './harness';

const report = (date: string, over: Partial<Report> = {}): Report => ({
  merchantId: 'a',
  kind: 'daily',
  date,
  numbers: { revenueFen: 12_300, orders: 4, dayBefore: { revenueFen: 0, orders: 0 } },
  details: { unanswered: [{ question: '能开发票吗', count: 2 }], advice: '明天照常' },
  text: '【店小二】日报',
  builtAt: 1_000,
  push: { state: 'pending', to: [], attempts: 0 },
  rev: 1,
  ...over,
});

/** Stored reports: insert once, compare-and-set on rev, newest first per merchant and kind. */
export function reportRepoContract(make: MakeStorage) {
  describe('ReportRepo', () => {
    const ctx = withStorage(make);

    it('inserts once and reads back exactly what was stored', async () => {
      expect(await ctx.s.reports.put(report('2026-11-22'), null)).toBe(true);
      expect(await ctx.s.reports.put(report('2026-11-22', { text: 'second' }), null)).toBe(false);
      expect(await ctx.s.reports.get('a', 'daily', '2026-11-22')).toEqual(report('2026-11-22'));
      expect(await ctx.s.reports.get('a', 'weekly', '2026-11-22')).toBeNull();
      expect(await ctx.s.reports.get('b', 'daily', '2026-11-22')).toBeNull();
    });

    it('replaces only at the expected rev, nested values whole; one of two racing writers wins', async () => {
      await ctx.s.reports.put(report('2026-11-22'), null);
      const sending = report('2026-11-22', { push: { state: 'sending', to: ['LaoBan'], attempts: 1, message: { msgtype: 'markdown', content: '**日报**' } }, rev: 2 });
      expect(await ctx.s.reports.put({ ...sending, rev: 3 }, 2)).toBe(false);
      expect(await ctx.s.reports.put(sending, 1)).toBe(true);
      // a push state without the message: the stored one must not keep it (replaced, not merged)
      const sent = report('2026-11-22', { push: { state: 'sent', to: ['LaoBan'], attempts: 1 }, numbers: { orders: 5 }, rev: 3 });
      expect(await ctx.s.reports.put(sent, 2)).toBe(true);
      expect(await ctx.s.reports.get('a', 'daily', '2026-11-22')).toEqual(sent);
      const race = await Promise.all([
        ctx.s.reports.put(report('2026-11-22', { push: { state: 'failed', to: [], attempts: 2 }, rev: 4 }), 3),
        ctx.s.reports.put(report('2026-11-22', { push: { state: 'skipped', to: [], attempts: 2 }, rev: 4 }), 3),
      ]);
      expect(race.filter(Boolean)).toHaveLength(1);
      expect((await ctx.s.reports.get('a', 'daily', '2026-11-22'))!.rev).toBe(4);
    });

    it('lists newest first, per merchant and kind, a page at a time', async () => {
      for (const d of ['2026-11-20', '2026-11-22', '2026-11-21', '2026-11-19']) await ctx.s.reports.put(report(d), null);
      await ctx.s.reports.put(report('2026-11-23', { merchantId: 'b' }), null);
      await ctx.s.reports.put(report('2026-11-16', { kind: 'weekly' }), null);
      expect((await ctx.s.reports.list('a', 'daily', 10)).map((r) => r.date)).toEqual(['2026-11-22', '2026-11-21', '2026-11-20', '2026-11-19']);
      expect((await ctx.s.reports.list('a', 'daily', 2)).map((r) => r.date)).toEqual(['2026-11-22', '2026-11-21']);
      expect((await ctx.s.reports.list('a', 'daily', 2, '2026-11-21')).map((r) => r.date)).toEqual(['2026-11-20', '2026-11-19']);
      expect((await ctx.s.reports.list('a', 'weekly', 10)).map((r) => r.date)).toEqual(['2026-11-16']);
      expect((await ctx.s.reports.list('b', 'daily', 10)).map((r) => r.merchantId)).toEqual(['b']);
    });
  });
}
