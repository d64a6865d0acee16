import { fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { OrdersCard } from './OrdersCard';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok } from '../../../test/fetch-mock';

const text = (root: ParentNode, selector: string) => root.querySelector(selector)?.textContent?.trim();
const SECRET = 'whsec_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd';

beforeEach(() => {
  resetSession();
  jest.restoreAllMocks();
});

describe('订单接入 (settings)', () => {
  it('makes the first secret and shows it once, to copy', async () => {
    let configured = false;
    const fetch = mockFetch((body) => {
      if (body.action === 'webhook.get') return ok({ configured, rotatedAt: null, path: '/webhook/orders/demo-bakery' });
      if (body.action === 'webhook.rotate') {
        configured = true;
        return ok({ secret: SECRET, rotatedAt: Date.UTC(2026, 10, 22, 4) });
      }
      return fail(404, 'INPUT.UNKNOWN_ACTION', '没有这个操作');
    });
    const modal = jest.spyOn(Taro, 'showModal');
    const clip = jest.spyOn(Taro, 'setClipboardData').mockResolvedValue({ errMsg: 'ok' } as never);
    const { container } = render(<OrdersCard merchantId="demo-bakery" />);
    await waitFor(() => expect(text(container, '.orders-status .settings-value')).toBe('还没生成'));
    expect(text(container, '.orders-path .settings-value')).toBe('/webhook/orders/demo-bakery');
    expect(text(container, '.orders-rotate')).toBe('生成订单回调密钥');
    fireEvent.click(container.querySelector('.orders-rotate')!);
    await waitFor(() => expect(text(container, '.orders-secret-value')).toBe(SECRET));
    // the first one replaces nothing: no confirmation asked
    expect(modal).not.toHaveBeenCalled();
    expect(text(container, '.orders-status .settings-value')).toMatch(/^已生成/);
    expect(text(container, '.orders-secret')).toContain('只显示这一次');
    fireEvent.click(container.querySelector('.orders-secret')!);
    await waitFor(() => expect(clip).toHaveBeenCalledWith({ data: SECRET }));
    expect(fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body).action)).toEqual(['webhook.get', 'webhook.rotate']);
  });

  it('asks before replacing a secret in use, and replaces nothing when the owner says no', async () => {
    const fetch = mockFetch((body) =>
      body.action === 'webhook.get' ? ok({ configured: true, rotatedAt: Date.UTC(2026, 10, 20, 2), path: '/webhook/orders/demo-bakery' }) : ok({ secret: SECRET, rotatedAt: 1 }),
    );
    jest.spyOn(Taro, 'showModal').mockResolvedValueOnce({ confirm: false, cancel: true, errMsg: 'ok' } as never);
    const { container } = render(<OrdersCard merchantId="demo-bakery" />);
    await waitFor(() => expect(text(container, '.orders-rotate')).toBe('换一个新密钥'));
    expect(text(container, '.orders-status .settings-value')).toMatch(/^已生成（11月20日/);
    fireEvent.click(container.querySelector('.orders-rotate')!);
    await waitFor(() => expect(Taro.showModal).toHaveBeenCalled());
    expect(fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body).action)).toEqual(['webhook.get']);
    expect(container.querySelector('.orders-secret')).toBeNull();
  });

  it('says so in Chinese when the status cannot be read', async () => {
    mockFetch(() => fail(403, 'AUTH.ROLE_REQUIRED', '这项只有老板能看和改'));
    const { container } = render(<OrdersCard merchantId="demo-bakery" />);
    await waitFor(() => expect(text(container, '.orders-error')).toBe('这项只有老板能看和改'));
  });
});
