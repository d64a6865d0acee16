import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { Current } from '@tarojs/runtime';
import type { ApiResult, CustomerView } from '@xiaoer/shared/contracts/api';
import CustomerPage from './index';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

const text = (root: ParentNode, selector: string) => root.querySelector(selector)?.textContent?.trim();
const bodies = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));

const joined = new Date(2026, 2, 8, 10, 0).getTime();
const T = Date.now() - 3_600_000;

const customer = (over: Partial<CustomerView> = {}): CustomerView => ({
  externalUserId: 'wm-alice',
  name: '王小姐',
  phone: '13812345678',
  source: 'contact',
  tags: ['老客'],
  totalSpentFen: 88800,
  orderCount: 3,
  lastMessageAt: T,
  createdAt: joined,
  ...over,
});

type Orders = ApiResult<'customers.get'>['orders'];
const noOrders: Orders = { recent: [], firstOrderAt: null, lastOrderAt: null, categories: [] };
const withOrders = (amounts = true): Orders => ({
  recent: [
    { orderNo: 'NO-3', placedAt: T, status: 'paid', amountFen: amounts ? 3600 : null, summary: '杨枝甘露×2' },
    { orderNo: 'NO-2', placedAt: T - 86_400_000, status: 'fulfilled', amountFen: amounts ? 1800 : null, summary: '生日蛋糕' },
    { orderNo: 'NO-1', placedAt: joined, status: 'refunded', amountFen: amounts ? 900 : null, summary: '' },
    { orderNo: 'NO-0', placedAt: joined, status: 'cancelled', amountFen: amounts ? 500 : null, summary: '面包' },
  ],
  firstOrderAt: joined,
  lastOrderAt: T,
  categories: ['蛋糕', '鲜果茶'],
});

const profile = (over: Partial<ApiResult<'customers.get'>> = {}): ApiResult<'customers.get'> => ({
  customer: customer(),
  orders: noOrders,
  recentMessages: [
    { id: 'm1', merchantId: 'demo-bakery', conversationId: 'conv-7', sender: 'customer', at: T - 60_000, type: 'text', text: '生日蛋糕要提前几天订？' },
    { id: 'm2', merchantId: 'demo-bakery', conversationId: 'conv-7', sender: 'ai', at: T, type: 'text', text: '提前两天就可以。' },
  ],
  ...over,
});

function page(id: string | undefined, answer: () => ReturnType<typeof ok>) {
  Current.router = { params: id ? { id } : {}, path: '/sub/customer/index' } as unknown as typeof Current.router;
  const fetch = mockFetch((body) => (body.action === 'me.get' ? ok(me) : answer()));
  return { fetch, ...render(<CustomerPage />) };
}

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
});

afterEach(() => jest.restoreAllMocks());

