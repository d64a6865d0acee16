import { fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import MePage from './index';
import TodayPage from '../today/index';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

const text = (root: ParentNode, selector: string) => root.querySelector(selector)?.textContent?.trim();
const actions = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body).action);

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
  // jsdom has no tab bar, so Taro's H5 badge calls would never settle
  jest.spyOn(Taro, 'setTabBarBadge').mockResolvedValue({ errMsg: 'ok' } as never);
  jest.spyOn(Taro, 'removeTabBarBadge').mockResolvedValue({ errMsg: 'ok' } as never);
});

describe('我的 page', () => {
  it('shows the owner every row, with the 没答上来 count', async () => {
    const fetch = mockFetch(({ action }) => (action === 'me.get' ? ok(me) : ok({ waitingHuman: 0, unanswered: 5 })));
    const { container } = render(<MePage />);
    await waitFor(() => expect(text(container, '.me-shop-name')).toBe('小麦面包坊'));
    expect(container.querySelector('.page-me')).not.toBeNull();
    expect(text(container, '.me-role')).toBe('老板');
    for (const row of ['kb', 'teach', 'products', 'alerts', 'settings', 'staff', 'setup']) expect(container.querySelector(`.menu-${row}`)).not.toBeNull();
    await waitFor(() => expect(text(container, '.menu-teach .me-count')).toBe('5'));
    // me.get once, badges once: nothing twice for one showing
    expect(actions(fetch)).toEqual(['me.get', 'badges.get']);
  });

  it('hides owner rows from staff', async () => {
    Taro.setStorageSync('xiaoer.merchantId', 'shop-b');
    mockFetch(({ action }) => (action === 'me.get' ? ok(me) : ok({ waitingHuman: 0, unanswered: 0 })));
    const { container } = render(<MePage />);
    await waitFor(() => expect(text(container, '.me-shop-name')).toBe('街角花店'));
    expect(text(container, '.me-role')).toBe('店员');
    expect(container.querySelector('.menu-kb')).not.toBeNull();
    expect(container.querySelector('.menu-teach')).not.toBeNull();
    expect(container.querySelector('.menu-alerts')).not.toBeNull();
    expect(container.querySelector('.menu-reports')).not.toBeNull();
    expect(container.querySelector('.menu-products')).not.toBeNull();
    expect(container.querySelector('.menu-settings')).toBeNull();
    expect(container.querySelector('.menu-staff')).toBeNull();
    expect(container.querySelector('.menu-setup')).toBeNull();
    expect(container.querySelector('.me-count')).toBeNull();
  });

  it('opens a row’s page', async () => {
    mockFetch(({ action }) => (action === 'me.get' ? ok(me) : ok({ waitingHuman: 0, unanswered: 0 })));
    const nav = jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' } as never);
    const { container } = render(<MePage />);
    await waitFor(() => expect(container.querySelector('.menu-settings')).not.toBeNull());
    fireEvent.click(container.querySelector('.menu-settings')!);
    expect(nav).toHaveBeenCalledWith({ url: '/sub/settings/index' });
  });

  it('switches shop and starts over from 今日', async () => {
    mockFetch(({ action }) => (action === 'me.get' ? ok(me) : ok({ waitingHuman: 0, unanswered: 0 })));
    jest.spyOn(Taro, 'showActionSheet').mockResolvedValue({ tapIndex: 0, errMsg: 'ok' } as never);
    const relaunch = jest.spyOn(Taro, 'reLaunch').mockResolvedValue({ errMsg: 'ok' } as never);
    const { container } = render(<MePage />);
    await waitFor(() => expect(container.querySelector('.switch-shop')).not.toBeNull());
    fireEvent.click(container.querySelector('.switch-shop')!);
    await waitFor(() => expect(relaunch).toHaveBeenCalledWith({ url: '/pages/today/index' }));
    expect(Taro.getStorageSync('xiaoer.merchantId')).toBe('shop-b');
  });

  it('offers no switch with a single shop', async () => {
    mockFetch(({ action }) => (action === 'me.get' ? ok({ memberId: 'm', merchants: [me.merchants[0]] }) : ok({ waitingHuman: 0, unanswered: 0 })));
    const { container } = render(<MePage />);
    await waitFor(() => expect(text(container, '.me-shop-name')).toBe('小麦面包坊'));
    expect(container.querySelector('.switch-shop')).toBeNull();
  });

  it('still shows the menu when the count cannot load', async () => {
    mockFetch(({ action }) => (action === 'me.get' ? ok(me) : fail(500, 'SERVER.INTERNAL', '服务器开小差了')));
    const { container } = render(<MePage />);
    await waitFor(() => expect(container.querySelector('.menu-teach')).not.toBeNull());
    expect(container.querySelector('.me-count')).toBeNull();
  });

  it('does not hold the menu back when the tab bar badge never settles', async () => {
    jest.spyOn(Taro, 'removeTabBarBadge').mockReturnValue(new Promise(() => undefined) as never);
    mockFetch(({ action }) => (action === 'me.get' ? ok(me) : ok({ waitingHuman: 0, unanswered: 0 })));
    const { container } = render(<MePage />);
    await waitFor(() => expect(container.querySelector('.menu-teach') !== null).toBe(true));
  });

  it('shows an error with 重试', async () => {
    let broken = true;
    mockFetch(({ action }) => {
      if (broken) return fail(500, 'SERVER.INTERNAL', '服务器开小差了');
      return action === 'me.get' ? ok(me) : ok({ waitingHuman: 0, unanswered: 0 });
    });
    const { container } = render(<MePage />);
    await waitFor(() => expect(text(container, '.error-message')).toBe('服务器开小差了'));
    broken = false;
    fireEvent.click(container.querySelector('.retry')!);
    await waitFor(() => expect(text(container, '.me-shop-name')).toBe('小麦面包坊'));
  });

  it('signs the owner out everywhere after a confirm, then shows the signed-out screen', async () => {
    let signedOut = false;
    const fetch = mockFetch(({ action }) => {
      if (signedOut) return fail(401, 'AUTH.UNAUTHENTICATED', '登录已过期');
      if (action === 'me.signOutEverywhere') {
        signedOut = true;
        return ok({ signedOutAt: 1763780400000 });
      }
      return action === 'me.get' ? ok(me) : ok({ waitingHuman: 0, unanswered: 0 });
    });
    const modal = jest.spyOn(Taro, 'showModal').mockResolvedValueOnce({ confirm: false, cancel: true, errMsg: 'ok' } as never);
    const relaunch = jest.spyOn(Taro, 'reLaunch').mockResolvedValue({ errMsg: 'ok' } as never);
    const { container, unmount } = render(<MePage />);
    await waitFor(() => expect(container.querySelector('.menu-signout')).not.toBeNull());

    // changed their mind: nothing happens
    fireEvent.click(container.querySelector('.menu-signout')!);
    await waitFor(() => expect(modal).toHaveBeenCalledTimes(1));
    expect(actions(fetch)).not.toContain('me.signOutEverywhere');

    modal.mockResolvedValueOnce({ confirm: true, cancel: false, errMsg: 'ok' } as never);
    fireEvent.click(container.querySelector('.menu-signout')!);
    await waitFor(() => expect(relaunch).toHaveBeenCalledWith({ url: '/pages/today/index' }));
    expect(actions(fetch).filter((a) => a === 'me.signOutEverywhere')).toHaveLength(1);
    unmount();

    // where the app lands: its signed-out screen, saying why
    const today = render(<TodayPage />);
    await waitFor(() => expect(text(today.container, '.today-auth-expired .error-message')).toBe('已经在所有设备上退出了。要再用，请打开一个新的登录链接'));
  });

  it('says why signing out everywhere failed, and stays', async () => {
    mockFetch(({ action }) => {
      if (action === 'me.signOutEverywhere') return fail(503, 'NETWORK.UNREACHABLE', '连不上服务器，请检查网络后重试');
      return action === 'me.get' ? ok(me) : ok({ waitingHuman: 0, unanswered: 0 });
    });
    jest.spyOn(Taro, 'showModal').mockResolvedValue({ confirm: true, cancel: false, errMsg: 'ok' } as never);
    const relaunch = jest.spyOn(Taro, 'reLaunch').mockResolvedValue({ errMsg: 'ok' } as never);
    const { container } = render(<MePage />);
    await waitFor(() => expect(container.querySelector('.menu-signout')).not.toBeNull());
    fireEvent.click(container.querySelector('.menu-signout')!);
    await waitFor(() => expect(text(container, '.me-error')).toBe('连不上服务器，请检查网络后重试'));
    expect(relaunch).not.toHaveBeenCalled();
  });

  it('offers signing out everywhere to owners on the web app only', async () => {
    mockFetch(({ action }) => (action === 'me.get' ? ok(me) : ok({ waitingHuman: 0, unanswered: 0 })));
    Taro.setStorageSync('xiaoer.merchantId', 'shop-b');
    const staff = render(<MePage />);
    await waitFor(() => expect(text(staff.container, '.me-role')).toBe('店员'));
    expect(staff.container.querySelector('.menu-signout')).toBeNull();
    staff.unmount();

    resetSession();
    Taro.setStorageSync('xiaoer.merchantId', 'demo-bakery');
    const owner = render(<MePage />);
    await waitFor(() => expect(owner.container.querySelector('.menu-signout')).not.toBeNull());
    // the same page in the mini-program, which signs in with WeChat: there is no session to end
    process.env.TARO_ENV = 'weapp';
    try {
      owner.rerender(<MePage />);
      expect(text(owner.container, '.me-role')).toBe('老板');
      expect(owner.container.querySelector('.menu-signout')).toBeNull();
    } finally {
      process.env.TARO_ENV = 'h5';
    }
  });
});
