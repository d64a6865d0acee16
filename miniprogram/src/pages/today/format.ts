/** Display helpers for the 今日 page: integers, money in 分, the same-time comparison and dates. */

const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

export function formatCount(n: number): string {
  return group(String(Math.round(n)));
}

/** 123456 分 → "¥1,234.56" (no toLocaleString: the mini-program JS engine's locale data varies). */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.round(fen));
  return `${sign}¥${group(String(Math.floor(abs / 100)))}.${String(abs % 100).padStart(2, '0')}`;
}

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

/** "2026-11-22" → "日" (the weekday of a calendar day, whatever the phone's time zone). */
export function weekdayOf(day: string): string {
  const t = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(t) ? '' : WEEKDAYS[new Date(t).getUTCDay()]!;
}

/**
 * The comparison note. Today is still running, so the earlier days are cut at the same hour
 * (the server sums their hourly buckets): a fair "so far" beside yesterday and the same weekday
 * last week, named plainly so the owner reads them as the same stretch of the day.
 */
export function sameTimeNote(day: string, yesterday: number, lastWeek: number, money = false): string {
  const f = (n: number) => (money ? formatFen(n) : formatCount(n));
  return `同时段：昨天 ${f(yesterday)} · 上周${weekdayOf(day)} ${f(lastWeek)}`;
}

/** "2026-11-22" → "11月22日". */
export function formatDay(day: string): string {
  const [, m, d] = day.split('-');
  return m && d ? `${Number(m)}月${Number(d)}日` : day;
}

/** "2026-11-22" → "11/22", the short form for chart axes. */
export function shortDay(day: string): string {
  const [, m, d] = day.split('-');
  return m && d ? `${Number(m)}/${Number(d)}` : day;
}
