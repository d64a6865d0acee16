import { newJob, type Job } from '../../domain/job';
import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import type { Storage } from '../../ports/storage';
import { testDeps } from '../../../../test/helpers/deps';
import { FakeWecomApi } from '../../testing/fake-wecom-api';
import { count } from './counters';
import { createMerchant } from '../shop/merchants';
import { ensureLocalMember } from '../shop/members';
import { recordUnanswered } from '../knowledge/teach';
import { computeDaily, createDailyReportJob, ensureDailyReport } from './daily-job';
import { showDailyReport } from './show';

const sh = (local: string) => Date.parse(`${local}+08:00`);
const CORP = { corpId: 'wx5823bf96d3bd56c7', token: 'QDG6eK', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const DAY = '2026-11-20';

let deps: Deps & { clock: ManualClock };
let fake: FakeWecomApi;
const env = () => ({ wecom: fake, appUrl: () => 'https://xiaoer.example.com' });
const ledgerJob = (attempts = 1): Job => ({
  ...newJob({ key: `report:daily:shop:${DAY}`, merchantId: 'shop', kind: 'report.daily', runAt: 0, payload: { day: DAY } }, 0),
  attempts,
});
const sends = () => fake.callsTo('message/send');

beforeEach(async () => {
  deps = testDeps(sh(`${DAY}T10:00:00`));
  await createMerchant(deps, { id: 'shop', name: '阿香奶茶', ...CORP, agentId: 1000002, appSecret: 'app-secret' });
  const owner = await ensureLocalMember(deps, 'shop', 'owner');
  await deps.storage.members.save({ ...owner, wecomUserId: 'LaoBan' });
  fake = new FakeWecomApi();
  const m = (await deps.storage.merchants.get('shop'))!;
  await count(deps, m, [
    { name: 'consultations', at: sh(`${DAY}T11:00:00`), eventId: 'c1' },
    { name: 'customerMessages', at: sh(`${DAY}T11:00:00`), eventId: 'm1', amount: 7 },
    { name: 'aiAnswered', at: sh(`${DAY}T11:00:00`), eventId: 'a1', amount: 5 },
    { name: 'aiHandoffs', at: sh(`${DAY}T11:00:00`), eventId: 'h1' },
    { name: 'newCustomers', at: sh(`${DAY}T11:00:00`), eventId: 'n1', amount: 2 },
  ]);
  deps.clock.set(sh(`${DAY}T21:00:00`));
});
afterEach(() => deps.storage.close());

describe('daily report job', () => {
  it('a job that runs twice sends once (the push state is on the stored report, not only in the ledger)', async () => {
    const job = createDailyReportJob(env());
    expect(await job.run(ledgerJob(), deps)).toEqual({ day: DAY, push: 'sent' });
    // the ledger lost the row (or a stray runner): the stored report says it was sent
    expect(await job.run(ledgerJob(2), deps)).toEqual({ day: DAY, push: 'sent' });
    expect(sends()).toHaveLength(1);
    const req = sends()[0]!.req as Record<string, any>;
    expect(req).toMatchObject({ touser: 'LaoBan', msgtype: 'textcard', enable_duplicate_check: 1, duplicate_check_interval: 14_400 });
    expect(req.textcard.url).toBe(`https://xiaoer.example.com/#/sub/report/index?merchant=shop&kind=daily&date=${DAY}`);
    const stored = await deps.storage.reports.get('shop', 'daily', DAY);
    expect(stored?.push).toMatchObject({ state: 'sent', to: ['LaoBan'], attempts: 1, message: { msgtype: 'textcard', content: req.textcard.description } });
  });

  it('after a run died mid-send, sends the stored message again with WeCom’s duplicate check on', async () => {
    const m = (await deps.storage.merchants.get('shop'))!;
    const report = await ensureDailyReport(deps, m, DAY);
    const message = { msgtype: 'markdown' as const, content: '**阿香奶茶 日报**' };
    await deps.storage.reports.put({ ...report, push: { state: 'sending', to: ['LaoBan'], attempts: 1, message }, rev: 2 }, 1);
    // the counters moved on since: the push still carries what was stored
    await count(deps, m, [{ name: 'consultations', at: sh(`${DAY}T20:59:00`), eventId: 'c2' }]);
    await createDailyReportJob(env()).run(ledgerJob(2), deps);
    expect(sends().map((c) => c.req)).toEqual([expect.objectContaining({ msgtype: 'markdown', markdown: { content: message.content }, enable_duplicate_check: 1 })]);
    expect((await deps.storage.reports.get('shop', 'daily', DAY))?.numbers).toMatchObject({ consultations: 1 });
  });

  it('skips (and says why) when nobody can receive it or the self-built app is missing', async () => {
    const owner = (await deps.storage.members.get('shop', 'local-owner'))!;
    await deps.storage.members.save({ ...owner, wecomUserId: undefined });
    expect(await createDailyReportJob(env()).run(ledgerJob(), deps)).toEqual({ day: DAY, push: 'skipped', reason: 'no_recipients' });
    const m = (await deps.storage.merchants.get('shop'))!;
    await deps.storage.merchants.save({ ...m, wecom: { ...m.wecom, agentId: undefined } });
    expect(await createDailyReportJob(env()).run({ ...ledgerJob(), payload: { day: '2026-11-19' } }, deps)).toEqual({ day: '2026-11-19', push: 'skipped', reason: 'no_app' });
    expect(sends()).toHaveLength(0);
    expect((await deps.storage.reports.get('shop', 'daily', DAY))?.push.detail).toContain('企业微信账号');
  });

  it('without an app address, pushes markdown that says where to look instead of a card', async () => {
    await createDailyReportJob({ wecom: fake }).run(ledgerJob(), deps);
    const req = sends()[0]!.req as { msgtype: string; markdown: { content: string } };
    expect(req.msgtype).toBe('markdown');
    expect(req.markdown.content).toContain('打开店小二');
  });
});

describe('daily report reads', () => {
  it("reports the counters' numbers with a fixed number of bounded storage calls (no scan)", async () => {
    const calls: string[] = [];
    const counting = new Proxy(deps.storage, {
      get(target, repo: keyof Storage) {
        const r = target[repo] as unknown as Record<string, unknown>;
        if (typeof r !== 'object' || r === null) return r;
        return new Proxy(r, {
          get(t, method: string) {
            const f = t[method];
            return typeof f === 'function' ? (...a: unknown[]) => (calls.push(`${String(repo)}.${method}`), (f as (...x: unknown[]) => unknown).apply(t, a)) : f;
          },
        });
      },
    });
    const m = (await deps.storage.merchants.get('shop'))!;
    const built = await computeDaily({ ...deps, storage: counting }, m, DAY);
    const counters = (await deps.storage.counters.days('shop', DAY, DAY))[DAY]!;
    expect(built.numbers).toMatchObject({
      revenueFen: counters.revenueFen,
      orders: counters.orders,
      newCustomers: 2,
      consultations: 1,
      customerMessages: 7,
      aiAnswered: 5,
      aiHandoffs: 1,
      aiAnswerRate: 5 / 6,
      hasOrders: false,
    });
    // no order counted that day: no order read but (the shop has none that week) one look for any at all
    expect(calls.sort()).toEqual(['conversations.countByState', 'counters.days', 'knowledge.listProducts', 'kv.list', 'orders.listPlacedBetween']);

    // a day with orders reads them (once, bounded); a day with more than one read takes reads none
    const placed = { merchantId: 'shop', amountFen: 1800, paidFen: 1800, status: 'paid' as const, rev: 1, items: [{ sku: 'T1', name: '杨枝甘露', qty: 2, priceFen: 900 }] };
    await deps.storage.orders.put({ ...placed, id: 'o1', placedAt: sh(`${DAY}T12:00:00`), updatedAt: sh(`${DAY}T12:00:00`) }, null);
    await count(deps, m, [{ name: 'orders', at: sh(`${DAY}T12:00:00`), eventId: 'o1' }]);
    calls.length = 0;
    expect((await computeDaily({ ...deps, storage: counting }, m, DAY)).details).toMatchObject({ topSellers: [{ name: '杨枝甘露', qty: 2 }], topSellersOmitted: false });
    expect(calls.filter((c) => c.startsWith('orders.'))).toEqual(['orders.listPlacedBetween']);
    await count(deps, m, [{ name: 'orders', at: sh(`${DAY}T12:00:00`), eventId: 'busy', amount: 600 }]);
    calls.length = 0;
    expect((await computeDaily({ ...deps, storage: counting }, m, DAY)).details).toMatchObject({ topSellers: [], topSellersOmitted: true });
    expect(calls.filter((c) => c.startsWith('orders.'))).toEqual([]);
  });

  it("shows today's report recomputed now even after it was sent, an earlier day as stored", async () => {
    const m = (await deps.storage.merchants.get('shop'))!;
    await createDailyReportJob(env()).run(ledgerJob(), deps);
    await count(deps, m, [{ name: 'consultations', at: sh(`${DAY}T21:30:00`), eventId: 'c-late' }]);
    await recordUnanswered(deps, {
      merchantId: 'shop',
      conversationId: 'conv-9',
      externalUserId: 'wm9',
      question: '能开发票吗',
      reason: 'handoff:unknown',
      askedAt: sh(`${DAY}T21:40:00`),
    });
    deps.clock.set(sh(`${DAY}T22:00:00`));
    const today = await showDailyReport(deps, 'shop', DAY, 'owner');
    expect(today).toMatchObject({ kind: 'daily', date: DAY, live: true, numbers: { consultations: 2 }, push: { state: 'sent' } });
    expect(today.text).toContain('能开发票吗');
    expect(today.text).toContain('营业额：接入订单后这里显示营业额');
    // the next day, the 20th is what was stored and sent
    deps.clock.set(sh('2026-11-21T09:00:00'));
    const stored = await showDailyReport(deps, 'shop', DAY, 'owner');
    expect(stored).toMatchObject({ live: false, numbers: { consultations: 1 } });
    expect(stored.text).not.toContain('能开发票吗');
    // a day nothing was stored for is computed, and not stored by reading it
    expect(await showDailyReport(deps, 'shop', '2026-11-19', 'owner')).toMatchObject({ live: true, push: null, numbers: { consultations: 0 } });
    expect(await deps.storage.reports.get('shop', 'daily', '2026-11-19')).toBeNull();
    await expect(showDailyReport(deps, 'shop', '2026-11-25', 'owner')).rejects.toMatchObject({ code: 'NOT_FOUND.REPORT', status: 404 });
  });
});
