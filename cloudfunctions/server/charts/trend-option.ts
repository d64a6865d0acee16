import type { TrendChartInput, TrendSeries } from '@xiaoer/shared/ports/chart';

/** Layout size in CSS pixels; the PNG is drawn at SCALE× this for phone screens. */
export const CHART_WIDTH = 750;
export const CHART_HEIGHT = 420;
export const CHART_SCALE = 2;

/** The family name inside the bundled font (fonts/), named explicitly so nothing falls back to a system font. */
export const CHART_FONT_FAMILY = 'WenQuanYi Micro Hei';

/** The owner app's palette (miniprogram/src/sub/trends/options.ts), so pushed charts look like 经营趋势. */
export const CHART_COLORS = { primary: '#e0502d', blue: '#2f7cf6', text: '#1f2937', sub: '#6b7280', axis: '#9ca3af', grid: '#f0f1f3', line: '#e5e7eb' };

/** Values on the bars and points only while they fit (a week, not a month). */
const MAX_VALUE_LABELS = 8;

const trim = (n: number, digits: number) => String(Number(n.toFixed(digits)));

/**
 * A number as the chart writes it: 860, 1234.5, 2.5万, 1.2亿. Every character it can produce is
 * in CHART_CHARSET (charts test); ECharts' own formatter would add thousands commas.
 */
export function compactNumber(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e8) return `${trim(n / 1e8, 2)}亿`;
  if (abs >= 1e4) return `${trim(n / 1e4, abs >= 1e6 ? 0 : 1)}万`;
  return trim(n, 2);
}

/** A value over its bar or point: whole 元 from 100 元 up (the axis and the report text carry the exact sum). */
export const labelNumber = (unit: TrendSeries['unit'], shown: number) => compactNumber(unit === 'fen' && Math.abs(shown) >= 100 ? Math.round(shown) : shown);

/** What the chart draws for a series value: 元 for amounts in 分, the count as is. */
export const displayValue = (unit: TrendSeries['unit'], v: number) => (unit === 'fen' ? v / 100 : v);

/** The legend names the unit of money series: 营业额（元）. */
export const legendName = (s: TrendSeries) => (s.unit === 'fen' ? `${s.name}（元）` : s.name);

/**
 * The ECharts option for a validated TrendChartInput: series 1 as bars, series 2 as a line, on
 * their own axes when their units differ. Text styles name the bundled font; no animation (SSR).
 */
export function trendOption(input: TrendChartInput): Record<string, unknown> {
  const dual = input.series.length === 2 && input.series[0].unit !== input.series[1].unit;
  const showValues = input.labels.length <= MAX_VALUE_LABELS;
  const colors = [CHART_COLORS.primary, CHART_COLORS.blue];
  const valueAxis = (i: number) => ({
    type: 'value',
    minInterval: input.series[i]?.unit === 'count' ? 1 : 0,
    axisLabel: { fontSize: 13, color: CHART_COLORS.axis, formatter: (v: number) => compactNumber(v) },
    // one set of grid lines: the right axis aligns its ticks to the left one's
    splitLine: { show: i === 0, lineStyle: { color: CHART_COLORS.grid } },
    ...(i === 1 ? { alignTicks: true } : {}),
  });
  const series = input.series.map((s, i) => {
    const data = s.values.map((v) => (v === null ? null : displayValue(s.unit, v)));
    const label = {
      show: showValues,
      position: 'top',
      fontSize: 13,
      color: i === 0 ? CHART_COLORS.text : colors[1],
      // the line's numbers sit on a white box so they stay readable where they cross a bar
      ...(i === 1 ? { backgroundColor: '#ffffff', padding: [1, 4], borderRadius: 3 } : {}),
      formatter: (p: { value: number | null }) => (p.value === null ? '' : labelNumber(s.unit, p.value)),
    };
    const common = { name: legendName(s), data, label, yAxisIndex: dual ? i : 0, itemStyle: { color: colors[i] } };
    return i === 0 ? { ...common, type: 'bar', barMaxWidth: 44 } : { ...common, type: 'line', symbol: 'circle', symbolSize: 7, lineStyle: { width: 3 }, connectNulls: false, z: 3 };
  });
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: CHART_FONT_FAMILY },
    title: {
      text: input.title,
      subtext: input.subtitle ?? '',
      left: 24,
      top: 16,
      itemGap: 8,
      textStyle: { fontFamily: CHART_FONT_FAMILY, fontSize: 24, fontWeight: 'normal', color: CHART_COLORS.text },
      subtextStyle: { fontFamily: CHART_FONT_FAMILY, fontSize: 15, color: CHART_COLORS.sub },
    },
    legend: {
      top: 24,
      right: 24,
      itemWidth: 18,
      itemHeight: 10,
      itemGap: 20,
      textStyle: { fontFamily: CHART_FONT_FAMILY, fontSize: 15, color: CHART_COLORS.text },
    },
    grid: { left: 24, right: 24, top: input.subtitle ? 104 : 84, bottom: 16, containLabel: true },
    xAxis: {
      type: 'category',
      data: input.labels,
      axisTick: { show: false },
      axisLine: { lineStyle: { color: CHART_COLORS.line } },
      axisLabel: { fontSize: 14, color: CHART_COLORS.sub, hideOverlap: true, margin: 12 },
    },
    yAxis: dual ? [valueAxis(0), valueAxis(1)] : [valueAxis(0)],
    series,
  };
}
