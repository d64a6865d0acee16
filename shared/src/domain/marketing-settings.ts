import { z } from 'zod';
import { addDays, dayOf, startOfDay, weekStart } from './time';

/**
 * 营销设置 (issue 16): how many mass messages WeCom lets each customer receive, the shop's quiet
 * hours, and the follow-ups' daily cap. Quota rules (protocol doc §10, doc 92135): the current
 * default is as many per calendar month as the month has days; the corp admin can change it to 7
 * per week or 1 per day.
 */
export const QuotaRule = z.enum(['monthDays', 'week7', 'day1']);
export type QuotaRule = z.infer<typeof QuotaRule>;

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间写成 21:00 这样');

export const MarketingSettings = z.object({
  quota: QuotaRule.default('monthDays'),
  /** Nobody is left out for these: the send time moves to `to`. `from` > `to` crosses midnight. */
  quietHours: z.object({ from: HHMM, to: HHMM }).default({ from: '21:00', to: '09:00' }),
  /** Follow-up messages per day for the whole shop. */
  followupDailyCap: z.number().int().min(1).max(5000).default(200),
});
export type MarketingSettings = z.infer<typeof MarketingSettings>;

export const DEFAULT_MARKETING: MarketingSettings = { quota: 'monthDays', quietHours: { from: '21:00', to: '09:00' }, followupDailyCap: 200 };
export const marketingSettingsOf = (m: { marketing?: Partial<MarketingSettings> }): MarketingSettings => ({ ...DEFAULT_MARKETING, ...m.marketing });

/** The quota in the owner's words. */
export const QUOTA_TEXT: Record<QuotaRule, string> = {
  monthDays: '每位客户每月最多收到当月天数条群发',
  week7: '每位客户每周最多收到 7 条群发',
  day1: '每位客户每天最多收到 1 条群发',
};

/** The quota period containing `at` (shop's time zone): its start and how many sends it allows. */
export function quotaPeriod(rule: QuotaRule, at: number, tz: string): { start: number; end: number; limit: number } {
  const day = dayOf(at, tz);
  if (rule === 'day1') return { start: startOfDay(day, tz), end: startOfDay(addDays(day, 1), tz), limit: 1 };
  if (rule === 'week7') {
    const monday = weekStart(day);
    return { start: startOfDay(monday, tz), end: startOfDay(addDays(monday, 7), tz), limit: 7 };
  }
  const first = `${day.slice(0, 7)}-01`;
  const [y, m] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))];
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { start: startOfDay(first, tz), end: startOfDay(addDays(first, days), tz), limit: days };
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * The first moment at or after `at` outside the quiet hours (shop's time zone): `at` itself when
 * it is already outside. Quiet hours exclude no one; they only move the send.
 */
export function afterQuietHours(at: number, quiet: { from: string; to: string }, tz: string): number {
  const from = minutes(quiet.from);
  const to = minutes(quiet.to);
  if (from === to) return at;
  const day = dayOf(at, tz);
  const dayStart = startOfDay(day, tz);
  const now = Math.floor((at - dayStart) / 60_000);
  const inQuiet = from < to ? now >= from && now < to : now >= from || now < to;
  if (!inQuiet) return at;
  // the end of this quiet stretch: today at `to` when it has not passed yet, else tomorrow
  const endDay = now < to ? day : addDays(day, 1);
  return startOfDay(endDay, tz) + to * 60_000;
}
