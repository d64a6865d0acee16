import { Day } from '../../domain/ids';
import type { Merchant } from '../../domain/merchant';
import { reportSettingsOf, type Report } from '../../domain/report';
import { addDays } from '../../domain/time';
import type { ChartRenderer } from '../../ports/chart';
import type { Deps } from '../../ports/deps';
import { utf8Length } from '../channel-wecom/msgid';
import type { JobDefinition } from '../scheduling/scheduler';
import { buildMonthly, monthlyMarkdown, monthlyText, monthlyTitle, type MonthlyDetails, type MonthlyNumbers } from './monthly';
import type { SuggestionWriter } from './monthly-model';
import { loadPeriodInput } from './period';
import { lastDayOf, MONTHLY_REPORT_KIND, planMonthlyReports, planWeeklyReports, previousMonth, WEEKLY_REPORT_KIND } from './period-schedule';
import { outcomeStates, pushBesideApp, throwIfFailed } from './channels';
import { saveChannelStates } from './channel-states';
import { pushChart } from './push-chart';
import { reportSummary } from './subscribe-data';
import { pushReport, reportLink, type PushEnv, type PushMessage } from './push';
import { buildWeekly, weeklyChart, weeklyMarkdown, weeklyText, weeklyTitle, type WeeklyDetails, type WeeklyNumbers } from './weekly';

/**
 * The weekly and monthly report jobs: build and store the period's report once (insert-only,
 * like the daily one), push the weekly chart as an image message once, then the text once —
 * on the app message, and on the robot (chart as base64 + md5, markdown ≤ 4096 bytes, through
 * its 20-a-minute queue) and the subscribe message (a short summary opening the report) when chosen.
 */
export interface PeriodPushEnv extends PushEnv {
  /** Draws the weekly chart; absent (functions without the renderer), the weekly goes as text only. */
  charts?: ChartRenderer;
  /** Writes the monthly suggestions with the model; absent (no model configured), the rules write them. */
  suggestions?: SuggestionWriter;
}

export type PeriodKind = 'weekly' | 'monthly';
interface Built {
  numbers: Record<string, unknown>;
  details: Record<string, unknown>;
  text: string;
  builtAt: number;
}

/** The week starting on Monday `monday`, computed now (not stored). */
export async function computeWeekly(deps: Deps, merchant: Merchant, monday: Day): Promise<Built & { numbers: WeeklyNumbers & Record<string, unknown> }> {
  const input = await loadPeriodInput(deps, merchant, monday, addDays(monday, 6), addDays(monday, -7));
  const { numbers, details } = buildWeekly(input);
  return { numbers: { ...numbers }, details: { ...details }, text: weeklyText(merchant.name, numbers, details), builtAt: deps.clock.now() };
}

/**
 * The month `month` (YYYY-MM), computed now (not stored). `writer`: only for the report that is
 * stored and sent — a live view recomputed on every look keeps the rule-based suggestions.
 */
export async function computeMonthly(
  deps: Deps,
  merchant: Merchant,
  month: string,
  writer?: SuggestionWriter,
): Promise<Built & { numbers: MonthlyNumbers & Record<string, unknown> }> {
  const input = await loadPeriodInput(deps, merchant, `${month}-01`, lastDayOf(month), `${previousMonth(month)}-01`);
  const built = buildMonthly(input);
  const { numbers } = built;
  let details: MonthlyDetails = built.details;
  if (writer) {
    const w = await writer.write(merchant, numbers, details.suggestions);
    details = { suggestions: w.suggestions, suggestionsBy: w.by, ...(w.fallback ? { suggestionsFallback: w.fallback } : {}) };
  }
  return { numbers: { ...numbers }, details: { ...details }, text: monthlyText(merchant.name, numbers, details), builtAt: deps.clock.now() };
}

/** `date`: the period's first day (a Monday, or a month's 1st). */
export function computePeriod(deps: Deps, merchant: Merchant, kind: PeriodKind, date: Day, writer?: SuggestionWriter): Promise<Built> {
  return kind === 'weekly' ? computeWeekly(deps, merchant, date) : computeMonthly(deps, merchant, date.slice(0, 7), writer);
}

