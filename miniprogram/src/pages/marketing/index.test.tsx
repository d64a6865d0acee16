import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import MarketingPage from './index';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok, type Handler } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

type Campaign = ApiResult<'campaigns.list'>['campaigns'][number];

const texts = (root: ParentNode, sel: string) => Array.from(root.querySelectorAll(sel)).map((e) => e.textContent?.trim());
const actions = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));

const HOUR = 3_600_000;
const campaign = (over: Partial<Campaign>): Campaign => ({
  id: 'cmp-1',
  name: '新品上市',
  status: 'draft',
  audience: '会员',
  audienceText: '有「会员」',
  excludeMessagedDays: null,
  texts: ['新品上市啦'],
  attachments: [],
  sendAt: null,
  recipients: 12,
  waitingMembers: [],
  createdAt: Date.now() - 10 * HOUR,
  updatedAt: Date.now() - 10 * HOUR,
  delivered: 0,
  ...over,
});

const SETTINGS: ApiResult<'marketing.settings.get'> = {
  settings: { quota: 'monthDays', quietHours: { from: '21:00', to: '09:00' }, followupDailyCap: 200 },
  quotaText: '每位客户每月最多收到当月天数条群发',
  quotaOptions: [
    { value: 'monthDays', text: '每位客户每月最多收到当月天数条群发' },
    { value: 'week7', text: '每位客户每周最多收到 7 条群发' },
    { value: 'day1', text: '每位客户每天最多收到 1 条群发' },
  ],
};

function backend(campaigns: Campaign[], over: Record<string, Handler> = {}, who = me): Handler {
  return (b) => {
    if (over[b.action]) return over[b.action]!(b);
    switch (b.action) {
      case 'me.get':
        return ok(who);
      case 'campaigns.list':
        return ok({ campaigns });
      case 'marketing.settings.get':
        return ok(SETTINGS);
      case 'marketing.settings.save':
        return ok({ settings: { ...SETTINGS.settings, ...(b.settings as object) } });
      default:
        return fail(400, 'INPUT.INVALID', `unexpected ${b.action}`);
    }
  };
}

async function tap(el: Element | null | undefined) {
  expect(el).toBeTruthy();
  await act(async () => {
    fireEvent.click(el!);
  });
}

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
});

