/** Display helpers for the 今日 page: integers, money in 分, and the change versus yesterday. */

const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')

export function formatCount(n: number): string {
  return group(String(Math.round(n)))
}

/** 123456 分 → "¥1,234.56" (no toLocaleString: the mini-program JS engine's locale data varies). */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(Math.round(fen))
  return `${sign}¥${group(String(Math.floor(abs / 100)))}.${String(abs % 100).padStart(2, '0')}`
}

export type Trend = 'up' | 'down' | 'same'

export function change(today: number, yesterday: number, money = false): { text: string; trend: Trend } {
  const d = today - yesterday
  if (d === 0) return { text: '和昨天一样', trend: 'same' }
  const amount = money ? formatFen(Math.abs(d)) : formatCount(Math.abs(d))
  return d > 0 ? { text: `比昨天多 ${amount}`, trend: 'up' } : { text: `比昨天少 ${amount}`, trend: 'down' }
}

/** "2026-11-22" → "11月22日". */
export function formatDay(day: string): string {
  const [, m, d] = day.split('-')
  return m && d ? `${Number(m)}月${Number(d)}日` : day
}
