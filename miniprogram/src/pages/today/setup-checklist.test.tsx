import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { ApiResult, SettingsView } from '@xiaoer/shared/contracts/api';
import TodayPage from './index';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok } from '../../../test/fetch-mock';
import { badges, dashboard, faq, me, trends } from '../../../test/fixtures';
import { recordingContext } from '../../components/trend/fakeContext';

const text = (root: ParentNode, selector: string) => root.querySelector(selector)?.textContent?.trim();
const actionsOf = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body).action as string);

const settings = (over: Partial<SettingsView> = {}): SettingsView => ({
  id: 'demo-bakery',
  name: '小麦面包坊',
  industry: '烘焙',
  timezone: 'Asia/Shanghai',
  aiPersona: '',
  businessHours: null,
  answerRules: { handoffWords: [], bannedWords: [], aliases: [] },
  reports: { dailyAt: '21:00', recipients: null, format: 'textcard', channels: ['app'], robot: { configured: false, hint: null } },
  wecom: { corpId: '', agentId: null, secrets: { app: null, contact: null, kf: null }, callbackToken: '', callbackAesKey: '', kfCallbackConfigured: false },
  ...over,
});
const item = (key: string, ok: boolean) => ({ key, ok, label: key, detail: '', fix: ok ? null : '去设置' });
const owner = { id: 'm1', name: '老板', role: 'owner' as const, onDuty: true, wecomUserId: null, you: true };
const staff = { id: 'm2', name: '小李', role: 'staff' as const, onDuty: true, wecomUserId: null };

/** A shop as setup sees it; change the fields between showings. */
const shop = { connected: false, faqs: 0, hours: false, staff: false };

function backend(over: Partial<ApiResult<'dashboard.today'>> = {}) {
  return mockFetch((body) => {
    switch (body.action) {
      case 'me.get':
        return ok(me);
      case 'dashboard.today':
        return ok(dashboard(over));
      case 'badges.get':
        return ok(badges({ unanswered: 0, waitingHuman: 0 }));
      case 'dashboard.trends':
        return ok(trends(body.days as 7));
      case 'setup.check': {
        const items = [item('callback', shop.connected), item('events', shop.connected), item('token_kf', shop.connected), item('notify', false)];
        return ok({ items, allOk: false });
      }
      case 'kb.list':
        return ok({ faqs: Array.from({ length: Math.min(shop.faqs, Number(body.limit ?? 100)) }, (_, i) => faq({ id: `f${i}` })), nextCursor: null });
      case 'settings.get':
        return ok(settings(shop.hours ? { businessHours: { open: '09:00', close: '21:00', closedDays: [] } } : {}));
      case 'members.list':
        return ok({ members: shop.staff ? [owner, staff] : [owner] });
      default:
        return fail(400, 'INPUT.INVALID', `unexpected ${body.action}`);
    }
  });
}

beforeEach(() => {
  Object.assign(shop, { connected: false, faqs: 0, hours: false, staff: false });
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
  jest.spyOn(Taro, 'setTabBarBadge').mockResolvedValue({ errMsg: 'ok' } as never);
  jest.spyOn(Taro, 'removeTabBarBadge').mockResolvedValue({ errMsg: 'ok' } as never);
  jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(() => recordingContext() as never);
});

