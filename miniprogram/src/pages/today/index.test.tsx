import { fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import TodayPage from './index';
import { loadToday } from './useToday';
import { trendSeries } from './TrendCard';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok, type Handler } from '../../../test/fetch-mock';
import { badges, dashboard, me, trends } from '../../../test/fixtures';
import { recordingContext } from '../../components/trend/fakeContext';

const text = (root: ParentNode, selector: string) => root.querySelector(selector)?.textContent?.trim();
const actionsOf = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));

/** The backend as the page sees it; `over` replaces single actions. */
const backend =
  (over: Record<string, Handler> = {}): Handler =>
  (body) => {
    if (over[body.action]) return over[body.action]!(body);
    switch (body.action) {
      case 'me.get':
        return ok(me);
      case 'dashboard.today':
        return ok(dashboard());
      case 'badges.get':
        return ok(badges());
      case 'dashboard.trends':
        return ok(trends(body.days as 7 | 30));
      default:
        return fail(400, 'INPUT.INVALID', `unexpected ${body.action}`);
    }
  };

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
  // H5's tab bar badge waits for a tab bar that jsdom never renders
  jest.spyOn(Taro, 'setTabBarBadge').mockResolvedValue({ errMsg: 'ok' } as never);
  jest.spyOn(Taro, 'removeTabBarBadge').mockResolvedValue({ errMsg: 'ok' } as never);
  jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(() => recordingContext() as never);
});

