import { runCli } from '../cloudfunctions/server/cli/main';
import { DEMO_MERCHANT_ID } from '../cloudfunctions/server/demo';
import { inAudience, parseAudience } from '@xiaoer/shared/domain/audience';
import { campaignStats } from '@xiaoer/shared/usecases/campaigns/stats';
import type { TestHost } from './helpers/host';
import { addDays, dayOf, startOfDay } from '@xiaoer/shared/domain/time';
import { saveFollowup } from '@xiaoer/shared/usecases/followups/store';
import { cliJson, useDemoHostForCli } from './helpers/demo-cli';

/**
 * Issue 16's campaign acceptance as a person would check it with `npm start` and the CLI: the demo
 * shop's tagged customers belong to its two WeCom members, so `campaign plan` has senders; `campaign
 * send` makes the tasks once however often it runs; the sandbox plays the members confirming; the
 * tracking job reads WeCom's results; a customer who says 退订 is never in a later plan.
 */
let h: TestHost;
useDemoHostForCli((host) => (h = host));
const M = DEMO_MERCHANT_ID;
const AUDIENCE = { any: ['会员', '常客'] };

const control = async (path: string, body: unknown) => {
  const res = await fetch(`${h.url}/sandbox/_control/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const templates = async () =>
  ((await cliJson('sandbox', 'sent', '--merchant', M)) as { api: string; count?: number; msgid?: string }[]).filter((r) => r.api === 'externalcontact/add_msg_template');

describe('campaigns on the demo shop (CLI)', () => {
  let campaignId = '';

  it('plans to the members who own the customers, and explains everyone else', async () => {
    const plan = await cliJson('campaign', 'plan', '--merchant', M, '--audience', JSON.stringify(AUDIENCE));
    expect(Object.keys(plan).sort()).toEqual(['bySender', 'campaignId', 'excluded', 'recipients', 'sendAt']);
    expect(plan.bySender.map((s: { userid: string }) => s.userid).sort()).toEqual(['XiaoMan', 'ZhangYu']);
    expect(plan.recipients).toBe(plan.bySender.reduce((n: number, s: { count: number }) => n + s.count, 0));
    // the same count made here from the customers themselves
    const audience = parseAudience(AUDIENCE);
    const all = (await h.rt.storage.customers.list(M, { limit: 1000 })).items.filter((c) => inAudience(audience, new Set(c.tags)));
    const reachable = all.filter((c) => !c.lost && c.optedOutAt === undefined && (c.followUserId === 'XiaoMan' || c.followUserId === 'ZhangYu'));
    expect(plan.recipients).toBe(reachable.length);
    expect(plan.recipients).toBeGreaterThan(0);
    expect(plan.recipients + plan.excluded.reduce((n: number, e: { count: number }) => n + e.count, 0)).toBe(all.length);
    expect(plan.sendAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    campaignId = plan.campaignId;
  });

  it('refuses a bad audience, naming the part', async () => {
    const out = await runCli(['campaign', 'plan', '--merchant', M, '--audience', '{"all":["会员",{"some":["x"]}]}', '--json']);
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout)).toMatchObject({ code: 'INPUT.INVALID', details: [{ path: 'audience.all.1' }] });
    const noText = await runCli(['campaign', 'send', '--merchant', M, '--campaign', campaignId, '--json']);
    expect(JSON.parse(noText.stdout)).toMatchObject({ code: 'CONFLICT.CAMPAIGN_NO_TEXT' });
  });

  it('sends once however often it runs; members confirm; the tracking job reads who got it', async () => {
    // the demo's clock is now: quiet hours may move the send, so plan for a daytime slot and run due jobs then
    const first = await cliJson('campaign', 'send', '--merchant', M, '--campaign', campaignId, '--text', '周末第二杯半价，来店报暗号「店小二」');
    const sendAt = Date.parse(first.sendAt);
    if (sendAt > Date.now()) await cliJson('jobs', 'run-due', '--at', new Date(sendAt + 1000).toISOString());
    await cliJson('jobs', 'run-due', '--at', new Date(Math.max(sendAt, Date.now()) + 2000).toISOString());
    await cliJson('campaign', 'send', '--merchant', M, '--campaign', campaignId);
    const made = await templates();
    const plan = (await h.rt.storage.campaigns.get(M, campaignId))!.plan!;
    expect(made).toHaveLength(plan.bySender.length);
    expect(made.reduce((n, r) => n + (r.count ?? 0), 0)).toBe(plan.recipients);

    for (const t of (await h.rt.storage.campaigns.get(M, campaignId))!.tasks) {
      expect((await control('groupmsg-confirm', { merchantId: M, msgid: t.msgid })).status).toBe(200);
    }
    await cliJson('jobs', 'run-due', '--at', new Date(Math.max(sendAt, Date.now()) + 11 * 60_000).toISOString());
    const after = (await h.rt.storage.campaigns.get(M, campaignId))!;
    expect(after.status).toBe('sent');
    const stats = campaignStats(await h.rt.storage.campaigns.recipientCounts(M, campaignId), 1);
    expect(stats.confirmed).toBe(plan.recipients);
    expect(stats.delivered + stats.failed).toBe(plan.recipients);
    expect(stats.delivered).toBeGreaterThan(0);
  }, 60_000);

  it('never plans a customer again after they said 退订', async () => {
    const someone = (await h.rt.storage.campaigns.listRecipients(M, campaignId, { limit: 1, status: 'sent' })).items[0]!;
    // this host's clock is a ManualClock: let product time pass (the fragment window is on it)
    const ticking = setInterval(() => h.clock.advance(50), 50);
    const reply = await cliJson('simulate', '--merchant', M, '--customer', someone.externalUserId, '--text', '退订').finally(() => clearInterval(ticking));
    // the shop says it took, in so many words
    expect(JSON.stringify(reply)).toContain('以后不再给您发活动消息');
    expect((await h.rt.storage.customers.get(M, someone.externalUserId))!.optedOutAt).toBeDefined();
    const again = await cliJson('campaign', 'plan', '--merchant', M, '--audience', JSON.stringify(AUDIENCE));
    expect(again.excluded).toContainEqual({ reason: 'optedOut', count: 1 });
    expect((await h.rt.storage.campaigns.listRecipients(M, again.campaignId, { limit: 1000 })).items.map((r) => r.externalUserId)).not.toContain(someone.externalUserId);
  }, 60_000);

  it('the dormant follow-up: previews the right people, sends only once turned on, and each of them once in its period', async () => {
    const tz = 'Asia/Shanghai';
    const today = dayOf(Date.now(), tz);
    const lastDay = addDays(today, 6);
    const before = (await cliJson('followups', 'preview', '--merchant', M)).followups.find((f: { kind: string }) => f.kind === 'dormant');
    // the milk-tea default is no purchase in 30 days: who is (or becomes) that this week, counted here from the customers
    const dormantOn = async (d: string) =>
      (await h.rt.storage.customers.list(M, { limit: 1000 })).items.filter(
        (c) => !c.lost && c.optedOutAt === undefined && c.orderCount > 0 && c.lastOrderAt !== undefined && c.lastOrderAt < startOfDay(d, tz) - 29 * 86_400_000,
      );
    const week = await dormantOn(lastDay);
    expect(week.length).toBeGreaterThan(0);
    expect(before).toMatchObject({ enabled: false, count: week.length });
    const weekIds = new Set(week.map((c) => c.externalUserId));
    expect(before.sample.every((x: { externalUserId: string }) => weekIds.has(x.externalUserId))).toBe(true);

    const tasksBefore = (await templates()).length;
    const at = (day: string) => new Date(startOfDay(day, tz) + 10 * 3_600_000 + 60_000).toISOString();
    // off: its day comes and goes, nothing is sent
    await cliJson('jobs', 'run-due', '--at', at(lastDay));
    expect((await templates()).length).toBe(tasksBefore);
    expect(await h.rt.storage.campaigns.get(M, `fu-dormant-${lastDay}`)).toBeNull();

    await saveFollowup(h.rt.deps, M, 'dormant', { enabled: true });
    const day = addDays(today, 7);
    await cliJson('jobs', 'run-due', '--at', at(day));
    const made = (await templates()).slice(tasksBefore);
    expect(made.every((t) => t.count === 1)).toBe(true);
    const run = (await h.rt.storage.campaigns.get(M, `fu-dormant-${day}`))!;
    const firstIds = (await h.rt.storage.campaigns.listRecipients(M, run.id, { limit: 1000 })).items.map((r) => r.externalUserId);
    expect(new Set(firstIds).size).toBe(firstIds.length);
    // its first day on (its 10:00 today had passed while it was off): everyone dormant by then
    const due = await dormantOn(day);
    const viaMember = due.filter((c) => c.followUserId === 'XiaoMan' || c.followUserId === 'ZhangYu');
    expect(made).toHaveLength(viaMember.length);
    for (const c of viaMember) expect(firstIds).toContain(c.externalUserId);
    expect(firstIds.every((id) => due.some((c) => c.externalUserId === id))).toBe(true);

    // the next day, twice: nobody who got it gets it again for the same dormancy
    const next = addDays(day, 1);
    await cliJson('jobs', 'run-due', '--at', at(next));
    await cliJson('jobs', 'run-due', '--at', at(next));
    const second = await h.rt.storage.campaigns.get(M, `fu-dormant-${next}`);
    const secondIds = second ? (await h.rt.storage.campaigns.listRecipients(M, second.id, { limit: 1000 })).items.map((r) => r.externalUserId) : [];
    expect(secondIds.filter((id) => firstIds.includes(id))).toEqual([]);
  }, 60_000);
});