describe('营销 page', () => {
  it('lists the owner’s 群发 newest first, each status in words with its send time and numbers', async () => {
    const now = Date.now();
    const fetch = mockFetch(
      backend([
        campaign({ id: 'old', name: '老客回馈', status: 'sent', sendAt: now - 50 * HOUR, recipients: 40, delivered: 31, createdAt: now - 60 * HOUR }),
        campaign({ id: 'new', name: '周三会员日', status: 'scheduled', sendAt: now + 2 * HOUR, recipients: 25, createdAt: now - HOUR }),
        campaign({ id: 'mid', name: '新品上市', status: 'draft', createdAt: now - 5 * HOUR }),
        campaign({ id: 'cancelled', name: '清仓', status: 'cancelled', sendAt: now - 70 * HOUR, createdAt: now - 80 * HOUR }),
        campaign({ id: 'going', name: '生日关怀', status: 'sending', sendAt: now - 3 * HOUR, recipients: 8, delivered: 2, createdAt: now - 4 * HOUR }),
      ]),
    );
    const { container } = render(<MarketingPage />);
    await waitFor(() => expect(container.querySelectorAll('.mk-campaign')).toHaveLength(5));
    expect(texts(container, '.mk-campaign-name')).toEqual(['周三会员日', '生日关怀', '新品上市', '老客回馈', '清仓']);
    expect(texts(container, '.mk-campaign-status')).toEqual(['已安排', '发送中', '草稿', '已发完', '已取消']);
    expect(texts(container, '.mk-campaign-numbers')).toEqual([
      '发给 25 人 · 已送达 0 人',
      '发给 8 人 · 已送达 2 人',
      '预计 12 人能收到',
      '发给 40 人 · 已送达 31 人',
      '发给 12 人 · 已送达 0 人',
    ]);
    const when = texts(container, '.mk-campaign-when');
    expect(when[0]).toMatch(/^定在 .+ 发$/);
    expect(when[1]).toMatch(/开始发$/);
    expect(when[2]).toMatch(/^草稿，.+改过$/);
    expect(when[3]).toMatch(/发的$/);
    expect(when[4]).toMatch(/^原定 /);
    expect(container.textContent).toContain('店员要在企业微信里点确认');
    expect(container.textContent).not.toMatch(/draft|scheduled|sending|campaign|undefined|null|NaN/);
    expect(actions(fetch).map((b) => b.action)).toEqual(['me.get', 'campaigns.list', 'marketing.settings.get']);
  });

  it('says plainly when there is no 群发 yet, and 新建群发 opens the editor', async () => {
    mockFetch(backend([]));
    const nav = jest.spyOn(Taro, 'navigateTo').mockImplementation(() => Promise.resolve({ errMsg: 'ok' }) as never);
    const { container } = render(<MarketingPage />);
    await waitFor(() => expect(container.querySelector('.mk-empty')).not.toBeNull());
    expect(container.querySelector('.mk-empty')!.textContent).toContain('还没有发过群发');
    await tap(container.querySelector('.mk-new'));
    expect(nav).toHaveBeenCalledWith({ url: '/sub/campaign-edit/index' });
  });

  it('opens a 群发 from the list', async () => {
    mockFetch(backend([campaign({ id: 'cmp:a/1' })]));
    const nav = jest.spyOn(Taro, 'navigateTo').mockImplementation(() => Promise.resolve({ errMsg: 'ok' }) as never);
    const { container } = render(<MarketingPage />);
    await waitFor(() => expect(container.querySelector('.mk-campaign')).not.toBeNull());
    await tap(container.querySelector('.mk-campaign'));
    expect(nav).toHaveBeenCalledWith({ url: `/sub/campaign/index?id=${encodeURIComponent('cmp:a/1')}` });
  });

  it('staff see that 群发 is the owner’s, and nothing is asked of the server for it', async () => {
    const fetch = mockFetch(backend([], {}, { memberId: 'mem-2', merchants: [{ id: 'shop-b', name: '街角花店', role: 'staff' }] }));
    const { container } = render(<MarketingPage />);
    await waitFor(() => expect(container.querySelector('.mk-staff-note')).not.toBeNull());
    expect(container.textContent).toContain('群发由老板来安排');
    expect(container.querySelector('.mk-new')).toBeNull();
    expect(actions(fetch).map((b) => b.action)).toEqual(['me.get']);
  });

  it('opens 标签和规则 from its card', async () => {
    mockFetch(backend([]));
    const nav = jest.spyOn(Taro, 'navigateTo').mockImplementation(() => Promise.resolve({ errMsg: 'ok' }) as never);
    const { container } = render(<MarketingPage />);
    await tap(container.querySelector('.mk-tags'));
    expect(nav).toHaveBeenCalledWith({ url: '/sub/tags/index' });
  });

  it('群发设置: the quota in words, quiet hours, and only what changed is saved', async () => {
    const fetch = mockFetch(backend([]));
    jest.spyOn(Taro, 'showToast').mockImplementation(() => Promise.resolve({ errMsg: 'ok' }) as never);
    const { container } = render(<MarketingPage />);
    await waitFor(() => expect(container.querySelectorAll('.mk-quota')).toHaveLength(3));
    expect(container.querySelector('.mk-quota-on')!.textContent).toBe('每位客户每月最多收到当月天数条群发');
    expect(container.querySelector('.mk-quiet-from')!.textContent).toBe('从 21:00 ›');
    expect(container.querySelector('.mk-quiet-to')!.textContent).toBe('到第二天 09:00 ›');
    expect(container.querySelector('.mk-settings-save')).toBeNull();

    await tap(container.querySelector('.mk-quota-week7'));
    act(() => {
      container.querySelector('.mk-quiet-to')!.dispatchEvent(new CustomEvent('change', { detail: { value: '08:30' }, bubbles: true }));
    });
    await tap(container.querySelector('.mk-settings-save'));
    await waitFor(() => expect(container.querySelector('.mk-settings-save')).toBeNull());
    expect(actions(fetch).at(-1)).toEqual({
      action: 'marketing.settings.save',
      merchantId: 'demo-bakery',
      settings: { quota: 'week7', quietHours: { from: '21:00', to: '08:30' } },
    });
    expect(container.querySelector('.mk-quota-on')!.textContent).toBe('每位客户每周最多收到 7 条群发');
  });
});