describe('今日 page', () => {
  it('shows the shop name and today’s counters next to yesterday and last week at the same time of day', async () => {
    const fetch = mockFetch(backend());
    const { container } = render(<TodayPage />);

    await waitFor(() => expect(text(container, '.shop-name')).toBe('小麦面包坊'));
    expect(container.querySelector('.page-today')).not.toBeNull();
    expect(text(container, '.shop-meta')).toContain('11月22日');
    expect(text(container, '.counter-newCustomers .counter-label')).toBe('新客户');
    expect(text(container, '.counter-newCustomers .counter-value')).toBe('3');
    // today is not over yet: the earlier days as far as the same hour, 2026-11-22 being a Sunday
    expect(text(container, '.counter-newCustomers .counter-delta')).toBe('同时段：昨天 2 · 上周日 1');
    expect(text(container, '.counter-consultations .counter-delta')).toBe('同时段：昨天 12 · 上周日 8');
    expect(text(container, '.counter-customerMessages .counter-delta')).toBe('同时段：昨天 55 · 上周日 31');
    expect(text(container, '.counter-aiAnswered .counter-label')).toBe('AI 已回复');
    expect(text(container, '.counter-aiHandoffs .counter-label')).toBe('转人工');
    expect(text(container, '.counter-orders .counter-value')).toBe('7');
    expect(text(container, '.counter-waitingHuman .counter-value')).toBe('2');
    expect(text(container, '.counter-revenueFen .counter-value')).toBe('¥1,234.50');
    expect(text(container, '.counter-revenueFen .counter-delta')).toBe('同时段：昨天 ¥1,000.00 · 上周日 ¥800.00');
    expect(container.textContent).not.toMatch(/比昨天|昨天全天/);

    await waitFor(() => expect(container.querySelector('.trend-card canvas')).not.toBeNull());
    // the first-day checklist's own calls are counted in setup-checklist.test.tsx
    const actions = actionsOf(fetch).filter((a) => !['setup.check', 'kb.list', 'settings.get', 'members.list'].includes(a.action));
    expect(actions.slice(0, 3)).toEqual(
      expect.arrayContaining([{ action: 'me.get' }, { action: 'dashboard.today', merchantId: 'demo-bakery' }, { action: 'badges.get', merchantId: 'demo-bakery' }]),
    );
    expect(actions[3]).toEqual({ action: 'dashboard.trends', merchantId: 'demo-bakery', days: 7 });
    expect(actions).toHaveLength(4); // one of each for one showing
    expect(Taro.getStorageSync('xiaoer.merchantId')).toBe('demo-bakery');
  });

  it('hides revenue for staff', async () => {
    mockFetch(backend({ 'dashboard.today': () => ok(dashboard({ role: 'staff', revenueFen: null })) }));
    const { container } = render(<TodayPage />);
    await waitFor(() => expect(text(container, '.shop-name')).toBe('小麦面包坊'));
    expect(container.querySelector('.counter-revenueFen')).toBeNull();
    expect(text(container, '.shop-meta')).toContain('店员');
  });

  it('tells an expired session to ask the owner for a new login link', async () => {
    Taro.setStorageSync('xiaoer.signedInBefore', true);
    mockFetch(() => fail(401, 'AUTH.UNAUTHENTICATED', '请先登录'));
    const { container } = render(<TodayPage />);
    await waitFor(() => expect(container.textContent).toContain('登录已过期，请向老板要一个新的登录链接'));
    expect(container.querySelector('.retry')).toBeNull();
  });

  it('tells a first-time visitor how to get in, not that a login expired', async () => {
    mockFetch(() => fail(401, 'AUTH.UNAUTHENTICATED', '请先登录'));
    const { container } = render(<TodayPage />);
    await waitFor(() => expect(container.querySelector('.state-first-visit')).not.toBeNull());
    expect(container.textContent).toContain('欢迎使用店小二');
    expect(container.textContent).toContain('邀请链接');
    expect(container.textContent).toContain('npm start');
    expect(container.textContent).not.toContain('过期');
  });

  it('remembers a successful sign-in, so a later 401 reads as an expired login', async () => {
    mockFetch(backend());
    const first = render(<TodayPage />);
    await waitFor(() => expect(text(first.container, '.shop-name')).toBe('小麦面包坊'));
    first.unmount();
    resetSession();
    mockFetch(() => fail(401, 'AUTH.UNAUTHENTICATED', '请先登录'));
    const { container } = render(<TodayPage />);
    await waitFor(() => expect(container.textContent).toContain('登录已过期'));
    expect(container.querySelector('.state-first-visit')).toBeNull();
  });

  it('shows other errors with a 重试 button that loads again', async () => {
    let broken = true;
    const ok = backend();
    mockFetch((body) => (broken ? fail(500, 'SERVER.INTERNAL', '服务器开小差了') : ok(body)));
    const { container } = render(<TodayPage />);
    await waitFor(() => expect(text(container, '.error-message')).toBe('服务器开小差了'));
    broken = false;
    fireEvent.click(container.querySelector('.retry')!);
    await waitFor(() => expect(text(container, '.shop-name')).toBe('小麦面包坊'));
  });

  it('shows an empty state when the member has no shop', async () => {
    mockFetch(() => ok({ memberId: 'mem-1', merchants: [] }));
    const { container } = render(<TodayPage />);
    await waitFor(() => expect(container.querySelector('.today-empty')).not.toBeNull());
    expect(container.textContent).toContain('还没有店铺');
  });

  it('joins a shop with an invite code from the empty state, then shows that shop', async () => {
    let joined = false;
    const fetch = mockFetch(
      backend({
        'me.get': () => ok(joined ? me : { memberId: 'mem-1', merchants: [] }),
        'me.join': (body) => {
          if (body.code !== 'AB12CD') return fail(404, 'NOT_FOUND.INVITE', '邀请码不对或已经用过了');
          joined = true;
          return ok({ merchant: me.merchants[0] });
        },
      }),
    );
    const { container } = render(<TodayPage />);
    // Stencil renders the inner <input> a moment after React mounts the host
    const input = await waitFor(() => {
      const el = container.querySelector('.join-code input') as HTMLInputElement | null;
      expect(el).not.toBeNull();
      return el!;
    });
    fireEvent.click(container.querySelector('.join-submit')!);
    await waitFor(() => expect(text(container, '.join-error')).toBe('先填上邀请码'));
    fireEvent.input(input, { target: { value: 'WRONG1' } });
    fireEvent.click(container.querySelector('.join-submit')!);
    await waitFor(() => expect(text(container, '.join-error')).toBe('邀请码不对或已经用过了'));
    fireEvent.input(input, { target: { value: ' AB12CD ' } });
    fireEvent.click(container.querySelector('.join-submit')!);
    await waitFor(() => expect(text(container, '.shop-name')).toBe('小麦面包坊'));
    expect(
      actionsOf(fetch)
        .filter((b) => b.action === 'me.join')
        .map((b) => b.code),
    ).toEqual(['WRONG1', 'AB12CD']);
  });
});

