import { render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import TodayPage from './index';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok } from '../../../test/fetch-mock';
import { badges, dashboard, me, trends } from '../../../test/fixtures';
import { recordingContext } from '../../components/trend/fakeContext';

const text = (root: ParentNode, selector: string) => root.querySelector(selector)?.textContent?.trim();

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
  jest.spyOn(Taro, 'setTabBarBadge').mockResolvedValue({ errMsg: 'ok' } as never);
  jest.spyOn(Taro, 'removeTabBarBadge').mockResolvedValue({ errMsg: 'ok' } as never);
  jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(() => recordingContext() as never);
});

function open(over: Parameters<typeof dashboard>[0]) {
  mockFetch((body) => {
    if (body.action === 'me.get') return ok(me);
    if (body.action === 'dashboard.today') return ok(dashboard(over));
    if (body.action === 'badges.get') return ok(badges());
    if (body.action === 'dashboard.trends') return ok(trends(body.days as 7 | 30));
    return fail(400, 'INPUT.INVALID', `unexpected ${body.action}`);
  });
  return render(<TodayPage />).container;
}

describe('今日 before the shop has any order', () => {
  it('says where orders come from instead of showing ¥0 as real', async () => {
    const zero = { orders: 0, revenueFen: 0 };
    const c = open({ hasOrders: false, revenueFen: 0, today: { ...dashboard().today, ...zero }, yesterday: { ...dashboard().yesterday, ...zero } });
    await waitFor(() => expect(c.querySelector('.revenue-none')).not.toBeNull());
    expect(text(c, '.revenue-none-title')).toBe('接入订单后这里显示营业额');
    expect(text(c, '.revenue-none')).toContain('收银或点单系统');
    expect(c.querySelector('.revenue-value')).toBeNull();
    expect(c.textContent).not.toContain('¥0');
    expect(text(c, '.counter-orders .counter-value')).toBe('—');
    expect(text(c, '.counter-orders .counter-hint')).toBe('接入订单后显示');
  });

  it('shows revenue and orders as usual once orders arrive', async () => {
    const c = open({ hasOrders: true });
    await waitFor(() => expect(text(c, '.counter-revenueFen .counter-value')).toBe('¥1,234.50'));
    expect(c.querySelector('.revenue-none')).toBeNull();
    expect(text(c, '.counter-orders .counter-value')).toBe('7');
  });

  it('staff see no revenue card either way, and the orders counter waits for orders too', async () => {
    const c = open({ hasOrders: false, role: 'staff', revenueFen: null });
    await waitFor(() => expect(text(c, '.counter-orders .counter-value')).toBe('—'));
    expect(c.querySelector('.revenue-none')).toBeNull();
    expect(c.querySelector('.counter-revenueFen')).toBeNull();
  });
});
