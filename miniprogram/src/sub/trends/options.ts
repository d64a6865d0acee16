import type { ApiResult } from '@xiaoer/shared/contracts/api';
import type { CounterName } from '@xiaoer/shared/domain/counters';
import { formatFen } from '../../pages/today/format';

type Trends = ApiResult<'dashboard.trends'>;

export const COLORS = { primary: '#e0502d', blue: '#2f7cf6', green: '#16a34a', amber: '#f59e0b', grey: '#9ca3af' };

export type ChartSpec = {
  key: 'customers' | 'ai' | 'orders';
  title: string;
  /** One plain sentence under the title: the range's totals, so the chart is not the only reading. */
  summary: string;
  option: Record<string, unknown>;
  /** Nothing to draw in the whole range: the page says so instead of an axis from 0 to 1. */
  empty: boolean;
  /** What the page says instead of the chart when `empty`. */
  emptyText: string;
};

/** The last day of dashboard.trends is always the shop's today (dashboard.ts), not over yet. */
export const PARTIAL_LABEL = '今天到现在';
/** How the unfinished day is drawn: lighter bars, a dashed last line segment. */
const PARTIAL_OPACITY = 0.45;

const sum = (t: Trends, name: CounterName) => t.days.reduce((s, d) => s + d.counters[name], 0);
const axisDay = (day: string) => {
  const [, m, d] = day.split('-');
  return m && d ? `${Number(m)}/${Number(d)}` : day;
};
const yuan = (fen: number) => Math.round(fen) / 100;

type TooltipItem = { seriesName: string; value: unknown; dataIndex: number; marker: string };

/**
 * One line per series (the dashed part of a line is a second series with the same name), the last
 * day named as what it is: today so far.
 */
export function tooltipText(items: TooltipItem[], days: string[]): string {
  if (items.length === 0) return '';
  const i = items[0]!.dataIndex;
  const head = i === days.length - 1 ? `${days[i]} ${PARTIAL_LABEL}` : (days[i] ?? '');
  const seen = new Set<string>();
  const rows: string[] = [];
  for (const it of items) {
    const v = typeof it.value === 'object' && it.value !== null ? (it.value as { value?: unknown }).value : it.value;
    if (seen.has(it.seriesName) || typeof v !== 'number') continue;
    seen.add(it.seriesName);
    rows.push(`${it.marker}${it.seriesName}：${v}`);
  }
  return [head, ...rows].join('<br/>');
}

function base(t: Trends, opts: { legend: string[] }) {
  const labels = t.days.map((d) => axisDay(d.day));
  return {
    color: [COLORS.primary, COLORS.blue, COLORS.green],
    grid: { left: 8, right: 12, top: 36, bottom: 8, containLabel: true },
    legend: { data: opts.legend, top: 0, left: 0, itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 12 } },
    tooltip: { trigger: 'axis', confine: true, formatter: (items: TooltipItem[]) => tooltipText(items, labels) },
    xAxis: {
      type: 'category',
      // the last day is today: named so, not a date that reads like a finished day
      data: labels.map((l, i) => (i === labels.length - 1 ? '今天' : l)),
      axisTick: { show: false },
      axisLabel: { fontSize: 11, color: COLORS.grey, hideOverlap: true },
      axisLine: { lineStyle: { color: '#e5e7eb' } },
    },
  };
}

const valueAxis = (extra: Record<string, unknown> = {}) => ({
  type: 'value',
  minInterval: 1,
  axisLabel: { fontSize: 11, color: COLORS.grey },
  splitLine: { lineStyle: { color: '#f0f1f3' } },
  ...extra,
});

/**
 * A line, straight between the days (a smoothed curve overshoots: revenue below zero, or more
 * than any day had), as two series of one name: solid up to yesterday, dashed from yesterday to
 * today so far.
 */
