import { fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import TrendsPage from './index';
import { trendCharts } from './options';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok } from '../../../test/fetch-mock';
import { me, trends } from '../../../test/fixtures';

// jsdom has no canvas for ECharts to paint on: record what each chart is given instead.
type FakeChart = { el: Element; options: Array<Record<string, unknown>>; disposed: boolean };
const charts: FakeChart[] = [];
jest.mock('./echarts', () => ({
  echarts: {
    init: (el: Element) => {
      const c: FakeChart = { el, options: [], disposed: false };
      charts.push(c);
      return {
        setOption: (o: Record<string, unknown>) => c.options.push(o),
        resize: () => undefined,
        dispose: () => {
          c.disposed = true;
        },
      };
    },
    setPlatformAPI: () => undefined,
  },
}));

type Point = number | '-' | { value: number };
type Series = { name: string; type: string; data: Point[]; yAxisIndex?: number };
const plain = (p: Exclude<Point, '-'>) => (typeof p === 'object' ? p.value : p);
/** What each named series shows per day: a line drawn as solid + dashed parts is put back together. */
const seriesOf = (c: FakeChart) => {
  const out: { name: string; type: string; data: number[] }[] = [];
  for (const s of c.options.at(-1)!.series as Series[]) {
    const seen = out.find((o) => o.name === s.name);
    if (!seen) out.push({ name: s.name, type: s.type, data: s.data.map((p) => (p === '-' ? NaN : plain(p))) });
    else s.data.forEach((p, i) => p !== '-' && (seen.data[i] = plain(p)));
  }
  return out;
};
const live = () => charts.filter((c) => !c.disposed);
const actions = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));

beforeEach(() => {
  charts.length = 0;
  resetSession();
  Taro.clearStorageSync();
});

describe('经营趋势 page', () => {
  it('draws customers, AI and orders with revenue for the owner, each on its own .echart', async () => {
    const fetch = mockFetch(({ action }) => (action === 'me.get' ? ok(me) : ok(trends(7))));
    const { container } = render(<TrendsPage />);

    await waitFor(() => expect(live()).toHaveLength(3));
    expect(container.querySelector('.page-trends')).not.toBeNull();
    expect(container.querySelectorAll('.echart').length).toBe(3);
    expect(live().map((c) => c.el.classList.contains('echart'))).toEqual([true, true, true]);
    expect(actions(fetch)).toEqual([{ action: 'me.get' }, { action: 'dashboard.trends', merchantId: 'demo-bakery', days: 7 }]);

    const [customers, ai, orders] = live();
    expect(seriesOf(customers!)).toEqual([
      { name: '新客户', type: 'line', data: [0, 1, 2, 0, 1, 2, 0] },
      { name: '咨询人数', type: 'line', data: [1, 2, 3, 4, 5, 6, 7] },
    ]);
    expect(seriesOf(ai!)).toEqual([
      { name: 'AI 已回复', type: 'bar', data: [0, 1, 2, 3, 4, 5, 6] },
      { name: '转人工', type: 'bar', data: [1, 1, 1, 1, 1, 1, 1] },
    ]);
    expect(seriesOf(orders!)).toEqual([
      { name: '订单', type: 'bar', data: [0, 1, 2, 3, 0, 1, 2] },
      { name: '营业额（元）', type: 'line', data: [1, 2, 3, 4, 5, 6, 7] },
    ]);
    expect((customers!.options[0]!.xAxis as { data: string[] }).data).toEqual(['11/16', '11/17', '11/18', '11/19', '11/20', '11/21', '今天']);
    expect(container.querySelector('.trends-partial')?.textContent).toContain('今天到现在');
    expect(container.querySelector('.trends-ai .trends-summary')?.textContent).toBe('AI 自己答好 21 个，转人工 7 个，自己答好的占 75%');
    expect(container.querySelector('.trends-orders .trends-title')?.textContent).toBe('订单和营业额');
    expect(container.querySelector('.trends-orders .trends-summary')?.textContent).toBe('7 天 9 单，营业额 ¥28.00');
  });

  it('shows staff order counts only, no revenue anywhere', async () => {
    const staffTrends = trends(7, { revenueShown: false });
    staffTrends.days.forEach((d) => (d.counters.revenueFen = 0));
    mockFetch(({ action }) => (action === 'me.get' ? ok(me) : ok(staffTrends)));
    const { container } = render(<TrendsPage />);
    await waitFor(() => expect(live()).toHaveLength(3));
    expect(seriesOf(live()[2]!).map((s) => s.name)).toEqual(['订单']);
    expect(container.querySelector('.trends-orders .trends-title')?.textContent).toBe('订单');
    expect(container.textContent).not.toContain('营业额（元）');
    expect(container.textContent).toContain('营业额只有老板能看');
  });

  it('switches to 30 days with one request and redraws the same charts', async () => {
    const fetch = mockFetch((b) => (b.action === 'me.get' ? ok(me) : ok(trends(b.days as 7 | 30))));
    const { container } = render(<TrendsPage />);
    await waitFor(() => expect(live()).toHaveLength(3));
    fireEvent.click(container.querySelector('.trends-30')!);
    await waitFor(() => expect(seriesOf(live()[0]!)[1]!.data).toHaveLength(30));
    expect(
      actions(fetch)
        .filter((a) => a.action === 'dashboard.trends')
        .map((a) => a.days),
    ).toEqual([7, 30]);
    expect(charts).toHaveLength(3); // updated in place, not re-created
  });

  it('shows the error with 重试, which loads again', async () => {
    let broken = true;
    mockFetch(({ action }) => (action === 'me.get' ? ok(me) : broken ? fail(500, 'SERVER.INTERNAL', '服务器开小差了') : ok(trends(7))));
    const { container } = render(<TrendsPage />);
    await waitFor(() => expect(container.querySelector('.error-message')?.textContent).toBe('服务器开小差了'));
    broken = false;
    fireEvent.click(container.querySelector('.retry')!);
    await waitFor(() => expect(live()).toHaveLength(3));
  });
});

