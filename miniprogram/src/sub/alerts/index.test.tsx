import { act, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import AlertsPage from './index';
import { onShopSwitch, resetSession, switchShop } from '../../services/session';
import { fail, mockFetch, ok, type Handler } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

const at = new Date(2026, 10, 22, 9, 0).getTime();
const items = [
  { key: 'stock:T01', kind: 'stockRed', day: '2026-11-22', text: '杨枝甘露 只剩 1 件，快卖完了，尽快补货', at, pushed: true },
  { key: 'order:big:NO-1', kind: 'bigOrder', day: '2026-11-21', text: '来了一笔大单：订单 NO-1，800 元', at: at - 3600_000, pushed: true },
];

const backend =
  (list: unknown[]): Handler =>
  (b) => {
    if (b.action === 'me.get') return ok(me);
    if (b.action === 'alerts.list') return ok({ items: list });
    return fail(400, 'INPUT.INVALID', `unexpected ${b.action}`);
  };

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
});

describe('提醒 page', () => {
  it('lists each alert with its kind and time, newest first as the server sends them', async () => {
    mockFetch(backend(items));
    const { container } = render(<AlertsPage />);
    await waitFor(() => expect(container.querySelectorAll('.alert-item').length).toBe(2));
    const [first, second] = Array.from(container.querySelectorAll('.alert-item'));
    expect(first!.querySelector('.alert-kind')?.textContent).toBe('快卖完了');
    expect(first!.querySelector('.alert-time')?.textContent).toBe('11月22日 09:00');
    expect(first!.querySelector('.alert-text')?.textContent).toContain('杨枝甘露');
    expect(second!.querySelector('.alert-kind')?.textContent).toBe('大单');
  });

  it('says what will show here when there is nothing yet', async () => {
    mockFetch(backend([]));
    const { container } = render(<AlertsPage />);
    await waitFor(() => expect(container.textContent).toContain('暂时没有提醒'));
  });
});

describe('提醒 opened from an alert push (?merchant=)', () => {
  /** Each shop's own alerts, so the page shows whose it loaded. */
  const perShop = (): Handler => (b) => {
    if (b.action === 'me.get') return ok(me);
    if (b.action === 'alerts.list') return ok({ items: b.merchantId === 'shop-b' ? [items[0]] : [items[1]] });
    return fail(400, 'INPUT.INVALID', `unexpected ${b.action}`);
  };
  const params = (p: Record<string, string>) => jest.spyOn(Taro, 'getCurrentInstance').mockReturnValue({ router: { params: p } } as never);
  const listedFor = (fetch: jest.Mock) =>
    fetch.mock.calls
      .map(([, init]) => JSON.parse((init as { body: string }).body))
      .filter((b) => b.action === 'alerts.list')
      .map((b) => b.merchantId as string);

  it('switches the whole app to the shop the push is about before loading', async () => {
    // the person last worked on their first shop; the push is about the second
    Taro.setStorageSync('xiaoer.merchantId', 'demo-bakery');
    params({ merchant: 'shop-b' });
    const fetch = mockFetch(perShop());
    const switched = jest.fn();
    const off = onShopSwitch(switched); // another open page (a tab) hears of it too
    const { container } = render(<AlertsPage />);
    await waitFor(() => expect(container.querySelector('.alert-kind')?.textContent).toBe('快卖完了'));
    off();
    expect(listedFor(fetch)).toEqual(['shop-b']);
    expect(Taro.getStorageSync('xiaoer.merchantId')).toBe('shop-b');
    expect(switched).toHaveBeenCalledTimes(1);
  });

  it('stays on the current shop when the push names one the person is not in', async () => {
    Taro.setStorageSync('xiaoer.merchantId', 'demo-bakery');
    params({ merchant: 'someone-elses-shop' });
    const fetch = mockFetch(perShop());
    const { container } = render(<AlertsPage />);
    await waitFor(() => expect(container.querySelector('.alert-kind')?.textContent).toBe('大单'));
    expect(listedFor(fetch)).toEqual(['demo-bakery']);
    expect(Taro.getStorageSync('xiaoer.merchantId')).toBe('demo-bakery');
  });

  it('follows the link once: a switch made later elsewhere wins', async () => {
    Taro.setStorageSync('xiaoer.merchantId', 'demo-bakery');
    params({ merchant: 'shop-b' });
    const fetch = mockFetch(perShop());
    const { container } = render(<AlertsPage />);
    await waitFor(() => expect(container.querySelector('.alert-kind')?.textContent).toBe('快卖完了'));
    await act(async () => switchShop('demo-bakery'));
    await waitFor(() => expect(container.querySelector('.alert-kind')?.textContent).toBe('大单'));
    expect(listedFor(fetch)).toEqual(['shop-b', 'demo-bakery']);
    expect(Taro.getStorageSync('xiaoer.merchantId')).toBe('demo-bakery');
  });
});