/** The stored report of the period, built and stored the first time (two runners store one). */
export async function ensurePeriodReport(deps: Deps, merchant: Merchant, kind: PeriodKind, date: Day, writer?: SuggestionWriter): Promise<Report> {
  const stored = await deps.storage.reports.get(merchant.id, kind, date);
  if (stored) return stored;
  const built = await computePeriod(deps, merchant, kind, date, writer);
  const report: Report = { merchantId: merchant.id, kind, date, ...built, push: { state: 'pending', to: [], attempts: 0 }, rev: 1 };
  if (await deps.storage.reports.put(report, null)) return report;
  return (await deps.storage.reports.get(merchant.id, kind, date))!;
}

/** The text push in the shop's format (a card needs a link; its description ≤ 512 bytes). */
export function composePeriodMessage(report: Report, merchant: Merchant, appUrl: string | undefined): PushMessage {
  const url = reportLink(appUrl, merchant.id, report.kind, report.date);
  const format = reportSettingsOf(merchant).format;
  const weekly = report.kind === 'weekly';
  const n = report.numbers as unknown as WeeklyNumbers & MonthlyNumbers;
  if (format === 'textcard' && url) {
    const title = weekly ? weeklyTitle(merchant.name, n) : monthlyTitle(merchant.name, n.month);
    const lines = report.text.split('\n').slice(1);
    let description = '';
    for (const l of lines) {
      const next = description ? `${description}\n${l}` : l;
      if (utf8Length(next) > 500) break;
      description = next;
    }
    return { msgtype: 'textcard', title, content: description, url };
  }
  if (format === 'text') return { msgtype: 'text', content: url ? `${report.text}\n看完整报表：${url}` : report.text };
  const content = weekly
    ? weeklyMarkdown(merchant.name, n, report.details as unknown as WeeklyDetails, url)
    : monthlyMarkdown(merchant.name, n, report.details as unknown as MonthlyDetails, url);
  return { msgtype: 'markdown', content, ...(url ? { url } : {}) };
}

function createPeriodJob(kind: PeriodKind, env: PeriodPushEnv): JobDefinition {
  return {
    kind: kind === 'weekly' ? WEEKLY_REPORT_KIND : MONTHLY_REPORT_KIND,
    when: kind === 'weekly' ? "Mondays 09:00, each shop's time zone" : "the 5th of each month 09:00, each shop's time zone",
    plan: kind === 'weekly' ? planWeeklyReports : planMonthlyReports,
    async run(job, deps) {
      const date = kind === 'weekly' ? Day.parse(job.payload.week) : Day.parse(`${String(job.payload.month)}-01`);
      const merchant = await deps.storage.merchants.get(job.merchantId);
      if (!merchant) return { date, push: 'skipped', reason: 'no_merchant' };
      let report = await ensurePeriodReport(deps, merchant, kind, date, env.suggestions);
      // the robot (the chart as an image, then the markdown) and the subscribe message first: idempotent under the report's key
      const stored = report;
      const charts = kind === 'weekly' ? env.charts : undefined;
      const others = await pushBesideApp(
        { deps, ...env },
        merchant,
        composePeriodMessage(stored, { ...merchant, reports: { ...reportSettingsOf(merchant), format: 'markdown' } }, env.appUrl?.()),
        {
          dedupeKey: `${kind}:${date}`,
          summary: reportSummary(stored, merchant, deps.clock.now()),
          ...(charts ? { robotImage: async () => (await charts.renderTrend(weeklyChart(stored.numbers as unknown as WeeklyNumbers))).png } : {}),
        },
      );
      report = await saveChannelStates(deps, report, others);
      if (!reportSettingsOf(merchant).channels.includes('app')) {
        throwIfFailed(others);
        return { date, push: 'off', ...outcomeStates(others) };
      }
      let chart: string | undefined;
      if (kind === 'weekly') {
        const res = await pushChart(deps, env, merchant, report, () => weeklyChart(report.numbers as unknown as WeeklyNumbers));
        report = res.report;
        chart = res.chart;
      }
      const push = await pushReport(deps, env, merchant, report, () => composePeriodMessage(report, merchant, env.appUrl?.()));
      throwIfFailed(others);
      return { date, push: push.state, ...(push.reason ? { reason: push.reason } : {}), ...(chart ? { chart } : {}), ...outcomeStates(others) };
    },
  };
}

export const createWeeklyReportJob = (env: PeriodPushEnv) => createPeriodJob('weekly', env);
export const createMonthlyReportJob = (env: PeriodPushEnv) => createPeriodJob('monthly', env);
