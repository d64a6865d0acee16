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
};

const sum = (t: Trends, name: CounterName) => t.days.reduce((s, d) => s + d.counters[name], 0);
const axisDay = (day: string) => {
  const [, m, d] = day.split('-');
  return m && d ? `${Number(m)}/${Number(d)}` : day;
};
const yuan = (fen: number) => Math.round(fen) / 100;

function base(t: Trends, opts: { legend: string[] }) {
  return {
    color: [COLORS.primary, COLORS.blue, COLORS.green],
    grid: { left: 8, right: 12, top: 36, bottom: 8, containLabel: true },
    legend: { data: opts.legend, top: 0, left: 0, itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 12 } },
    tooltip: { trigger: 'axis', confine: true },
    xAxis: {
      type: 'category',
      data: t.days.map((d) => axisDay(d.day)),
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

const line = (name: string, values: number[], extra: Record<string, unknown> = {}) => ({
  name,
  type: 'line',
  data: values,
  smooth: true,
  symbolSize: values.length > 10 ? 0 : 5,
  showSymbol: values.length <= 10,
  ...extra,
});

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

  const customers: ChartSpec = {
    key: 'customers',
    title: '客户',
    summary: `${n} 天新加 ${sum(t, 'newCustomers')} 位客户，${sum(t, 'consultations')} 人次来咨询`,
    option: {
      ...base(t, { legend: ['新客户', '咨询人数'] }),
      yAxis: valueAxis(),
      series: [line('新客户', series('newCustomers')), line('咨询人数', series('consultations'))],
    },
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
        { name: 'AI 已回复', type: 'bar', stack: 'ai', data: series('aiAnswered'), barMaxWidth: 18 },
        { name: '转人工', type: 'bar', stack: 'ai', data: series('aiHandoffs'), barMaxWidth: 18 },
      ],
    },
  };

  const orderSeries = { name: '订单', type: 'bar', data: series('orders'), barMaxWidth: 18, itemStyle: { color: COLORS.green } };
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
            line(
              '营业额（元）',
              t.days.map((d) => yuan(d.counters.revenueFen)),
              { yAxisIndex: 1, itemStyle: { color: COLORS.primary } },
            ),
          ],
        },
      }
    : {
        key: 'orders',
        title: '订单',
        summary: `${n} 天 ${sum(t, 'orders')} 单`,
        option: { ...base(t, { legend: ['订单'] }), yAxis: valueAxis(), series: [orderSeries] },
      };

  return [customers, ai, orders];
}
