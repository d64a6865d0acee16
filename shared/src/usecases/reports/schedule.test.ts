import type { Merchant } from '../../domain/merchant';
import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { FakeWecomApi } from '../../testing/fake-wecom-api';
import { schedulerTick, type JobDefinition } from '../scheduling/scheduler';
import { createMerchant } from '../shop/merchants';
import { ensureLocalMember } from '../shop/members';
import { updateSettings } from '../shop/settings';
import { createDailyReportJob } from './daily-job';
import { latestDailySlot, localTimeAt, planDailyReports } from './schedule';

/** Shanghai wall-clock time as epoch ms. */
const sh = (local: string) => Date.parse(`${local}+08:00`);
const MIN = 60_000;
const CORP = { corpId: 'wx5823bf96d3bd56c7', token: 'QDG6eK', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const shop = (over: Partial<Merchant> = {}) => ({ timezone: 'Asia/Shanghai', createdAt: sh('2026-11-01T09:00:00'), ...over });

describe('daily report planner', () => {
  it("names the latest slot at the shop's report time in its time zone", () => {
    expect(latestDailySlot(sh('2026-11-22T21:00:00'), shop())).toEqual({ day: '2026-11-22', at: sh('2026-11-22T21:00:00') });
    expect(latestDailySlot(sh('2026-11-22T20:59:59'), shop())).toEqual({ day: '2026-11-21', at: sh('2026-11-21T21:00:00') });
    expect(latestDailySlot(sh('2026-11-23T03:00:00'), shop())).toEqual({ day: '2026-11-22', at: sh('2026-11-22T21:00:00') });
    const early = shop({ reports: { dailyAt: '08:30', format: 'textcard' } });
    expect(latestDailySlot(sh('2026-11-22T09:00:00'), early)).toEqual({ day: '2026-11-22', at: sh('2026-11-22T08:30:00') });
    // New York: 21:00 local is 02:00 UTC in winter and 01:00 UTC in summer (DST starts 2026-03-08)
    const ny = shop({ timezone: 'America/New_York', createdAt: 0 });
    expect(latestDailySlot(Date.parse('2026-03-07T02:30:00Z'), ny)).toEqual({ day: '2026-03-06', at: Date.parse('2026-03-07T02:00:00Z') });
    expect(latestDailySlot(Date.parse('2026-03-09T01:30:00Z'), ny)).toEqual({ day: '2026-03-08', at: Date.parse('2026-03-09T01:00:00Z') });
    expect(localTimeAt('2026-11-22', '21:00', 'Europe/London')).toBe(Date.parse('2026-11-22T21:00:00Z'));
  });

  it('never plans a catch-up of a slot before the shop existed; a tick on the slot itself is on time', () => {
    const fresh = shop({ createdAt: sh('2026-11-22T21:30:00') });
    // started at 21:30: the timer's next ticks find 21:00 behind them
    expect(latestDailySlot(sh('2026-11-22T21:31:00'), fresh)).toBeNull();
    expect(latestDailySlot(sh('2026-11-23T08:00:00'), fresh)).toBeNull();
    expect(latestDailySlot(sh('2026-11-23T21:00:00'), fresh)).toEqual({ day: '2026-11-23', at: sh('2026-11-23T21:00:00') });
    // `jobs run-due --at 21:00` asks for the 21:00 tick itself: on time, whenever the shop was made that day
    expect(latestDailySlot(sh('2026-11-22T21:00:00'), fresh)).toEqual({ day: '2026-11-22', at: sh('2026-11-22T21:00:00') });
    expect(latestDailySlot(sh('2026-11-22T21:01:00'), fresh)).toBeNull();
  });

  it('plans one job per shop with the deterministic key', () => {
    const merchants = [
      { ...shop(), id: 'a' },
      { ...shop({ timezone: 'Asia/Tokyo' }), id: 'b' },
    ] as Merchant[];
    const jobs = planDailyReports(sh('2026-11-22T21:00:00'), merchants);
    expect(jobs.map((j) => [j.key, j.runAt])).toEqual([
      ['report:daily:a:2026-11-22', sh('2026-11-22T21:00:00')],
      // 21:00 Shanghai is 22:00 in Tokyo: Tokyo's 21:00 an hour earlier
      ['report:daily:b:2026-11-22', sh('2026-11-22T20:00:00')],
    ]);
    expect(jobs[0]).toMatchObject({ merchantId: 'a', kind: 'report.daily', payload: { day: '2026-11-22' } });
  });
});

describe('daily report scheduling', () => {
  let deps: Deps & { clock: ManualClock };
  let fake: FakeWecomApi;
  let job: JobDefinition;
  const sends = () => fake.callsTo('message/send').map((c) => c.req as { touser: string; msgtype: string; textcard: { title: string } });

  beforeEach(async () => {
    deps = testDeps(sh('2026-11-20T10:00:00'));
    await createMerchant(deps, { id: 'shop', name: '阿香奶茶', ...CORP, agentId: 1000002, appSecret: 'app-secret' });
    const owner = await ensureLocalMember(deps, 'shop', 'owner');
    await deps.storage.members.save({ ...owner, wecomUserId: 'LaoBan' });
    fake = new FakeWecomApi();
    job = createDailyReportJob({ wecom: fake, appUrl: () => 'https://xiaoer.example.com' });
  });
  afterEach(() => deps.storage.close());

  it('pushes at the report time, once however often the scheduler ticks', async () => {
    deps.clock.set(sh('2026-11-20T20:59:00'));
    await schedulerTick(deps, [job]);
    expect(sends()).toHaveLength(0);
    deps.clock.set(sh('2026-11-20T21:00:00'));
    const [a, b] = await Promise.all([schedulerTick(deps, [job]), schedulerTick(deps, [job])]);
    for (let i = 0; i < 3; i++) {
      deps.clock.advance(MIN);
      await schedulerTick(deps, [job]);
    }
    expect(sends()).toHaveLength(1);
    expect(sends()[0]).toMatchObject({ touser: 'LaoBan', msgtype: 'textcard', textcard: { title: '阿香奶茶 11月20日 周五 日报' } });
    expect([...a.ran, ...b.ran]).toEqual([{ key: 'report:daily:shop:2026-11-20', status: 'done' }]);
    expect(await deps.storage.jobs.get('report:daily:shop:2026-11-20')).toMatchObject({ status: 'done', result: { day: '2026-11-20', push: 'sent' } });
  });

  it('catches a missed report up once after being down for days, not once per day', async () => {
    deps.clock.set(sh('2026-11-20T21:00:00'));
    await schedulerTick(deps, [job]);
    deps.clock.set(sh('2026-11-23T08:00:00')); // down from the 20th's report to the 23rd's morning
    await schedulerTick(deps, [job]);
    await schedulerTick(deps, [job]);
    expect(sends().map((s) => s.textcard.title)).toEqual(['阿香奶茶 11月20日 周五 日报', '阿香奶茶 11月22日 周日 日报']);
  });

  it('a shop made after its report time gets its first report the next day; `at` moves only the tick', async () => {
    deps.clock.set(sh('2026-11-22T21:30:00'));
    await createMerchant(deps, { id: 'late', name: '晚开的店', ...CORP });
    const late = await ensureLocalMember(deps, 'late', 'owner');
    await deps.storage.members.save({ ...late, wecomUserId: 'Late' });
    const lateKeys = async () => (await deps.storage.jobs.list({ kind: 'report.daily', limit: 50 })).map((j) => j.key).filter((k) => k.includes(':late:'));
    for (let i = 0; i < 5; i++) {
      deps.clock.advance(MIN);
      await schedulerTick(deps, [job]);
    }
    expect(await lateKeys()).toEqual([]);
    // the next day, from a tick at a given time while the clock stays where it is
    const tick = await schedulerTick(deps, [job], { now: sh('2026-11-23T21:00:00') });
    expect(tick.ran).toContainEqual({ key: 'report:daily:late:2026-11-23', status: 'done' });
    expect(deps.clock.now()).toBe(sh('2026-11-22T21:35:00'));
    expect((await schedulerTick(deps, [job], { now: sh('2026-11-23T21:00:00') })).ran).toEqual([]);
  });

  it('follows the report time and recipients set in 推送设置', async () => {
    const staff = await ensureLocalMember(deps, 'shop', 'staff');
    await deps.storage.members.save({ ...staff, wecomUserId: 'XiaoLi' });
    await updateSettings(deps, 'shop', 'local-owner', { reports: { dailyAt: '22:30', recipients: ['local-owner', 'local-staff'], format: 'markdown' } });
    await expect(updateSettings(deps, 'shop', 'local-owner', { reports: { recipients: ['someone-else'] } })).rejects.toMatchObject({ code: 'INPUT.INVALID' });
    deps.clock.set(sh('2026-11-20T21:00:00'));
    await schedulerTick(deps, [job]);
    expect(sends()).toHaveLength(0);
    deps.clock.set(sh('2026-11-20T22:30:00'));
    await schedulerTick(deps, [job]);
    expect(sends()).toEqual([expect.objectContaining({ touser: 'LaoBan|XiaoLi', msgtype: 'markdown' })]);
    // null goes back to the default: the owners
    const m = await updateSettings(deps, 'shop', 'local-owner', { reports: { recipients: null } });
    expect(m.reports).toEqual({ dailyAt: '22:30', format: 'markdown' });
  });

  it('retries a failed push with backoff through the ledger, then sends it once, the same message', async () => {
    fake.failNext('message/send', -1);
    deps.clock.set(sh('2026-11-20T21:00:00'));
    const first = await schedulerTick(deps, [job]);
    expect(first.ran).toEqual([{ key: 'report:daily:shop:2026-11-20', status: 'failed', error: expect.any(String) }]);
    const report = await deps.storage.reports.get('shop', 'daily', '2026-11-20');
    expect(report?.push).toMatchObject({ state: 'failed', reason: 'wecom_-1', detail: '企业微信忙，稍后会自动再发', attempts: 1 });
    expect(await deps.storage.jobs.get('report:daily:shop:2026-11-20')).toMatchObject({ status: 'pending', runAt: sh('2026-11-20T21:00:30') });
    expect((await schedulerTick(deps, [job])).ran).toEqual([]);
    deps.clock.advance(30_000);
    expect((await schedulerTick(deps, [job])).ran).toEqual([{ key: 'report:daily:shop:2026-11-20', status: 'done' }]);
    const tries = fake.callsTo('message/send', false).map((c) => c.req);
    expect(tries).toHaveLength(2);
    expect(tries[1]).toEqual(tries[0]);
    expect(sends()).toHaveLength(1);
    expect((await deps.storage.reports.get('shop', 'daily', '2026-11-20'))?.push).toMatchObject({ state: 'sent', attempts: 2, to: ['LaoBan'] });
  });
});