describe('trendCharts()', () => {
  it('says so when there were no AI questions instead of showing 0%', () => {
    const t = trends(7);
    t.days.forEach((d) => {
      d.counters.aiAnswered = 0;
      d.counters.aiHandoffs = 0;
    });
    expect(trendCharts(t)[1]!.summary).toBe('7 天里还没有要 AI 回答的问题');
  });
});

describe('trendCharts() draws what the data says', () => {
  type Axis = { minInterval?: number };
  type LineSeries = { name: string; type: string; data: Array<number | '-' | { value: number; itemStyle?: { opacity: number } }>; smooth?: boolean; lineStyle?: { type: string } };
  const seriesList = (o: Record<string, unknown>) => o.series as LineSeries[];

  it('counts on whole numbers, labels kept inside the chart', () => {
    for (const c of trendCharts(trends(7))) {
      const axes = ([] as Axis[]).concat(c.option.yAxis as Axis | Axis[]);
      expect(axes[0]!.minInterval).toBe(1); // counts: no 0.5 customer
      expect((c.option.grid as { containLabel: boolean }).containLabel).toBe(true);
    }
  });

  it('does not smooth lines past the data, and draws today (not over yet) dashed or lighter', () => {
    const [customers, ai, orders] = trendCharts(trends(7));
    for (const s of [...seriesList(customers!.option), ...seriesList(orders!.option)].filter((x) => x.type === 'line')) expect(s.smooth).toBe(false);
    // revenue: solid through yesterday, dashed from yesterday to today
    const revenue = seriesList(orders!.option).filter((s) => s.name === '营业额（元）');
    expect(revenue).toHaveLength(2);
    expect(revenue[0]!.data).toEqual([1, 2, 3, 4, 5, 6, '-']);
    expect(revenue[1]!.data).toEqual(['-', '-', '-', '-', '-', 6, 7]);
    expect(revenue[1]!.lineStyle).toEqual({ type: 'dashed' });
    // bars: today's lighter, the others as they are
    const answered = seriesList(ai!.option)[0]!.data;
    expect(answered.slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(answered[6]).toEqual({ value: 6, itemStyle: { opacity: expect.any(Number) } });
    expect((answered[6] as { itemStyle: { opacity: number } }).itemStyle.opacity).toBeLessThan(1);
  });

  it('names the last day 今天到现在 in the tooltip, once per series', () => {
    const tooltip = (trendCharts(trends(7))[2]!.option.tooltip as { formatter: (items: unknown[]) => string }).formatter;
    const at = (i: number) => [
      { seriesName: '订单', value: { value: 2 }, dataIndex: i, marker: '' },
      { seriesName: '营业额（元）', value: 6, dataIndex: i, marker: '' },
      { seriesName: '营业额（元）', value: 6, dataIndex: i, marker: '' },
    ];
    expect(tooltip(at(6))).toBe('11/22 今天到现在<br/>订单：2<br/>营业额（元）：6');
    expect(tooltip(at(5))).toBe('11/21<br/>订单：2<br/>营业额（元）：6');
  });

  it('an empty shop gets words, not an axis from 0 to 1', async () => {
    const empty = trends(7);
    empty.days.forEach((d) => Object.keys(d.counters).forEach((k) => ((d.counters as Record<string, number>)[k] = 0)));
    expect(trendCharts(empty).every((c) => c.empty)).toBe(true);
    mockFetch(({ action }) => (action === 'me.get' ? ok(me) : ok(empty)));
    const { container } = render(<TrendsPage />);
    await waitFor(() => expect(container.querySelector('.state-empty')).not.toBeNull());
    expect(container.textContent).toContain('还没有数据');
    expect(live()).toHaveLength(0);
  });

  it('a shop with customers but no orders yet: the orders card says so instead of a flat chart', async () => {
    const noOrders = trends(7);
    noOrders.days.forEach((d) => {
      d.counters.orders = 0;
      d.counters.revenueFen = 0;
    });
    mockFetch(({ action }) => (action === 'me.get' ? ok(me) : ok(noOrders)));
    const { container } = render(<TrendsPage />);
    await waitFor(() => expect(live()).toHaveLength(2));
    expect(container.querySelector('.trends-orders .trends-empty')?.textContent).toContain('还没有订单');
    expect(container.querySelector('.trends-orders .echart')).toBeNull();
  });
});
