import { DEMO_MERCHANT_ID } from '../cloudfunctions/server/demo';
import type { Customer } from '@xiaoer/shared/domain/customer';
import { campaignStats } from '@xiaoer/shared/usecases/campaigns/stats';
import type { TestHost } from './helpers/host';
import { cliJson, useDemoHostForCli } from './helpers/demo-cli';

/**
 * Issue 16's first acceptance, end to end through the CLI and the WeCom sandbox: a campaign to
 * 25,000 customers across 3 members makes correctly chunked tasks (the member with 12,000 gets
 * two), counts and explains the quota, lost-customer and quiet-hour exclusions, and after the
 * sandbox plays the members confirming, every recipient's status and the campaign's numbers are right.
 */
let h: TestHost;
useDemoHostForCli((host) => (h = host));
const M = DEMO_MERCHANT_ID;
const TAG = '双十二客';
const PER_MEMBER = { XiaoMan: 12_000, ZhangYu: 8_000, WangWu: 5_000 } as const;

const control = async (path: string, body: unknown) => {
  const res = await fetch(`${h.url}/sandbox/_control/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('a campaign to 25,000 customers across 3 members (CLI + sandbox)', () => {
  it('chunks, explains exclusions, moves past quiet hours, and tracks every recipient after the confirmations', async () => {
    const now = Date.now();
    await h.rt.storage.members.add({ id: 'wangwu', merchantId: M, openid: 'demo:WangWu', name: '王五', role: 'staff', onDuty: true, wecomUserId: 'WangWu', createdAt: now });
    const base = (id: string, followUserId: string, over: Partial<Customer> = {}): Customer => ({
      merchantId: M,
      externalUserId: id,
      name: id,
      source: 'contact_way',
      followUserId,
      tags: [TAG],
      totalSpentFen: 0,
      orderCount: 0,
      lost: false,
      createdAt: now,
      updatedAt: now,
      ...over,
    });
    for (const [member, n] of Object.entries(PER_MEMBER)) for (let i = 0; i < n; i++) await h.rt.storage.customers.upsert(base(`wm25k-${member}-${i}`, member));
    // in the audience but not reachable: 100 who deleted their member, 40 who said 退订
    for (let i = 0; i < 100; i++) await h.rt.storage.customers.upsert(base(`wm25k-lost-${i}`, 'ZhangYu', { lost: true }));
    for (let i = 0; i < 40; i++) await h.rt.storage.customers.upsert(base(`wm25k-out-${i}`, 'WangWu', { optedOutAt: now }));
    // 30 of 王五's customers already had this month's 群发 (our own count: as many as the month has days)
    const full = Array.from({ length: 30 }, (_, i) => `wm25k-WangWu-${i}`);
    for (let k = 0; k < 31; k++) {
      await h.rt.storage.campaigns.addRecipients(
        M,
        `old-${k}`,
        full.map((id) => ({ merchantId: M, campaignId: `old-${k}`, externalUserId: id, sender: 'WangWu', variant: 0, status: 'planned' as const })),
      );
      await h.rt.storage.campaigns.updateRecipients(
        M,
        `old-${k}`,
        full.map((id) => ({ externalUserId: id, status: 'sent' as const, taskAt: now - 60_000, sentAt: now - 60_000 })),
      );
    }

    // asked for 22:30 tonight (Shanghai): quiet hours move it to 09:00 the next morning
    const day = new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
    const plan = await cliJson('campaign', 'plan', '--merchant', M, '--audience', TAG, '--at', `${day}T22:30:00+08:00`, '--text', '双十二全场八折，到店报暗号「店小二」');
    expect(plan.sendAt.slice(11)).toBe('09:00:00+08:00');
    expect(plan.bySender).toEqual([
      { userid: 'XiaoMan', count: 12_000, chunks: 2 },
      { userid: 'ZhangYu', count: 8_000, chunks: 1 },
      { userid: 'WangWu', count: 4_970, chunks: 1 },
    ]);
    expect(plan.recipients).toBe(24_970);
    expect(plan.excluded).toEqual([
      { reason: 'lost', count: 100 },
      { reason: 'optedOut', count: 40 },
      { reason: 'quota', count: 30 },
    ]);

    // booked for the morning; the scheduler at that time, twice, makes the tasks once
    const booked = await cliJson('campaign', 'send', '--merchant', M, '--campaign', plan.campaignId);
    expect(booked).toMatchObject({ status: 'scheduled', created: 0 });
    const at = Date.parse(plan.sendAt);
    await cliJson('jobs', 'run-due', '--at', new Date(at + 1000).toISOString());
    await cliJson('jobs', 'run-due', '--at', new Date(at + 2000).toISOString());
    const sent = ((await cliJson('sandbox', 'sent', '--merchant', M)) as { api: string; count?: number; msgid?: string }[]).filter(
      (r) => r.api === 'externalcontact/add_msg_template',
    );
    expect(sent.map((r) => r.count).sort((a, b) => b! - a!)).toEqual([10_000, 8_000, 4_970, 2_000]);

    // the three members confirm in WeCom; the tracking job reads what happened to each customer
    const campaign = (await h.rt.storage.campaigns.get(M, plan.campaignId))!;
    expect(campaign.tasks).toHaveLength(4);
    for (const t of campaign.tasks) expect((await control('groupmsg-confirm', { merchantId: M, msgid: t.msgid })).status).toBe(200);
    await cliJson('jobs', 'run-due', '--at', new Date(at + 11 * 60_000).toISOString());
    const after = (await h.rt.storage.campaigns.get(M, plan.campaignId))!;
    expect(after.status).toBe('sent');
    expect(campaignStats(await h.rt.storage.campaigns.recipientCounts(M, plan.campaignId), 1)).toMatchObject({
      planned: 24_970,
      confirmed: 24_970,
      delivered: 24_970,
      failed: 0,
      waiting: 0,
    });
    const lisi = await h.rt.storage.campaigns.listRecipients(M, plan.campaignId, { limit: 5, sender: 'ZhangYu' });
    expect(lisi.items.every((r) => r.status === 'sent' && r.sentAt !== undefined && r.msgid)).toBe(true);
  }, 300_000);
});
