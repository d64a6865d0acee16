import type { ApiResult } from '@xiaoer/shared/contracts/api';

export type ReportKindName = 'daily' | 'weekly' | 'monthly';
export type ListItem = ApiResult<'reports.list'>['items'][number];

export const KIND_TABS: { kind: ReportKindName; label: string }[] = [
  { kind: 'daily', label: '日报' },
  { kind: 'weekly', label: '周报' },
  { kind: 'monthly', label: '月报' },
];

const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const md = (day: string) => `${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;

/** A calendar day plus n days, as YYYY-MM-DD (UTC arithmetic: no time zone can shift it). */
export function addDays(day: string, n: number): string {
  const t = new Date(`${day}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

/** The period a report covers, as an owner says it: 12月5日 周六 / 11月16日–11月22日 / 2026年11月. */
export function periodLabel(kind: ReportKindName, date: string): string {
  if (kind === 'monthly') return `${Number(date.slice(0, 4))}年${Number(date.slice(5, 7))}月`;
  if (kind === 'weekly') return `${md(date)}–${md(addDays(date, 6))}`;
  return `${md(date)} ${WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]}`;
}

/** How the push went, in a few plain words for the list. */
export function pushLabel(item: Pick<ListItem, 'push' | 'pushDetail'>): string {
  switch (item.push) {
    case 'sent':
      return '已发送';
    case 'failed':
      return `没发出去：${item.pushDetail ?? '稍后会自动再发'}`;
    case 'skipped':
      return item.pushDetail ? `没发：${item.pushDetail}` : '没发';
    case 'sending':
      return '正在发送';
    default:
      return '还没到时间';
  }
}
