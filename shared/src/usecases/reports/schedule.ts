import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import type { Day } from '../../domain/ids';
import type { Merchant } from '../../domain/merchant';
import { reportSettingsOf } from '../../domain/report';
import { addDays, dayOf } from '../../domain/time';
import type { NewJob } from '../../ports/storage';

dayjs.extend(utc);
dayjs.extend(timezone);

/**
 * When daily reports are due (issue 12 §6). Each shop's report is one ledger job per local day,
 * key `report:daily:<merchant>:<day>`, due at the shop's report time in its time zone. The plan
 * names only the latest slot, so a scheduler that was down catches up once, not once per day.
 */
export const DAILY_REPORT_KIND = 'report.daily';
export const dailyReportKey = (merchantId: string, day: Day) => `report:daily:${merchantId}:${day}`;
/** A push that fails is retried with backoff (30 s … 32 min: about an hour in all), then given up. */
export const DAILY_REPORT_ATTEMPTS = 8;
/**
 * A tick this close after a slot is that slot's own tick (the timer fires every minute), not a
 * catch-up. Only catch-ups are held against when the shop came to exist.
 */
export const ON_TIME_MS = 60_000;

/** UTC ms of `hh:mm` on `day` in `tz` (a time a DST change skips lands just after it). */
export function localTimeAt(day: Day, hhmm: string, tz: string): number {
  return dayjs.tz(`${day}T${hhmm}:00`, tz).valueOf();
}

/**
 * The latest daily slot at or before `now` for this shop, or null when that slot would be a
 * catch-up of a time before the shop existed: a shop (or the demo shop, seeded at start) made at
 * 21:30 gets no report for 21:00 that day, while a tick at 21:00 itself is on time.
 */
export function latestDailySlot(now: number, merchant: Pick<Merchant, 'timezone' | 'createdAt' | 'reports'>): { day: Day; at: number } | null {
  const { dailyAt } = reportSettingsOf(merchant);
  const today = dayOf(now, merchant.timezone);
  let day = today;
  let at = localTimeAt(today, dailyAt, merchant.timezone);
  if (at > now) {
    day = addDays(today, -1);
    at = localTimeAt(day, dailyAt, merchant.timezone);
  }
  const onTime = now - at < ON_TIME_MS;
  if (at < merchant.createdAt && !onTime) return null;
  return { day, at };
}

export function planDailyReports(now: number, merchants: Merchant[]): NewJob[] {
  const out: NewJob[] = [];
  for (const m of merchants) {
    const slot = latestDailySlot(now, m);
    if (!slot) continue;
    out.push({ key: dailyReportKey(m.id, slot.day), merchantId: m.id, kind: DAILY_REPORT_KIND, runAt: slot.at, payload: { day: slot.day }, maxAttempts: DAILY_REPORT_ATTEMPTS });
  }
  return out;
}
