/** Display helpers for the 今日 page: integers, money in 分, yesterday's figure and dates. */

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

/**
 * The day-over-day note. Today is still running and yesterday is whole, so "比昨天少" would be
 * misleading every morning: name yesterday's full-day figure instead and let the owner compare.
 */
export function yesterdayNote(yesterday: number, money = false): string {
  return `昨天全天 ${money ? formatFen(yesterday) : formatCount(yesterday)}`;
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
