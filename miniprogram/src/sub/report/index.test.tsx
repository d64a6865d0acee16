import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { PeriodReportView, ReportView } from '@xiaoer/shared/contracts/api-reports';
import ReportPage, { channelText, pushText } from './index';
import { saveWorkbook } from './saveFile';
import { onShopSwitch, resetSession } from '../../services/session';
import { fail, mockFetch, ok } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

const totals = { revenueFen: 82_500, orders: 22, newCustomers: 4, consultations: 11, customerMessages: 21, aiAnswered: 19, aiHandoffs: 1 };
// the daily member of reports.get's result (weekly and monthly have their own numbers)
const report = (over: Partial<ReportView> = {}): ReportView => ({
  kind: 'daily',
  date: '2026-12-05',
  numbers: { ...totals, refunds: 0, firstResponseAvgMs: 3000, aiAnswerRate: 0.95, waitingHuman: 1, hasOrders: true, dayBefore: totals, weekBefore: totals },
  details: { unanswered: [{ question: '能开发票吗', count: 2 }], topSellers: [], topSellersOmitted: false, lowStock: [], advice: '明天一早先回复还在等的 1 位客户。' },
  text: [
    '【店小二】小麦面包坊 12月5日 周六 日报',
    '营业额 ¥825（比前一天多 94%）',
    'AI 没答上来的问题：',
    '1. 能开发票吗（2 位客户问过）',
    '明天：明天一早先回复还在等的 1 位客户。',
  ].join('\n'),
  builtAt: 0,
  live: false,
  push: { state: 'sent', to: ['LaoBan', 'XiaoLi'], attempts: 1, at: new Date(2026, 11, 5, 21, 0).getTime() },
  channels: [],
  ...over,
});
// jsdom has no canvas for ECharts to paint on: record what each chart is given instead (as sub/trends does).
const charts: { el: Element; options: Array<Record<string, unknown>> }[] = [];
jest.mock('../trends/echarts', () => ({
  echarts: {
    init: (el: Element) => {
      const c = { el, options: [] as Array<Record<string, unknown>> };
      charts.push(c);
      return { setOption: (o: Record<string, unknown>) => c.options.push(o), resize: () => undefined, dispose: () => undefined };
    },
    setPlatformAPI: () => undefined,
  },
}));
const actions = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));
const params = (p: Record<string, string>) => jest.spyOn(Taro, 'getCurrentInstance').mockReturnValue({ router: { params: p } } as never);

beforeEach(() => {
  charts.length = 0;
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
});