describe('今日 on a new shop’s first day', () => {
  it('shows the set-up checklist instead of "AI 都答上来了", each step linking to where it is done', async () => {
    const navigate = jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'ok' } as never);
    backend();
    const { container } = render(<TodayPage />);
    await waitFor(() => expect(container.querySelector('.setup-checklist')).not.toBeNull());
    expect(text(container, '.setup-progress')).toBe('0/4 已完成');
    expect(text(container, '.setup-step-wecom .setup-step-title')).toBe('连上企业微信');
    expect(text(container, '.setup-step-faqs')).toContain('导入');
    expect(text(container, '.setup-step-hours .setup-step-title')).toBe('设置营业时间');
    expect(text(container, '.setup-step-staff .setup-step-title')).toBe('邀请店员');
    expect(container.textContent).not.toContain('AI 都答上来了');

    const urls: Record<string, string> = { wecom: '/sub/setup/index', faqs: '/sub/kb/index', hours: '/sub/settings/index', staff: '/sub/staff/index' };
    for (const [key, url] of Object.entries(urls)) {
      fireEvent.click(container.querySelector(`.setup-step-${key}`)!);
      expect(navigate).toHaveBeenLastCalledWith({ url });
    }
  });

  it('ticks steps off as they get done, and goes away for good once connected with knowledge', async () => {
    backend();
    const first = render(<TodayPage />);
    await waitFor(() => expect(first.container.querySelector('.setup-checklist')).not.toBeNull());
    first.unmount();

    // the owner added FAQs and hours, then came back to 今日
    Object.assign(shop, { faqs: 3, hours: true });
    const second = render(<TodayPage />);
    await waitFor(() => expect(text(second.container, '.setup-progress')).toBe('2/4 已完成'));
    expect(second.container.querySelector('.setup-step-faqs.setup-step-done')).not.toBeNull();
    expect(second.container.querySelector('.setup-step-hours.setup-step-done')).not.toBeNull();
    expect(second.container.querySelector('.setup-step-wecom.setup-step-done')).toBeNull();
    second.unmount();

    shop.connected = true;
    const third = render(<TodayPage />);
    await waitFor(() => expect(third.container.querySelector('.teach-link')).not.toBeNull());
    await act(async () => undefined);
    expect(third.container.querySelector('.setup-checklist')).toBeNull();
    expect(third.container.textContent).toContain('AI 都答上来了');
    third.unmount();

    // done is remembered: later showings do not ask WeCom again
    const fetch = backend();
    const fourth = render(<TodayPage />);
    await waitFor(() => expect(text(fourth.container, '.shop-name')).toBe('小麦面包坊'));
    await act(async () => undefined);
    expect(fourth.container.querySelector('.setup-checklist')).toBeNull();
    expect(actionsOf(fetch)).not.toContain('setup.check');
  });

  it('a quiet week shows words in the trend card, not an axis from 0 to 1', async () => {
    mockFetch((body) => {
      if (body.action === 'me.get') return ok(me);
      if (body.action === 'dashboard.today') return ok(dashboard());
      if (body.action === 'badges.get') return ok(badges());
      if (body.action === 'dashboard.trends') {
        const t = trends(7);
        t.days.forEach((d) => Object.keys(d.counters).forEach((k) => ((d.counters as Record<string, number>)[k] = 0)));
        return ok(t);
      }
      return fail(500, 'SERVER.INTERNAL', 'x');
    });
    const { container } = render(<TodayPage />);
    await waitFor(() => expect(container.querySelector('.trend-empty')).not.toBeNull());
    expect(text(container, '.trend-empty')).toContain('还没有客户来问');
    expect(container.querySelector('.trend-card canvas')).toBeNull();
  });

  it('is not shown to staff, who cannot change any of it', async () => {
    const fetch = backend({ role: 'staff', revenueFen: null });
    const { container } = render(<TodayPage />);
    await waitFor(() => expect(text(container, '.shop-meta')).toContain('店员'));
    await act(async () => undefined);
    expect(container.querySelector('.setup-checklist')).toBeNull();
    expect(actionsOf(fetch)).not.toContain('setup.check');
  });

  it('keeps the rest of 今日 when the checklist cannot load', async () => {
    mockFetch((body) => {
      if (body.action === 'me.get') return ok(me);
      if (body.action === 'dashboard.today') return ok(dashboard());
      if (body.action === 'dashboard.trends') return ok(trends(7));
      if (body.action === 'badges.get') return ok(badges());
      return fail(500, 'SERVER.INTERNAL', '服务器开小差了');
    });
    const { container } = render(<TodayPage />);
    await waitFor(() => expect(text(container, '.shop-name')).toBe('小麦面包坊'));
    await act(async () => undefined);
    expect(container.querySelector('.setup-checklist')).toBeNull();
    expect(container.textContent).not.toContain('服务器开小差了');
  });
});