describe('今日 trend card', () => {
  it('draws 7 days on the canvas, switches to 30 days once, and links to 经营趋势', async () => {
    const ctx = recordingContext();
    jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(() => ctx as never);
    const navigate = jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'ok' } as never);
    const fetch = mockFetch(backend());
    const { container } = render(<TodayPage />);

    // the card draws after the page's own reads (numbers, trend, the set-up checks): on a busy CI
    // machine that took over the default 1 s
    await waitFor(() => expect(ctx.ops.some((o) => o.op === 'stroke')).toBe(true), { timeout: 5_000 });
    expect(text(container, '.trend-title')).toBe('近 7 天');
    expect(text(container, '.trend-sum')).toBe('7 天里 28 人次来问，AI 回复了 21 个问题');
    expect(ctx.ops.filter((o) => o.op === 'fillText').map((o) => o.args[0])).toContain('11/22');

    fireEvent.click(container.querySelector('.trend-30')!);
    await waitFor(() => expect(text(container, '.trend-title')).toBe('近 30 天'));
    await waitFor(() => expect(text(container, '.trend-sum')).toContain('30 天里 465 人次来问'));
    fireEvent.click(container.querySelector('.trend-7')!);
    await waitFor(() => expect(text(container, '.trend-sum')).toContain('7 天里'));
    const trendCalls = actionsOf(fetch).filter((a) => a.action === 'dashboard.trends');
    expect(trendCalls.map((a) => a.days)).toEqual([7, 30]); // 7 again came from what was already loaded

    fireEvent.click(container.querySelector('.trend-more')!);
    expect(text(container, '.trend-more')).toBe('看更多趋势 ›');
    expect(navigate).toHaveBeenCalledWith({ url: '/sub/trends/index' });
  });

  it('keeps the page when only the trend fails, with a 重试 in the card', async () => {
    let broken = true;
    const fetch = mockFetch(backend({ 'dashboard.trends': (b) => (broken ? fail(500, 'SERVER.INTERNAL', '趋势服务开小差了') : ok(trends(b.days as 7))) }));
    const { container } = render(<TodayPage />);
    await waitFor(() => expect(text(container, '.trend-failed-text')).toBe('趋势服务开小差了'));
    expect(text(container, '.shop-name')).toBe('小麦面包坊');
    broken = false;
    fireEvent.click(container.querySelector('.trend-retry')!);
    await waitFor(() => expect(container.querySelector('.trend-card canvas')).not.toBeNull());
    expect(actionsOf(fetch).filter((a) => a.action === 'dashboard.trends')).toHaveLength(2);
  });

  it('maps consultations and AI 已回复 per day into the two lines', () => {
    const { series, labels } = trendSeries(trends(7));
    expect(labels).toEqual(['11/16', '11/17', '11/18', '11/19', '11/20', '11/21', '11/22']);
    expect(series.map((s) => s.name)).toEqual(['咨询人数', 'AI 已回复']);
    expect(series[0]!.values).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(series[1]!.values).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('今日 links', () => {
  it('shows how many questions the AI could not answer and opens 教 AI', async () => {
    const navigate = jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'ok' } as never);
    mockFetch(backend());
    const { container } = render(<TodayPage />);
    await waitFor(() => expect(text(container, '.teach-link .teach-count')).toBe('3'));
    expect(text(container, '.teach-link')).toContain('AI 没答上来');
    fireEvent.click(container.querySelector('.teach-link')!);
    expect(navigate).toHaveBeenLastCalledWith({ url: '/sub/teach/index' });
    expect(text(container, '.kb-link')).toContain('知识库 ›');
    fireEvent.click(container.querySelector('.kb-link')!);
    expect(navigate).toHaveBeenLastCalledWith({ url: '/sub/kb/index' });
    expect(text(container, '.reports-link')).toContain('看报表 ›');
    fireEvent.click(container.querySelector('.reports-link')!);
    expect(navigate).toHaveBeenLastCalledWith({ url: '/sub/reports/index' });
  });

  it('says the AI answered everything when nothing is waiting to be taught', async () => {
    mockFetch(backend({ 'badges.get': () => ok(badges({ unanswered: 0 })) }));
    const { container } = render(<TodayPage />);
    await waitFor(() => expect(text(container, '.teach-link')).toContain('AI 都答上来了'));
    expect(container.querySelector('.teach-count')).toBeNull();
  });

  it('still links to 教 AI, without a number, when the badges could not be loaded', async () => {
    mockFetch(backend({ 'badges.get': () => fail(500, 'SERVER.INTERNAL', 'x') }));
    const { container } = render(<TodayPage />);
    await waitFor(() => expect(text(container, '.shop-name')).toBe('小麦面包坊'));
    expect(container.querySelector('.teach-count')).toBeNull();
    expect(text(container, '.teach-link')).toContain('看看 AI 没答上来的问题');
  });
});