describe('日报 page (the push opens it)', () => {
  it("opens the pushed day's report of the shop the push names, with how the push went", async () => {
    params({ merchant: 'shop-b', kind: 'daily', date: '2026-12-05' });
    const fetch = mockFetch((b) => (b.action === 'me.get' ? ok(me) : b.action === 'reports.get' ? ok(report()) : fail(400, 'INPUT.INVALID', b.action)));
    const { container } = render(<ReportPage />);
    await waitFor(() => expect(container.querySelector('.report-card')).not.toBeNull());
    expect(actions(fetch).find((a) => a.action === 'reports.get')).toEqual({ action: 'reports.get', merchantId: 'shop-b', kind: 'daily', date: '2026-12-05' });
    expect(container.querySelector('.report-title')?.textContent).toBe('小麦面包坊 12月5日 周六 日报');
    expect([...container.querySelectorAll('.report-line')].map((e) => e.textContent)).toContain('1. 能开发票吗（2 位客户问过）');
    expect(container.querySelector('.report-advice')?.textContent).toBe('明天：明天一早先回复还在等的 1 位客户。');
    expect(container.querySelector('.report-push')?.textContent).toBe('12月5日 21:00 已推送给 2 人');
    expect(container.querySelector('.report-live')).toBeNull();
  });

  it("falls back to the current shop and today's report (recomputed) without parameters, and says why a push failed", async () => {
    params({});
    const fetch = mockFetch((b) =>
      b.action === 'me.get' ? ok(me) : ok(report({ live: true, push: { state: 'failed', to: [], attempts: 2, detail: '企业微信忙，稍后会自动再发' } })),
    );
    const { container } = render(<ReportPage />);
    await waitFor(() => expect(container.querySelector('.report-live')).not.toBeNull());
    expect(actions(fetch).find((a) => a.action === 'reports.get')).toMatchObject({ merchantId: 'demo-bakery', date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(container.querySelector('.report-push')?.textContent).toBe('推送没成功：企业微信忙，稍后会自动再发');
    expect(pushText(null)).toBe('还没推送');
    expect(pushText({ state: 'skipped', to: [], attempts: 0, detail: '没有能收报表的人' })).toBe('没有推送：没有能收报表的人');
  });

  it('says how the group robot and the subscribe message went, beside the app message', async () => {
    params({ merchant: 'shop-b', kind: 'daily', date: '2026-12-05' });
    const channels = [
      { channel: 'robot' as const, state: 'sent' as const, detail: '已发到群里', at: new Date(2026, 11, 5, 21, 0).getTime() },
      { channel: 'subscribe' as const, state: 'skipped' as const, reason: 'no_credit', detail: '订阅次数用完了，点一下再订阅' },
    ];
    mockFetch((b) => (b.action === 'me.get' ? ok(me) : ok(report({ channels }))));
    const { container } = render(<ReportPage />);
    await waitFor(() => expect(container.querySelector('.report-push-robot')).not.toBeNull());
    expect([...container.querySelectorAll('.report-push-channel')].map((e) => e.textContent)).toEqual([
      '群机器人：12月5日 21:00 已发出',
      '微信订阅消息：没发，订阅次数用完了，点一下再订阅',
    ]);
    expect(channelText({ channel: 'robot', state: 'failed', detail: '群机器人地址不对' })).toBe('群机器人：没发出去，群机器人地址不对');
  });
});

describe('日报 opened from a push for one of several shops (?merchant=)', () => {
  const gets = (fetch: jest.Mock) =>
    actions(fetch)
      .filter((a) => a.action === 'reports.get')
      .map((a) => a.merchantId as string);

  it('switches the whole app to the shop the push is about, not only this report', async () => {
    // the person last worked on their first shop; the report is the second's
    Taro.setStorageSync('xiaoer.merchantId', 'demo-bakery');
    params({ merchant: 'shop-b', kind: 'daily', date: '2026-12-05' });
    const fetch = mockFetch((b) => (b.action === 'me.get' ? ok(me) : b.action === 'reports.get' ? ok(report()) : fail(400, 'INPUT.INVALID', b.action)));
    const switched = jest.fn();
    const off = onShopSwitch(switched); // an open tab (今日) hears of it too
    const { container } = render(<ReportPage />);
    await waitFor(() => expect(container.querySelector('.report-card')).not.toBeNull());
    off();
    expect(gets(fetch)).toEqual(['shop-b']);
    expect(Taro.getStorageSync('xiaoer.merchantId')).toBe('shop-b');
    expect(switched).toHaveBeenCalledTimes(1);
  });

  it('stays on the current shop when the push names one the person is not in', async () => {
    Taro.setStorageSync('xiaoer.merchantId', 'shop-b');
    params({ merchant: 'someone-elses-shop', kind: 'daily', date: '2026-12-05' });
    const fetch = mockFetch((b) => (b.action === 'me.get' ? ok(me) : b.action === 'reports.get' ? ok(report()) : fail(400, 'INPUT.INVALID', b.action)));
    const switched = jest.fn();
    const off = onShopSwitch(switched);
    const { container } = render(<ReportPage />);
    await waitFor(() => expect(container.querySelector('.report-card')).not.toBeNull());
    off();
    expect(gets(fetch)).toEqual(['shop-b']);
    expect(Taro.getStorageSync('xiaoer.merchantId')).toBe('shop-b');
    expect(switched).not.toHaveBeenCalled();
  });
});

const week = (revenue: boolean): PeriodReportView => {
  const t = { revenueFen: revenue ? 512_000 : null, orders: 40, newCustomers: 9, consultations: 70, customerMessages: 150, aiAnswered: 60, aiHandoffs: 20 };
  return {
    kind: 'weekly',
    date: '2026-11-30',
    numbers: {
      ...t,
      first: '2026-11-30',
      last: '2026-12-06',
      dailyRevenueFen: revenue ? [10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 302_000] : null,
      dailyConsultations: [5, 6, 7, 8, 9, 10, 25],
      dailyOrders: [1, 2, 3, 4, 5, 6, 19],
      aiAnswerRate: 0.75,
      buyers: { buyers: 20, newBuyers: 12, returningBuyers: 8, repurchaseRate: 0.45 },
      hasOrders: true,
      weekBefore: { ...t, revenueFen: revenue ? 457_100 : null, consultations: 64 },
    },
    details: { bestSellers: [{ name: '杨枝甘露', qty: 31 }], slowSellers: [{ name: '椰果', qty: 0 }], sellersOmitted: false },
    text: '小麦面包坊 周报（11月30日–12月6日）\n营业额 ¥5,120.00',
    builtAt: 0,
    live: false,
    push: null,
    channels: [],
  };
};
const month: PeriodReportView = {
  kind: 'monthly',
  date: '2026-11-01',
  numbers: {
    revenueFen: 1_800_000,
    orders: 150,
    newCustomers: 30,
    consultations: 300,
    customerMessages: 700,
    aiAnswered: 200,
    aiHandoffs: 50,
    month: '2026-11',
    aiAnswerRate: 0.8,
    firstResponseAvgMs: 90_000,
    buyers: null,
    products: 12,
    lowStockProducts: 2,
    hasOrders: true,
    health: { score: 71, parts: { growth: 20, retention: 10, responsiveness: 19.4, aiCoverage: 16, stockHealth: 6 } },
  },
  details: { suggestions: ['12 个商品里有 2 个库存偏低：趁这周补货。', '复购率 30%：给新客发一张优惠券。', '把“AI 没答上来”里的问题教给它。'] },
  text: '小麦面包坊 2026年11月 月报\n经营健康分 71 分（满分 100）',
  builtAt: 0,
  live: true,
  push: { state: 'sent', to: ['LaoBan'], attempts: 1, at: new Date(2026, 11, 5, 9, 0).getTime() },
  channels: [],
};
type Series = { name: string; type: string; data: number[] };
const seriesOf = (i = 0) => (charts[i]!.options.at(-1)!.series as Series[]).map((s) => ({ name: s.name, type: s.type, data: s.data }));
const texts = (c: HTMLElement, sel: string) => [...c.querySelectorAll(sel)].map((e) => e.textContent);

describe('周报 and 月报 detail', () => {
  it('draws the week with ECharts in the app: revenue bars and the consultation line, sellers, buyers, AI rate', async () => {
    params({ merchant: 'demo-bakery', kind: 'weekly', date: '2026-12-02' });
    const fetch = mockFetch((b) => (b.action === 'me.get' ? ok(me) : ok(week(true))));
    const { container } = render(<ReportPage />);
    await waitFor(() => expect(charts).toHaveLength(1));
    expect(actions(fetch).find((a) => a.action === 'reports.get')).toEqual({ action: 'reports.get', merchantId: 'demo-bakery', kind: 'weekly', date: '2026-12-02' });
    expect(container.querySelector('.report-chart .echart')).not.toBeNull();
    expect(charts[0]!.el.classList.contains('echart')).toBe(true);
    expect(seriesOf()).toEqual([
      { name: '营业额（元）', type: 'bar', data: [100, 200, 300, 400, 500, 600, 3020] },
      { name: '咨询人数', type: 'line', data: [5, 6, 7, 8, 9, 10, 25] },
    ]);
    expect((charts[0]!.options[0]!.xAxis as { data: string[] }).data).toEqual(['周一', '周二', '周三', '周四', '周五', '周六', '周日']);
    expect(container.querySelector('.report-title')?.textContent).toBe('小麦面包坊 周报（11月30日–12月6日）');
    expect(container.querySelector('.stat-revenue .stat-value')?.textContent).toBe('¥5,120.00');
    expect(container.querySelector('.stat-revenue .stat-note')?.textContent).toBe('上周 ¥4,571.00');
    expect(container.querySelector('.stat-consultations .stat-note')?.textContent).toBe('上周 64');
    expect(container.querySelector('.stat-aiRate .stat-value')?.textContent).toBe('75%');
    expect(container.querySelector('.report-buyers .report-line')?.textContent).toBe('20 位：新客 12 位，回头客 8 位，复购率 45%');
    expect(texts(container, '.report-best .seller-name')).toEqual(['1. 杨枝甘露']);
    expect(texts(container, '.report-slow .seller-qty')).toEqual(['0 件']);
    expect(container.querySelector('.report-push')?.textContent).toBe('还没推送');
  });

  it('shows staff the week without revenue: order bars, no revenue figure', async () => {
    params({ kind: 'weekly', date: '2026-11-30' });
    mockFetch((b) => (b.action === 'me.get' ? ok(me) : ok(week(false))));
    const { container } = render(<ReportPage />);
    await waitFor(() => expect(charts).toHaveLength(1));
    expect(seriesOf().map((s) => s.name)).toEqual(['订单', '咨询人数']);
    expect(container.querySelector('.stat-revenue')).toBeNull();
    expect(container.textContent).toContain('营业额只有老板能看');
    expect(container.textContent).not.toContain('¥');
  });

  it('shows the month: the health score with its five parts and the three suggestions', async () => {
    params({ kind: 'monthly', date: '2026-11-15' });
    mockFetch((b) => (b.action === 'me.get' ? ok(me) : ok(month)));
    const { container } = render(<ReportPage />);
    await waitFor(() => expect(container.querySelector('.report-health')).not.toBeNull());
    expect(container.querySelector('.health-score')?.textContent).toBe('71 / 100');
    expect(texts(container, '.part-label')).toEqual(['增长', '回头客', '回复速度', 'AI 覆盖', '库存']);
    expect(texts(container, '.part-value')).toEqual(['20/20', '10/20', '19.4/20', '16/20', '6/20']);
    expect(texts(container, '.report-suggestion')).toEqual([
      '1. 12 个商品里有 2 个库存偏低：趁这周补货。',
      '2. 复购率 30%：给新客发一张优惠券。',
      '3. 把“AI 没答上来”里的问题教给它。',
    ]);
    expect(container.querySelector('.report-live')).not.toBeNull();
    expect(container.querySelector('.report-push')?.textContent).toBe('12月5日 09:00 已推送给 1 人');
    expect(charts).toHaveLength(0);
  });
});

describe('导出 Excel', () => {
  it('asks the server for the workbook of the report on screen and downloads it in H5', async () => {
    params({ kind: 'weekly', date: '2026-12-02' });
    const fetch = mockFetch((b) =>
      b.action === 'me.get' ? ok(me) : b.action === 'reports.get' ? ok(week(true)) : ok({ filename: '小麦面包坊-周报-2026-11-30至2026-12-06.xlsx', base64: 'UEsDBA==' }),
    );
    const blobs: Blob[] = [];
    const urls = { create: jest.fn((b: Blob) => (blobs.push(b), 'blob:x')), revoke: jest.fn() };
    Object.assign(URL, { createObjectURL: urls.create, revokeObjectURL: urls.revoke });
    const clicked: { download: string; href: string }[] = [];
    jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ download: this.download, href: this.getAttribute('href')! });
    });
    const { container } = render(<ReportPage />);
    await waitFor(() => expect(container.querySelector('.report-export')).not.toBeNull());
    expect(container.querySelector('.report-export')?.textContent).toBe('导出 Excel');
    await act(async () => {
      fireEvent.click(container.querySelector('.report-export')!);
    });
    await waitFor(() => expect(clicked).toHaveLength(1));
    // the period's own date (its Monday), as the server named it
    expect(actions(fetch).find((a) => a.action === 'reports.export')).toEqual({ action: 'reports.export', merchantId: 'demo-bakery', kind: 'weekly', date: '2026-11-30' });
    expect(clicked[0]).toEqual({ download: '小麦面包坊-周报-2026-11-30至2026-12-06.xlsx', href: 'blob:x' });
    expect(blobs[0]!.size).toBe(4);
    expect(blobs[0]!.type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  });

  it('in the mini program writes the file to its user folder and opens it with the share menu', async () => {
    const writeFile = jest.fn((o: { success: () => void }) => o.success());
    jest.spyOn(Taro, 'getFileSystemManager').mockReturnValue({ writeFile } as never);
    const openDocument = jest.fn(async () => ({ errMsg: 'ok' }));
    const taro = Taro as unknown as { env?: unknown; openDocument: unknown };
    const saved = { env: taro.env, openDocument: taro.openDocument, platform: process.env.TARO_ENV };
    Object.assign(taro, { env: { USER_DATA_PATH: 'wxfile://usr' }, openDocument });
    process.env.TARO_ENV = 'weapp';
    try {
      expect(await saveWorkbook({ filename: '月报.xlsx', base64: 'UEsDBA==' })).toBe('opened');
    } finally {
      process.env.TARO_ENV = saved.platform;
      Object.assign(taro, { env: saved.env, openDocument: saved.openDocument });
    }
    expect(writeFile).toHaveBeenCalledWith(expect.objectContaining({ filePath: 'wxfile://usr/月报.xlsx', data: 'UEsDBA==', encoding: 'base64' }));
    expect(openDocument).toHaveBeenCalledWith({ filePath: 'wxfile://usr/月报.xlsx', fileType: 'xlsx', showMenu: true });
  });
});
