import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import ReportsPage from './index';
import { periodLabel, pushLabel, type ListItem } from './format';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

type Page = ApiResult<'reports.list'>;
const item = (over: Partial<ListItem>): ListItem => ({
  kind: 'daily',
  date: '2026-12-05',
  builtAt: 0,
  headline: '营业额 ¥825.00（比前一天多 94%）',
  push: 'sent',
  pushDetail: null,
  ...over,
});

// what the backend has stored, per kind, newest first
const stored: Record<string, ListItem[]> = {
  daily: [item({}), item({ date: '2026-12-04', push: 'skipped', pushDetail: '没有能收报表的人', headline: '营业额 ¥425.00' })],
  weekly: [
    item({ kind: 'weekly', date: '2026-11-30', push: 'failed', pushDetail: '连不上企业微信，稍后会自动再发', headline: '营业额 ¥5,120.00（比上周多 12%）' }),
    item({ kind: 'weekly', date: '2026-11-23', headline: '营业额 ¥4,571.00' }),
    item({ kind: 'weekly', date: '2026-11-16', push: 'pending', headline: '营业额 ¥3,990.00' }),
  ],
  monthly: [],
};
/** reports.list as the server pages it: `limit` items before `before`. */
function listed(b: Record<string, unknown>, pageSize?: number): Page {
  const all = stored[(b.kind as string) ?? 'daily']!.filter((i) => !b.before || i.date < (b.before as string));
  const n = pageSize ?? (b.limit as number);
  const items = all.slice(0, n);
  return { items, nextBefore: all.length > n ? items.at(-1)!.date : null };
}
const actions = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));
const lists = (fetch: jest.Mock) => actions(fetch).filter((a) => a.action === 'reports.list');
const rows = (c: HTMLElement) =>
  [...c.querySelectorAll('.report-row')].map((r) => [
    r.querySelector('.report-period')?.textContent,
    r.querySelector('.report-push-state')?.textContent,
    r.querySelector('.report-headline')?.textContent,
  ]);
async function tap(el: Element | null) {
  expect(el).not.toBeNull();
  await act(async () => {
    fireEvent.click(el!);
  });
}

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
});

describe('报表 list', () => {
  it('opens on 日报 with each report, its headline and how its push went', async () => {
    const fetch = mockFetch((b) => (b.action === 'me.get' ? ok(me) : b.action === 'reports.list' ? ok(listed(b)) : fail(400, 'INPUT.INVALID', b.action)));
    const { container } = render(<ReportsPage />);
    await waitFor(() => expect(container.querySelectorAll('.report-row')).toHaveLength(2));
    expect(lists(fetch)).toEqual([{ action: 'reports.list', merchantId: 'demo-bakery', kind: 'daily', limit: 20 }]);
    expect(rows(container)).toEqual([
      ['12月5日 周六', '已发送', '营业额 ¥825.00（比前一天多 94%）'],
      ['12月4日 周五', '没发：没有能收报表的人', '营业额 ¥425.00'],
    ]);
    expect(container.querySelector('.reports-tab-on')?.textContent).toBe('日报');
  });

  it('switches to 周报, loads more, and opens a week in the report page', async () => {
    const navigate = jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'ok' } as never);
    // two a page, so 加载更多 has a second page to fetch
    const fetch = mockFetch((b) => (b.action === 'me.get' ? ok(me) : ok(listed(b, 2))));
    const { container } = render(<ReportsPage />);
    await waitFor(() => expect(container.querySelectorAll('.report-row-daily')).toHaveLength(2));
    await tap(container.querySelector('.reports-tab-weekly'));
    await waitFor(() => expect(container.querySelectorAll('.report-row-weekly')).toHaveLength(2));
    expect(container.querySelector('.reports-tab-on')?.textContent).toBe('周报');
    expect(rows(container)[0]).toEqual(['11月30日–12月6日', '没发出去：连不上企业微信，稍后会自动再发', '营业额 ¥5,120.00（比上周多 12%）']);

    await tap(container.querySelector('.load-more'));
    await waitFor(() => expect(container.querySelectorAll('.report-row-weekly')).toHaveLength(3));
    expect(rows(container)[2]).toEqual(['11月16日–11月22日', '还没到时间', '营业额 ¥3,990.00']);
    expect(container.querySelector('.load-more')).toBeNull();
    expect(lists(fetch).map((a) => [a.kind, a.before])).toEqual([
      ['daily', undefined],
      ['weekly', undefined],
      ['weekly', '2026-11-23'],
    ]);

    await tap(container.querySelectorAll('.report-row')[1]!);
    expect(navigate).toHaveBeenLastCalledWith({ url: '/sub/report/index?merchant=demo-bakery&kind=weekly&date=2026-11-23' });
  });

  it('says when there is no 月报 yet and when it comes', async () => {
    mockFetch((b) => (b.action === 'me.get' ? ok(me) : ok(listed(b))));
    const { container } = render(<ReportsPage />);
    await waitFor(() => expect(container.querySelectorAll('.report-row')).toHaveLength(2));
    await tap(container.querySelector('.reports-tab-monthly'));
    await waitFor(() => expect(container.textContent).toContain('还没有月报'));
    expect(container.textContent).toContain('每月 5 号');
    expect(container.querySelector('.report-row')).toBeNull();
  });

  it('shows a failed load with 重试', async () => {
    let broken = true;
    mockFetch((b) => (b.action === 'me.get' ? ok(me) : broken ? fail(500, 'SERVER.INTERNAL', '服务器开小差了') : ok(listed(b))));
    const { container } = render(<ReportsPage />);
    await waitFor(() => expect(container.querySelector('.error-message')?.textContent).toBe('服务器开小差了'));
    broken = false;
    await tap(container.querySelector('.retry'));
    await waitFor(() => expect(container.querySelectorAll('.report-row')).toHaveLength(2));
  });
});

describe('report list wording', () => {
  it('names each period and push state plainly', () => {
    expect(periodLabel('monthly', '2026-11-01')).toBe('2026年11月');
    expect(periodLabel('weekly', '2026-12-28')).toBe('12月28日–1月3日');
    expect(pushLabel({ push: 'failed', pushDetail: null })).toBe('没发出去：稍后会自动再发');
    expect(pushLabel({ push: 'skipped', pushDetail: null })).toBe('没发');
    expect(pushLabel({ push: 'sending', pushDetail: null })).toBe('正在发送');
  });
});
