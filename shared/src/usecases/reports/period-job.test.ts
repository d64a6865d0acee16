import { newJob, type Job } from '../../domain/job';
import type { ManualClock } from '../../domain/time';
import type { ChartRenderer, TrendChartInput } from '../../ports/chart';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { FakeWecomApi } from '../../testing/fake-wecom-api';
import { count } from './counters';
import { createMerchant } from '../shop/merchants';
import { ensureLocalMember } from '../shop/members';
import { createMonthlyReportJob, createWeeklyReportJob } from './period-job';
import { showPeriodReport } from './period-show';

const sh = (local: string) => Date.parse(`${local}+08:00`);
const CORP = { corpId: 'wx5823bf96d3bd56c7', token: 'QDG6eK', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const MON = '2026-11-16';

/** Records what it was asked to draw; a "PNG" of fixed bytes (the real renderer has its own tests). */
class RecordingCharts implements ChartRenderer {
  drawn: TrendChartInput[] = [];
  fail = false;
  async renderTrend(input: TrendChartInput) {
    if (this.fail) throw new Error('resvg binary missing');
    this.drawn.push(input);
    return { png: new Uint8Array([0x89, 0x50, 0x4e, 0x47]), width: 1500, height: 840 };
  }
}

let deps: Deps & { clock: ManualClock };
let fake: FakeWecomApi;
let charts: RecordingCharts;
const weeklyJob = (attempts = 1): Job => ({
  ...newJob({ key: `report:weekly:shop:${MON}`, merchantId: 'shop', kind: 'report.weekly', runAt: 0, payload: { week: MON } }, 0),
  attempts,
});
const monthlyJob = (): Job => ({
  ...newJob({ key: 'report:monthly:shop:2026-11', merchantId: 'shop', kind: 'report.monthly', runAt: 0, payload: { month: '2026-11' } }, 0),
  attempts: 1,
});
const sends = () => fake.callsTo('message/send').map((c) => c.req as Record<string, any>);

beforeEach(async () => {
  deps = testDeps(sh(`${MON}T10:00:00`));
  await createMerchant(deps, { id: 'shop', name: '阿香奶茶', ...CORP, agentId: 1000002, appSecret: 'app-secret' });
  const owner = await ensureLocalMember(deps, 'shop', 'owner');
  await deps.storage.members.save({ ...owner, wecomUserId: 'LaoBan' });
  fake = new FakeWecomApi();
  charts = new RecordingCharts();
  const m = (await deps.storage.merchants.get('shop'))!;
  await count(deps, m, [
    { name: 'consultations', at: sh(`${MON}T11:00:00`), eventId: 'c1', amount: 3 },
    { name: 'consultations', at: sh('2026-11-20T11:00:00'), eventId: 'c2', amount: 4 },
    { name: 'aiAnswered', at: sh('2026-11-20T11:00:00'), eventId: 'a1', amount: 9 },
    { name: 'aiHandoffs', at: sh('2026-11-20T11:00:00'), eventId: 'h1' },
  ]);
  deps.clock.set(sh('2026-11-23T09:00:00'));
});
afterEach(() => deps.storage.close());

describe('weekly report job', () => {
  it('pushes the chart (upload + image message) and the text once, however often it runs', async () => {
    const job = createWeeklyReportJob({ wecom: fake, appUrl: () => 'https://xiaoer.example.com', charts });
    expect(await job.run(weeklyJob(), deps)).toEqual({ date: MON, push: 'sent', chart: 'sent' });
    expect(await job.run(weeklyJob(2), deps)).toEqual({ date: MON, push: 'sent', chart: 'sent' });
    expect(fake.callsTo('media/upload')).toHaveLength(1);
    expect(fake.callsTo('media/upload')[0]!.req).toMatchObject({ kind: 'app', type: 'image' });
    const sent = sends();
    expect(sent.map((r) => r.msgtype)).toEqual(['image', 'textcard']);
    expect(sent[0]).toMatchObject({ touser: 'LaoBan', image: { media_id: expect.any(String) } });
    expect(sent[1]!.textcard.url).toBe(`https://xiaoer.example.com/#/sub/report/index?merchant=shop&kind=weekly&date=${MON}`);
    expect(sent[1]!.textcard.description).toContain('AI 回答率 90%');
    // no orders yet: consultations alone, Monday first
    expect(charts.drawn).toHaveLength(1);
    expect(charts.drawn[0]!.series).toEqual([{ name: '咨询人数', unit: 'count', values: [3, 0, 0, 0, 4, 0, 0] }]);
    const stored = await deps.storage.reports.get('shop', 'weekly', MON);
    expect(stored?.details.chart).toMatchObject({ state: 'sent', width: 1500, height: 840, bytes: 4 });
    expect(stored?.numbers).toMatchObject({ consultations: 7, aiAnswered: 9, aiHandoffs: 1 });
  });

  it('a failed image send is retried by the ledger and then sends the text; the text is never sent before the image', async () => {
    fake.failNext('message/send', -1);
    const job = createWeeklyReportJob({ wecom: fake, charts });
    await expect(job.run(weeklyJob(), deps)).rejects.toMatchObject({ errcode: -1 });
    expect((await deps.storage.reports.get('shop', 'weekly', MON))?.details.chart).toMatchObject({ state: 'failed', reason: 'wecom_-1' });
    expect(sends()).toHaveLength(0);
    expect(await job.run(weeklyJob(2), deps)).toMatchObject({ push: 'sent', chart: 'sent' });
    expect(sends().map((r) => r.msgtype)).toEqual(['image', 'markdown']);
  });

  it('without a renderer (or when it fails) the text still goes, and says nothing is wrong', async () => {
    expect(await createWeeklyReportJob({ wecom: fake }).run(weeklyJob(), deps)).toEqual({ date: MON, push: 'sent', chart: 'none' });
    expect(sends().map((r) => r.msgtype)).toEqual(['markdown']);
    charts.fail = true;
    const other = { ...weeklyJob(), key: 'report:weekly:shop:2026-11-09', payload: { week: '2026-11-09' } };
    expect(await createWeeklyReportJob({ wecom: fake, charts }).run(other, deps)).toMatchObject({ push: 'sent', chart: 'none' });
    expect((await deps.storage.reports.get('shop', 'weekly', '2026-11-09'))?.details.chart).toMatchObject({ state: 'none', reason: 'render' });
  });

  it('shows the week (any day names it): the finished week as stored, the running week live, a future week 404', async () => {
    await createWeeklyReportJob({ wecom: fake, charts }).run(weeklyJob(), deps);
    const m = (await deps.storage.merchants.get('shop'))!;
    await count(deps, m, [{ name: 'consultations', at: sh('2026-11-21T11:00:00'), eventId: 'late' }]);
    expect(await showPeriodReport(deps, 'shop', 'weekly', '2026-11-19', 'owner')).toMatchObject({ date: MON, live: false, numbers: { consultations: 7 }, push: { state: 'sent' } });
    expect(await showPeriodReport(deps, 'shop', 'weekly', '2026-11-24', 'owner')).toMatchObject({ date: '2026-11-23', live: true, push: null });
    await expect(showPeriodReport(deps, 'shop', 'weekly', '2026-12-01', 'owner')).rejects.toMatchObject({ code: 'NOT_FOUND.REPORT', status: 404 });
    const staff = await showPeriodReport(deps, 'shop', 'weekly', MON, 'staff');
    expect(staff.numbers).toMatchObject({ revenueFen: null, dailyRevenueFen: null, weekBefore: { revenueFen: null } });
    expect(staff.text).not.toContain('营业额');
  });
});

describe('monthly report job', () => {
  it('stores the month with its health score and three suggestions, and pushes the text once', async () => {
    deps.clock.set(sh('2026-12-05T09:00:00'));
    const job = createMonthlyReportJob({ wecom: fake });
    expect(await job.run(monthlyJob(), deps)).toEqual({ date: '2026-11-01', push: 'sent' });
    expect(await job.run(monthlyJob(), deps)).toEqual({ date: '2026-11-01', push: 'sent' });
    expect(sends().map((r) => r.msgtype)).toEqual(['markdown']);
    expect(fake.callsTo('media/upload')).toHaveLength(0);
    const stored = (await deps.storage.reports.get('shop', 'monthly', '2026-11-01'))!;
    expect(stored.numbers).toMatchObject({ month: '2026-11', consultations: 7, health: { parts: { aiCoverage: 18 } } });
    expect(stored.details.suggestions).toHaveLength(3);
    expect(sends()[0]!.markdown.content).toContain('经营健康分');
    expect(await showPeriodReport(deps, 'shop', 'monthly', '2026-11-30', 'owner')).toMatchObject({ date: '2026-11-01', live: false });
  });
});
