import { z } from 'zod';

/**
 * Chart images for pushed reports (issue 12 §3, the weekly trend). The adapter
 * (cloudfunctions/server/charts/) draws with ECharts and rasterises with resvg using one bundled
 * CJK font and no system fonts, so the same input gives the same PNG on the local host and in
 * CloudBase. That font holds only the glyphs below: text outside CHART_CHARSET is refused
 * instead of being drawn as blanks.
 */

/** Day names the report code can put on the x axis (周一 … 周日, Monday first). */
export const WEEKDAY_LABELS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'] as const;

/** What report charts say: units, counters, days and the words around them. */
const CHART_WORDS = [
  '周一周二周三周四周五周六周日星期天一周本周上周近七天三十每日每天今天昨天本月上月年月日号时点分',
  '零一二三四五六七八九十百千万亿两',
  '营业额销售额收入金额元订单单笔件个份杯次人位天',
  '咨询数人数消息条客户新客户老客户回头客复购率访客',
  'AI回复回答自己答好已转人工接待待处理解决命中率',
  '商品库存销量畅销滞销缺货低高最平均合计总计日均对比环比同比增长下降上升持平较比',
  '趋势报表周报月报日报经营健康分数得',
  '店铺小二的和与及共在中内前后上下左右为是有无未不没多少大',
].join('');

/** Full-width and typographic punctuation reports use, beside ASCII. */
const CHART_PUNCTUATION = '，。、：；！？（）《》「」【】“”‘’…—–·¥￥％～＋－／×↑↓';

const ASCII = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');

/** Every character a chart may contain; the bundled font is cut to exactly this set (scripts/make-chart-font.mjs). */
export const CHART_CHARSET: string = [...new Set([...ASCII, ...CHART_PUNCTUATION, ...CHART_WORDS])].join('');

const charset = new Set(CHART_CHARSET);

/** The characters of `text` the chart font cannot draw, each once, in order. */
export function unsupportedChartChars(text: string): string[] {
  return [...new Set([...text].filter((c) => !charset.has(c)))];
}

const chartText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .superRefine((s, ctx) => {
      const bad = unsupportedChartChars(s);
      if (bad.length) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `图表字体里没有这些字：${bad.join('')}`, params: { unsupported: bad } });
    });

/**
 * `fen`: amounts in 分 as counters keep them (drawn in 元); `count`: plain counts (咨询数, 订单).
 * A null value is a day with no data (drawn as a gap), not a zero.
 */
export const TrendSeries = z.object({
  name: chartText(12),
  unit: z.enum(['fen', 'count']),
  values: z.array(z.number().finite().nullable()).min(1).max(31),
});
export type TrendSeries = z.infer<typeof TrendSeries>;

/**
 * One trend chart: a title, day labels and one or two series over them. With two series of
 * different units the first is drawn as bars on the left axis and the second as a line on the
 * right; with the same unit both share one axis.
 */
export const TrendChartInput = z
  .object({
    /** e.g. 本周营业额和咨询 */
    title: chartText(24),
    /** e.g. the period, 11月16日–11月22日 */
    subtitle: chartText(40).optional(),
    /** One per day, e.g. 周一 or 11/16. */
    labels: z.array(chartText(8)).min(1).max(31),
    series: z.array(TrendSeries).min(1).max(2),
  })
  .superRefine((input, ctx) => {
    input.series.forEach((s, i) => {
      if (s.values.length !== input.labels.length)
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['series', i, 'values'], message: `要有 ${input.labels.length} 个数，和日期一一对应` });
    });
  });
export type TrendChartInput = z.infer<typeof TrendChartInput>;

export interface ChartImage {
  png: Uint8Array;
  /** Pixels (the drawing at 2× its layout size, for phone screens). */
  width: number;
  height: number;
}

export interface ChartRenderer {
  /** Refuses input that TrendChartInput rejects with AppError INPUT.INVALID. */
  renderTrend(input: TrendChartInput): Promise<ChartImage>;
}
