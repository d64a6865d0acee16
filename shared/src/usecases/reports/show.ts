import { AppError } from '../../domain/errors';
import type { Day } from '../../domain/ids';
import type { Role } from '../../domain/member';
import type { PushState, Report, ReportKind } from '../../domain/report';
import { dayOf } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { requireMerchant } from '../shop/require-merchant';
import type { DailyDetails, DailyNumbers, DayTotals } from './daily';
import { computeDaily, dailyViewOf } from './daily-job';
import { dailyText, headlineLines } from './daily-text';
import { monthlyText, type MonthlyDetails, type MonthlyNumbers } from './monthly';
import { weeklyText, type WeeklyDetails, type WeeklyNumbers } from './weekly';
import { channelStatesOf, type ChannelPushView } from './channel-states';

/**
 * Reading reports (the `report show` CLI, `reports.get` / `reports.list`). Today's report is
 * always recomputed from the counters as they are now, even after it was pushed; an earlier day
 * shows what was stored (and sent), or is computed when nothing was stored for it.
 */

type Masked<T> = { [K in keyof T]: K extends 'revenueFen' ? number | null : T[K] extends DayTotals ? Masked<DayTotals> : T[K] };
export type ShownNumbers = Masked<DailyNumbers>;

export interface ShownReport {
  kind: ReportKind;
  date: Day;
  numbers: ShownNumbers;
  details: DailyDetails;
  text: string;
  builtAt: number;
  /** Computed for this answer (today, or a day nothing was stored for) rather than read from storage. */
  live: boolean;
  push: PushState | null;
  /** The robot's and the subscribe message's outcomes, when those channels were used. */
  channels: ChannelPushView[];
}

const hideRevenue = (t: DayTotals) => ({ ...t, revenueFen: null });

/** Staff see every number but revenue (as on 今日); the text is rendered again without it. */
function shown(report: Report, name: string, role: Role, live: boolean): ShownReport {
  const view = dailyViewOf(report, { name }, role === 'owner');
  const n = view.numbers;
  const numbers: ShownNumbers = role === 'owner' ? n : { ...n, revenueFen: null, dayBefore: hideRevenue(n.dayBefore), weekBefore: hideRevenue(n.weekBefore) };
  return {
    kind: report.kind,
    date: report.date,
    numbers,
    details: view.details,
    text: role === 'owner' ? report.text : dailyText(view),
    builtAt: report.builtAt,
    live,
    push: report.push.state === 'pending' && !report.push.attempts ? null : report.push,
    channels: channelStatesOf(report),
  };
}

export async function showDailyReport(deps: Deps, merchantId: string, date: Day, role: Role): Promise<ShownReport> {
  const m = await requireMerchant(deps, merchantId);
  const today = dayOf(deps.clock.now(), m.timezone);
  const stored = await deps.storage.reports.get(m.id, 'daily', date);
  if (stored && date !== today) return shown(stored, m.name, role, false);
  if (date > today && !stored) throw new AppError('NOT_FOUND.REPORT', '这一天还没到，还没有日报', 404);
  const built = await computeDaily(deps, m, date);
  const live: Report = {
    merchantId: m.id,
    kind: 'daily',
    date,
    numbers: built.numbers as unknown as Record<string, unknown>,
    details: built.details as unknown as Record<string, unknown>,
    text: built.text,
    builtAt: built.builtAt,
    // today's push, when it went out already, is still the one on record
    push: stored?.push ?? { state: 'pending', to: [], attempts: 0 },
    ...(stored?.channelPushes ? { channelPushes: stored.channelPushes } : {}),
    rev: 1,
  };
  return shown(live, m.name, role, true);
}

export interface ReportListItem {
  kind: ReportKind;
  date: Day;
  builtAt: number;
  /** The first headline line (daily: 营业额 … for owners; weekly: the same for the week; monthly: the health score). */
  headline: string;
  push: PushState['state'];
  /** Why a push failed or was skipped, or who did not get it (zh-CN); null when there is nothing to add. */
  pushDetail: string | null;
}

/** The headline of any stored report, with revenue only for owners. */
function headlineOf(r: Report, m: { name: string }, owner: boolean): string {
  if (r.kind === 'daily') return headlineLines(dailyViewOf(r, m, owner))[0] ?? '';
  // line 0 is the title (the list shows the period itself)
  const text =
    r.kind === 'weekly'
      ? weeklyText(m.name, r.numbers as unknown as WeeklyNumbers, r.details as unknown as WeeklyDetails, owner)
      : monthlyText(m.name, r.numbers as unknown as MonthlyNumbers, r.details as unknown as MonthlyDetails, owner);
  return text.split('\n')[1] ?? '';
}

/**
 * Stored reports of one kind, newest first, a page at a time (`before`: the last date of the
 * previous page). Weekly and monthly reports are keyed by their period's first day.
 */
export async function listReports(
  deps: Deps,
  merchantId: string,
  kind: ReportKind,
  role: Role,
  page: { limit: number; before?: string },
): Promise<{ items: ReportListItem[]; nextBefore: string | null }> {
  const m = await requireMerchant(deps, merchantId);
  const rows = await deps.storage.reports.list(m.id, kind, page.limit + 1, page.before);
  const items = rows.slice(0, page.limit).map((r) => ({
    kind: r.kind,
    date: r.date,
    builtAt: r.builtAt,
    headline: headlineOf(r, m, role === 'owner'),
    push: r.push.state,
    pushDetail: r.push.detail ?? null,
  }));
  return { items, nextBefore: rows.length > page.limit ? items[items.length - 1]!.date : null };
}
