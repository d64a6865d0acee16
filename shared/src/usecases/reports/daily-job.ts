import { Day } from '../../domain/ids';
import type { Merchant } from '../../domain/merchant';
import { reportSettingsOf, type Report } from '../../domain/report';
import type { Deps } from '../../ports/deps';
import type { JobDefinition } from '../scheduling/scheduler';
import { buildDaily, loadDailyInput, type DailyDetails, type DailyNumbers } from './daily';
import { dailyCard, dailyMarkdown, dailyText, type DailyView } from './daily-text';
import { outcomeStates, pushBesideApp, throwIfFailed } from './channels';
import { saveChannelStates } from './channel-states';
import { pushReport, reportLink, type PushEnv, type PushMessage } from './push';
import { reportSummary } from './subscribe-data';
import { DAILY_REPORT_KIND, planDailyReports } from './schedule';

/** The day's report as of now: numbers, lists and the text (not stored). */
export async function computeDaily(deps: Deps, merchant: Merchant, day: Day): Promise<{ numbers: DailyNumbers; details: DailyDetails; text: string; builtAt: number }> {
  const { numbers, details } = buildDaily(await loadDailyInput(deps, merchant, day));
  const text = dailyText({ merchantName: merchant.name, day, numbers, details, showRevenue: true });
  return { numbers, details, text, builtAt: deps.clock.now() };
}

/** The day's report as it would be stored, not yet pushed (the scheduled job and the test push build it alike). */
export async function buildDailyReport(deps: Deps, merchant: Merchant, day: Day): Promise<Report> {
  const built = await computeDaily(deps, merchant, day);
  return {
    merchantId: merchant.id,
    kind: 'daily',
    date: day,
    numbers: built.numbers as unknown as Record<string, unknown>,
    details: built.details as unknown as Record<string, unknown>,
    text: built.text,
    builtAt: built.builtAt,
    push: { state: 'pending', to: [], attempts: 0 },
    rev: 1,
  };
}

/**
 * The stored report of `day`, built and stored the first time (insert-only: two runners store
 * one). Once stored it never changes but for its push state: what was sent stays what it says.
 */
export async function ensureDailyReport(deps: Deps, merchant: Merchant, day: Day): Promise<Report> {
  const stored = await deps.storage.reports.get(merchant.id, 'daily', day);
  if (stored) return stored;
  const report = await buildDailyReport(deps, merchant, day);
  if (await deps.storage.reports.put(report, null)) return report;
  return (await deps.storage.reports.get(merchant.id, 'daily', day))!;
}

export function dailyViewOf(report: Report, merchant: Pick<Merchant, 'name'>, showRevenue: boolean): DailyView {
  return {
    merchantName: merchant.name,
    day: report.date,
    numbers: report.numbers as unknown as DailyNumbers,
    details: report.details as unknown as DailyDetails,
    showRevenue,
  };
}

/** The push in the shop's format; a card needs a link, so without one it is markdown. */
export function composeDailyMessage(report: Report, merchant: Merchant, appUrl: string | undefined): PushMessage {
  const view = dailyViewOf(report, merchant, true);
  const url = reportLink(appUrl, merchant.id, 'daily', report.date);
  const format = reportSettingsOf(merchant).format;
  if (format === 'textcard' && url) {
    const card = dailyCard(view, url);
    return { msgtype: 'textcard', title: card.title, content: card.description, url };
  }
  if (format === 'text') return { msgtype: 'text', content: url ? `${report.text}\n看完整报表：${url}` : report.text };
  return { msgtype: 'markdown', content: dailyMarkdown(view, url), ...(url ? { url } : {}) };
}

/** `report:daily:<merchant>:<day>`: build and store the day's report once, then push it once. */
export function createDailyReportJob(env: PushEnv): JobDefinition {
  return {
    kind: DAILY_REPORT_KIND,
    when: "daily at each shop's report time (default 21:00, its time zone)",
    plan: planDailyReports,
    async run(job, deps) {
      const day = Day.parse(job.payload.day);
      const merchant = await deps.storage.merchants.get(job.merchantId);
      if (!merchant) return { day, push: 'skipped', reason: 'no_merchant' };
      const report = await ensureDailyReport(deps, merchant, day);
      const channels = reportSettingsOf(merchant).channels;
      // the robot and the subscribe message first: both are idempotent under the report's key, so an app send that throws and reruns the job adds nothing
      const message = report.push.message ?? composeDailyMessage(report, merchant, env.appUrl?.());
      const others = await pushBesideApp({ deps, ...env }, merchant, message, { dedupeKey: `daily:${day}`, summary: reportSummary(report, merchant, deps.clock.now()) });
      const withStates = await saveChannelStates(deps, report, others);
      if (!channels.includes('app')) {
        throwIfFailed(others);
        return { day, push: 'off', ...outcomeStates(others) };
      }
      const push = await pushReport(deps, env, merchant, withStates, () => composeDailyMessage(withStates, merchant, env.appUrl?.()));
      throwIfFailed(others);
      return { day, push: push.state, ...(push.reason ? { reason: push.reason } : {}), ...outcomeStates(others) };
    },
  };
}
