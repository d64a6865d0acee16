import { render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import AlertsPage from './index';
import { resetSession } from '../../services/session';
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
