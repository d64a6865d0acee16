import type { Campaign, CampaignRecipient } from '@xiaoer/shared/domain/marketing';
import { type MakeStorage, withStorage } from './harness';

const campaign = (merchantId: string, id: string, over: Partial<Campaign> = {}): Campaign => ({
  id,
  merchantId,
  name: '周末活动',
  audience: { any: ['VIP', '常客'] },
  content: { texts: ['第二杯半价'], attachments: [] },
  status: 'draft',
  tasks: [],
  createdAt: 1,
  updatedAt: 1,
  ...over,
});
const row = (id: string, over: Partial<CampaignRecipient> = {}): CampaignRecipient => ({
  merchantId: 'a',
  campaignId: 'c1',
  externalUserId: id,
  sender: 'zhangsan',
  variant: 0,
  status: 'planned',
  ...over,
});

export function campaignRepoContract(make: MakeStorage) {
  describe('CampaignRepo', () => {
    const ctx = withStorage(make);

    it('writes campaigns with compare-and-set, per merchant, newest first', async () => {
      const c = campaign('a', 'c1');
      expect(await ctx.s.campaigns.put(c, null)).toBe(true);
      expect(await ctx.s.campaigns.put(c, null)).toBe(false);
      expect(await ctx.s.campaigns.put({ ...c, rev: 1, status: 'scheduled', updatedAt: 3 }, 0)).toBe(true);
      // a second writer with the old rev loses and changes nothing
      expect(await ctx.s.campaigns.put({ ...c, rev: 1, status: 'cancelled', updatedAt: 4 }, 0)).toBe(false);
      expect(await ctx.s.campaigns.get('a', 'c1')).toEqual({ ...c, rev: 1, status: 'scheduled', updatedAt: 3 });
      await ctx.s.campaigns.put(campaign('a', 'c2', { updatedAt: 5 }), null);
      await ctx.s.campaigns.put(campaign('b', 'c9'), null);
      expect((await ctx.s.campaigns.list('a', 10)).map((x) => x.id)).toEqual(['c2', 'c1']);
      expect(await ctx.s.campaigns.get('b', 'c1')).toBeNull();
    });

    it('stores recipients once, pages and filters them, applies changes', async () => {
      const rows = ['wm3', 'wm1', 'wm2', 'wm4'].map((id, i) => row(id, { sender: i % 2 ? 'lisi' : 'zhangsan', variant: i % 2 }));
      expect(await ctx.s.campaigns.addRecipients('a', 'c1', rows)).toBe(4);
      expect(await ctx.s.campaigns.addRecipients('a', 'c1', [row('wm1', { sender: 'other' }), row('wm5')])).toBe(1);
      await ctx.s.campaigns.addRecipients('b', 'c1', [row('wm9', { merchantId: 'b' })]);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const p = await ctx.s.campaigns.listRecipients('a', 'c1', { limit: 2, cursor });
        seen.push(...p.items.map((r) => r.externalUserId));
        cursor = p.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(['wm1', 'wm2', 'wm3', 'wm4', 'wm5']);
      expect((await ctx.s.campaigns.listRecipients('a', 'c1', { limit: 10, sender: 'lisi' })).items.map((r) => r.externalUserId)).toEqual(['wm1', 'wm4']);
      // the first insert wins: the stored A/B draw and sender never change by a second plan
      expect((await ctx.s.campaigns.listRecipients('a', 'c1', { limit: 10 })).items.find((r) => r.externalUserId === 'wm1')).toEqual(row('wm1', { sender: 'lisi', variant: 1 }));

      expect(
        await ctx.s.campaigns.updateRecipients('a', 'c1', [
          { externalUserId: 'wm1', status: 'waiting', msgid: 'm1', taskAt: 100 },
          { externalUserId: 'wm2', status: 'sent', msgid: 'm1', taskAt: 100, sentAt: 150 },
          { externalUserId: 'nobody', status: 'sent' },
        ]),
      ).toBe(2);
      expect((await ctx.s.campaigns.listRecipients('a', 'c1', { limit: 10, status: 'sent' })).items).toEqual([row('wm2', { status: 'sent', msgid: 'm1', sentAt: 150 })]);
      await ctx.s.campaigns.updateRecipients('a', 'c1', [{ externalUserId: 'wm2', repliedAt: 200, orderedAt: 300, revenueFen: 2500 }]);
      expect(await ctx.s.campaigns.recipientCounts('a', 'c1')).toEqual([
        { variant: 0, status: 'planned', count: 2, replied: 0, ordered: 0, revenueFen: 0 },
        { variant: 0, status: 'sent', count: 1, replied: 1, ordered: 1, revenueFen: 2500 },
        { variant: 1, status: 'planned', count: 1, replied: 0, ordered: 0, revenueFen: 0 },
        { variant: 1, status: 'waiting', count: 1, replied: 0, ordered: 0, revenueFen: 0 },
      ]);
      await ctx.s.campaigns.removeRecipients('a', 'c1');
      expect((await ctx.s.campaigns.listRecipients('a', 'c1', { limit: 10 })).items).toEqual([]);
      expect((await ctx.s.campaigns.listRecipients('b', 'c1', { limit: 10 })).items).toHaveLength(1);
    });

    it('tallies each customer’s sends across campaigns since a time, and finds their latest delivery', async () => {
      await ctx.s.campaigns.addRecipients('a', 'c1', [row('wm1'), row('wm2'), row('wm3')]);
      await ctx.s.campaigns.addRecipients('a', 'c2', [row('wm1', { campaignId: 'c2' }), row('wm2', { campaignId: 'c2' })]);
      await ctx.s.campaigns.updateRecipients('a', 'c1', [
        { externalUserId: 'wm1', status: 'sent', taskAt: 100, sentAt: 110 },
        { externalUserId: 'wm2', status: 'quota', taskAt: 100 },
        { externalUserId: 'wm3', status: 'sent', taskAt: 10, sentAt: 20 },
      ]);
      await ctx.s.campaigns.updateRecipients('a', 'c2', [
        { externalUserId: 'wm1', status: 'waiting', taskAt: 200 },
        { externalUserId: 'wm2', status: 'failed', taskAt: 200 },
      ]);
      const tally = (await ctx.s.campaigns.deliveriesSince('a', 50)).sort((x, y) => (x.externalUserId < y.externalUserId ? -1 : 1));
      // wm3's send was before the window; failed and planned rows use no quota
      expect(tally).toEqual([
        { externalUserId: 'wm1', used: 2, lastSentAt: 110, quotaHit: false },
        { externalUserId: 'wm2', used: 0, quotaHit: true },
      ]);
      expect(await ctx.s.campaigns.deliveriesSince('b', 0)).toEqual([]);
      expect((await ctx.s.campaigns.latestDelivery('a', 'wm1', 100))?.campaignId).toBe('c1');
      expect(await ctx.s.campaigns.latestDelivery('a', 'wm1', 111)).toBeNull();
      expect(await ctx.s.campaigns.latestDelivery('a', 'wm2', 0)).toBeNull();
    });
  });
}
