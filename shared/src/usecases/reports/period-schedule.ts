import type { Day } from '../../domain/ids';
import type { Merchant } from '../../domain/merchant';
import { addDays, dayOf, weekStart } from '../../domain/time';
import type { NewJob } from '../../ports/storage';
import { DAILY_REPORT_ATTEMPTS, localTimeAt, ON_TIME_MS } from './schedule';

/**
 * When weekly and monthly reports are due (issue 12 §3, §6), in the shop's time zone:
 * - weekly: Monday 09:00, about the week that ended the day before; key
 *   `report:weekly:<merchant>:<that week's Monday>` (the report's date is its period's first day);
 * - monthly: the 5th at 09:00, about the month before; key `report:monthly:<merchant>:<YYYY-MM of that month>`.
 * As with the daily report, only the latest slot is planned (a scheduler that was down catches
 * up once), and a catch-up of a slot from before the shop existed is not planned at all.
 */
export const WEEKLY_REPORT_KIND = 'report.weekly';
export const MONTHLY_REPORT_KIND = 'report.monthly';
export const PERIOD_REPORT_AT = '09:00';
export const weeklyReportKey = (merchantId: string, monday: Day) => `report:weekly:${merchantId}:${monday}`;
export const monthlyReportKey = (merchantId: string, month: string) => `report:monthly:${merchantId}:${month}`;

type Shop = Pick<Merchant, 'timezone' | 'createdAt'>;

const kept = (at: number, now: number, m: Shop) => at >= m.createdAt || now - at < ON_TIME_MS;

/** The latest Monday 09:00 at or before `now`, and the Monday of the week it reports on. */
export function latestWeeklySlot(now: number, m: Shop): { week: Day; at: number } | null {
  let monday = weekStart(dayOf(now, m.timezone));
  let at = localTimeAt(monday, PERIOD_REPORT_AT, m.timezone);
  if (at > now) {
    monday = addDays(monday, -7);
    at = localTimeAt(monday, PERIOD_REPORT_AT, m.timezone);
  }
  return kept(at, now, m) ? { week: addDays(monday, -7), at } : null;
}

/** The month before `month` (YYYY-MM). */
export function previousMonth(month: string): string {
  const [y, mo] = month.split('-').map(Number);
  return mo === 1 ? `${y! - 1}-12` : `${y}-${String(mo! - 1).padStart(2, '0')}`;
}

/** The last day of `month` (YYYY-MM). */
export function lastDayOf(month: string): Day {
  const [y, mo] = month.split('-').map(Number);
  return `${month}-${String(new Date(Date.UTC(y!, mo!, 0)).getUTCDate()).padStart(2, '0')}`;
}

/** The latest 5th 09:00 at or before `now`, and the month (YYYY-MM) it reports on. */
export function latestMonthlySlot(now: number, m: Shop): { month: string; at: number } | null {
  let sendMonth = dayOf(now, m.timezone).slice(0, 7);
  let at = localTimeAt(`${sendMonth}-05`, PERIOD_REPORT_AT, m.timezone);
  if (at > now) {
    sendMonth = previousMonth(sendMonth);
    at = localTimeAt(`${sendMonth}-05`, PERIOD_REPORT_AT, m.timezone);
  }
  return kept(at, now, m) ? { month: previousMonth(sendMonth), at } : null;
}

export function planWeeklyReports(now: number, merchants: Merchant[]): NewJob[] {
  return merchants.flatMap((m) => {
    const slot = latestWeeklySlot(now, m);
    if (!slot) return [];
    return [
      { key: weeklyReportKey(m.id, slot.week), merchantId: m.id, kind: WEEKLY_REPORT_KIND, runAt: slot.at, payload: { week: slot.week }, maxAttempts: DAILY_REPORT_ATTEMPTS },
    ];
  });
}

export function planMonthlyReports(now: number, merchants: Merchant[]): NewJob[] {
  return merchants.flatMap((m) => {
    const slot = latestMonthlySlot(now, m);
    if (!slot) return [];
    return [
      { key: monthlyReportKey(m.id, slot.month), merchantId: m.id, kind: MONTHLY_REPORT_KIND, runAt: slot.at, payload: { month: slot.month }, maxAttempts: DAILY_REPORT_ATTEMPTS },
    ];
  });
}