describe('客户资料 page', () => {
  it('shows the profile and the latest messages', async () => {
    const { container, fetch } = page('wm-alice', () => ok(profile()));
    await waitFor(() => expect(text(container, '.customer-name')).toBe('王小姐'));

    expect(bodies(fetch)).toEqual([{ action: 'me.get' }, { action: 'customers.get', merchantId: 'demo-bakery', externalUserId: 'wm-alice' }]);
    expect(text(container, '.row-phone .row-value')).toBe('13812345678');
    expect(text(container, '.row-source .row-value')).toBe('企业微信好友');
    expect(text(container, '.row-spend .row-value')).toBe('¥888.00');
    expect(text(container, '.row-orders .row-value')).toBe('3 单');
    expect(text(container, '.row-joined .row-value')).toBe('2026年3月8日');
    expect(text(container, '.customer-tag')).toBe('老客');

    const msgs = Array.from(container.querySelectorAll('.recent-msg'));
    expect(msgs.map((m) => text(m, '.recent-who'))).toEqual(['客户', 'AI']);
    expect(text(msgs[0]!, '.recent-text')).toBe('生日蛋糕要提前几天订？');
  });

  it('shows staff the masked phone exactly as the server sends it, and hides spend when it is not given', async () => {
    const { container } = page('wm-alice', () => ok(profile({ customer: customer({ phone: '138****5678', totalSpentFen: null, source: 'kf' }) })));
    await waitFor(() => expect(text(container, '.row-phone .row-value')).toBe('138****5678'));
    expect(container.querySelector('.row-spend')).toBeNull();
    expect(text(container, '.row-source .row-value')).toBe('微信客服');
  });

  it('shows the owner the recent orders with status, amount and items, and the order totals', async () => {
    const { container } = page('wm-alice', () => ok(profile({ orders: withOrders() })));
    await waitFor(() => expect(container.querySelectorAll('.order').length).toBe(4));
    const orders = Array.from(container.querySelectorAll('.order'));
    expect(orders.map((o) => text(o, '.order-status'))).toEqual(['已付款', '已完成', '已退款', '已取消']);
    expect(orders.map((o) => text(o, '.order-no'))).toEqual(['NO-3', 'NO-2', 'NO-1', 'NO-0']);
    expect(text(orders[0]!, '.order-amount')).toBe('¥36.00');
    expect(text(orders[0]!, '.order-summary')).toBe('杨枝甘露×2');
    expect(text(orders[2]!, '.order-summary')).toBe('没有商品明细');
    expect(text(container, '.row-first-order .row-value')).toBe('2026年3月8日');
    expect(text(container, '.row-last-order .row-value')).toBeTruthy();
    expect(text(container, '.row-categories .row-value')).toBe('蛋糕、鲜果茶');
  });

  it('shows staff the orders without any amount', async () => {
    const { container } = page('wm-alice', () => ok(profile({ customer: customer({ totalSpentFen: null }), orders: withOrders(false) })));
    await waitFor(() => expect(container.querySelectorAll('.order').length).toBe(4));
    expect(container.querySelector('.order-amount')).toBeNull();
    expect(container.querySelector('.row-spend')).toBeNull();
    expect(text(container.querySelector('.order')!, '.order-summary')).toBe('杨枝甘露×2');
  });

  it('says so when the customer has no orders yet, without order dates', async () => {
    const { container } = page('wm-alice', () => ok(profile()));
    await waitFor(() => expect(text(container, '.customer-orders .recent-empty')).toBe('还没有订单'));
    expect(container.querySelector('.row-first-order')).toBeNull();
    expect(container.querySelector('.row-categories')).toBeNull();
  });

  it('opens the full chat from the latest message', async () => {
    const nav = jest.spyOn(Taro, 'navigateTo').mockImplementation(() => Promise.resolve({ errMsg: 'ok' }) as never);
    const { container } = page('wm-alice', () => ok(profile()));
    await waitFor(() => expect(container.querySelector('.open-thread')).not.toBeNull());
    await act(async () => {
      fireEvent.click(container.querySelector('.open-thread')!);
    });
    expect(nav).toHaveBeenCalledWith({ url: '/sub/thread/index?id=conv-7' });
  });

  it('says so when there are no messages yet', async () => {
    const { container } = page('wm-alice', () => ok(profile({ customer: customer({ lastMessageAt: null, phone: null, source: 'offline' }), recentMessages: [] })));
    await waitFor(() => expect(container.textContent).toContain('还没有聊天记录'));
    expect(text(container, '.row-last .row-value')).toBe('还没聊过');
    expect(text(container, '.row-phone .row-value')).toBe('没留');
    expect(text(container, '.row-source .row-value')).toBe('offline');
    expect(container.querySelector('.open-thread')).toBeNull();
  });

  it('shows the error with 重试, which loads again', async () => {
    let broken = true;
    const { container } = page('wm-alice', () => (broken ? fail(404, 'CUSTOMER.NOT_FOUND', '找不到这个客户') : ok(profile())));
    await waitFor(() => expect(text(container, '.error-message')).toBe('找不到这个客户'));
    broken = false;
    await act(async () => {
      fireEvent.click(container.querySelector('.retry')!);
    });
    await waitFor(() => expect(text(container, '.customer-name')).toBe('王小姐'));
  });

  it('asks to reopen when no customer id was given, without calling the server', async () => {
    const { container, fetch } = page(undefined, () => ok(profile()));
    expect(container.querySelector('.page-customer')).not.toBeNull();
    expect(container.textContent).toContain('找不到这个客户');
    await act(async () => undefined);
    expect(fetch).not.toHaveBeenCalled();
  });
});