const line = (name: string, values: number[], extra: Record<string, unknown> = {}) => {
  const last = values.length - 1;
  const common = { name, type: 'line', smooth: false, symbolSize: values.length > 10 ? 0 : 5, showSymbol: values.length <= 10, ...extra };
  if (last < 1) return [{ ...common, data: values }];
  return [
    { ...common, data: values.map((v, i) => (i < last ? v : '-')) },
    { ...common, data: values.map((v, i) => (i >= last - 1 ? v : '-')), lineStyle: { type: 'dashed' } },
  ];
};

/** Bars with today's, not over yet, drawn lighter. */
const bars = (values: number[]) => values.map((v, i) => (i === values.length - 1 ? { value: v, itemStyle: { opacity: PARTIAL_OPACITY } } : v));

/**
 * The 经营趋势 charts as ECharts options, from dashboard.trends. Revenue only appears when the
 * backend says it may be shown (owners); staff get order counts alone.
 */
export function trendCharts(t: Trends): ChartSpec[] {
  const series = (name: CounterName) => t.days.map((d) => d.counters[name]);
  const n = t.days.length;
  const answered = sum(t, 'aiAnswered');
  const handoffs = sum(t, 'aiHandoffs');
  const share = answered + handoffs > 0 ? Math.round((answered / (answered + handoffs)) * 100) : null;
  const none = (...names: CounterName[]) => names.every((name) => sum(t, name) === 0);

  const customers: ChartSpec = {
    key: 'customers',
    title: '客户',
    summary: `${n} 天新加 ${sum(t, 'newCustomers')} 位客户，${sum(t, 'consultations')} 人次来咨询`,
    option: {
      ...base(t, { legend: ['新客户', '咨询人数'] }),
      yAxis: valueAxis(),
      series: [...line('新客户', series('newCustomers')), ...line('咨询人数', series('consultations'))],
    },
    empty: none('newCustomers', 'consultations'),
    emptyText: `近 ${n} 天还没有客户来问。客户发来消息后，这里按天画出来。`,
  };

  const ai: ChartSpec = {
    key: 'ai',
    title: 'AI 回复',
    summary: share === null ? `${n} 天里还没有要 AI 回答的问题` : `AI 自己答好 ${answered} 个，转人工 ${handoffs} 个，自己答好的占 ${share}%`,
    option: {
      ...base(t, { legend: ['AI 已回复', '转人工'] }),
      color: [COLORS.blue, COLORS.amber],
      yAxis: valueAxis(),
      series: [
        { name: 'AI 已回复', type: 'bar', stack: 'ai', data: bars(series('aiAnswered')), barMaxWidth: 18 },
        { name: '转人工', type: 'bar', stack: 'ai', data: bars(series('aiHandoffs')), barMaxWidth: 18 },
      ],
    },
    empty: none('aiAnswered', 'aiHandoffs'),
    emptyText: `近 ${n} 天还没有要 AI 回答的问题。`,
  };

  const orderSeries = { name: '订单', type: 'bar', data: bars(series('orders')), barMaxWidth: 18, itemStyle: { color: COLORS.green } };
  const orders: ChartSpec = t.revenueShown
    ? {
        key: 'orders',
        title: '订单和营业额',
        summary: `${n} 天 ${sum(t, 'orders')} 单，营业额 ${formatFen(sum(t, 'revenueFen'))}`,
        option: {
          ...base(t, { legend: ['订单', '营业额（元）'] }),
          yAxis: [valueAxis(), valueAxis({ minInterval: 0, splitLine: { show: false } })],
          series: [
            orderSeries,
            ...line(
              '营业额（元）',
              t.days.map((d) => yuan(d.counters.revenueFen)),
              { yAxisIndex: 1, itemStyle: { color: COLORS.primary } },
            ),
          ],
        },
        empty: none('orders', 'revenueFen'),
        emptyText: `近 ${n} 天还没有订单。接入订单后，这里按天画出订单和营业额。`,
      }
    : {
        key: 'orders',
        title: '订单',
        summary: `${n} 天 ${sum(t, 'orders')} 单`,
        option: { ...base(t, { legend: ['订单'] }), yAxis: valueAxis(), series: [orderSeries] },
        empty: none('orders'),
        emptyText: `近 ${n} 天还没有订单。`,
      };

  return [customers, ai, orders];
}
