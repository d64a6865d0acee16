import { render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { ReportView } from '@xiaoer/shared/contracts/api-reports';
import ReportPage, { pushText } from './index';
import { resetSession } from '../../services/session';
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
  ...over,
});
const actions = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));
const params = (p: Record<string, string>) => jest.spyOn(Taro, 'getCurrentInstance').mockReturnValue({ router: { params: p } } as never);

beforeEach(() => {
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
});