describe('今日 WeCom problems', () => {
  const problem = {
    kind: 'kf' as const,
    title: '微信客服的 Secret 不对',
    fix: '到企业微信管理后台 → 应用管理 → 微信客服 → API 重新复制 Secret（不要带空格），换到店小二的企业微信设置里',
    effect: 'AI 现在回不了客户',
    at: 1763780400000,
  };

  it('shows a configuration problem first, with what to do, and opens the connection check', async () => {
    const navigate = jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'ok' } as never);
    mockFetch(backend({ 'dashboard.today': () => ok(dashboard({ wecomProblems: [problem] })) }));
    const { container } = render(<TodayPage />);
    await waitFor(() => expect(container.querySelector('.wecom-problems')).not.toBeNull());
    expect(text(container, '.problem-kf .problem-title')).toBe('微信客服的 Secret 不对，AI 现在回不了客户');
    expect(text(container, '.problem-kf .problem-fix')).toBe(`怎么改：${problem.fix}`);
    // before the rest of the day's numbers
    const ready = container.querySelector('.today-ready')!;
    expect(Array.from(ready.children).indexOf(container.querySelector('.wecom-problems')!)).toBeLessThan(Array.from(ready.children).indexOf(container.querySelector('.waiting')!));
    fireEvent.click(container.querySelector('.wecom-problems')!);
    expect(navigate).toHaveBeenLastCalledWith({ url: '/sub/setup/index' });
  });

  it('shows nothing about WeCom while every call works', async () => {
    mockFetch(backend());
    const { container } = render(<TodayPage />);
    await waitFor(() => expect(text(container, '.shop-name')).toBe('小麦面包坊'));
    expect(container.querySelector('.wecom-problems')).toBeNull();
  });
});

describe('loadToday()', () => {
  it('uses the shop remembered in storage when the member still belongs to it', async () => {
    Taro.setStorageSync('xiaoer.merchantId', 'shop-b');
    const fetch = mockFetch(backend());
    const state = await loadToday();
    expect(state.status).toBe('ready');
    expect(actionsOf(fetch)[1]).toMatchObject({ merchantId: 'shop-b' });
  });

  it('falls back to the first shop when the remembered one is gone', async () => {
    Taro.setStorageSync('xiaoer.merchantId', 'closed-shop');
    mockFetch(backend());
    await loadToday();
    expect(Taro.getStorageSync('xiaoer.merchantId')).toBe('demo-bakery');
  });
});
