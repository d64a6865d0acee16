import { type TrendChartInput, WEEKDAY_LABELS } from '@xiaoer/shared/ports/chart';

/**
 * A realistic week of a milk-tea shop (营业额 in 分, 咨询数 per day): the README screenshot, the
 * renderer tests, `npm run bench` and the scheduler's chart self-check all draw this one.
 */
export const SAMPLE_WEEK: TrendChartInput = {
  title: '上周营业额和咨询',
  subtitle: '11月16日–11月22日，共 13555.35 元，328 次咨询',
  labels: [...WEEKDAY_LABELS],
  series: [
    { name: '营业额', unit: 'fen', values: [128650, 98700, 152300, 134800, 210480, 342000, 288605] },
    { name: '咨询数', unit: 'count', values: [32, 27, 41, 36, 55, 74, 63] },
  ],
};
