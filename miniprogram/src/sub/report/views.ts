import { COLORS } from '../trends/options';

/**
 * The weekly and monthly numbers as the app reads them. The contract leaves them open
 * (usecases/reports/weekly.ts and monthly.ts on the server define them); these are the fields
 * the page shows. Revenue fields are null for staff.
 */
type Totals = { revenueFen: number | null; orders: number; newCustomers: number; consultations: number; customerMessages: number; aiAnswered: number; aiHandoffs: number };
export type Buyers = { buyers: number; newBuyers: number; returningBuyers: number; repurchaseRate: number | null } | null;

export type WeeklyView = Totals & {
  first: string;
  last: string;
  dailyRevenueFen: number[] | null;
  dailyConsultations: number[];
  dailyOrders: number[];
  aiAnswerRate: number | null;
  buyers: Buyers;
  hasOrders: boolean;
  weekBefore: Totals;
};
export type WeeklyDetails = { bestSellers: { name: string; qty: number }[]; slowSellers: { name: string; qty: number }[]; sellersOmitted: boolean };

export const HEALTH_PARTS = [
  { key: 'growth', label: '增长' },
  { key: 'retention', label: '回头客' },
  { key: 'responsiveness', label: '回复速度' },
  { key: 'aiCoverage', label: 'AI 覆盖' },
  { key: 'stockHealth', label: '库存' },
] as const;
export const PART_MAX = 20;

export type MonthlyView = Totals & {
  month: string;
  aiAnswerRate: number | null;
  firstResponseAvgMs: number | null;
  buyers: Buyers;
  products: number;
  lowStockProducts: number;
  hasOrders: boolean;
  health: { score: number; parts: Record<(typeof HEALTH_PARTS)[number]['key'], number> };
};
export type MonthlyDetails = { suggestions: string[] };

export const pct = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${Math.round(r * 100)}%`);

const WEEK = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const yuan = (fen: number) => Math.round(fen) / 100;

/**
 * The week's sales and consultation trend for ECharts: revenue bars (owners, once the shop has
 * orders) or order bars (staff), with consultations as a line on its own axis; a shop without
 * orders gets the consultation line alone rather than a row of zeros.
 */
export function weeklyOption(n: WeeklyView): Record<string, unknown> {
  const consult = { name: '咨询人数', type: 'line', data: n.dailyConsultations, symbolSize: 5, itemStyle: { color: COLORS.blue } };
  const bars = !n.hasOrders
    ? null
    : n.dailyRevenueFen
      ? { name: '营业额（元）', type: 'bar', data: n.dailyRevenueFen.map(yuan), barMaxWidth: 18, itemStyle: { color: COLORS.primary } }
      : { name: '订单', type: 'bar', data: n.dailyOrders, barMaxWidth: 18, itemStyle: { color: COLORS.green } };
  const axis = (extra: Record<string, unknown> = {}) => ({
    type: 'value',
    axisLabel: { fontSize: 11, color: COLORS.grey },
    splitLine: { lineStyle: { color: '#f0f1f3' } },
    ...extra,
  });
  const series = bars ? [bars, { ...consult, yAxisIndex: 1 }] : [consult];
  return {
    grid: { left: 8, right: 12, top: 36, bottom: 8, containLabel: true },
    legend: { data: series.map((s) => s.name), top: 0, left: 0, itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 12 } },
    tooltip: { trigger: 'axis', confine: true },
    xAxis: { type: 'category', data: WEEK, axisTick: { show: false }, axisLabel: { fontSize: 11, color: COLORS.grey }, axisLine: { lineStyle: { color: '#e5e7eb' } } },
    yAxis: bars ? [axis({ minInterval: bars.name === '订单' ? 1 : 0 }), axis({ minInterval: 1, splitLine: { show: false } })] : axis({ minInterval: 1 }),
    series,
  };
}
