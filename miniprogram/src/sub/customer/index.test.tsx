import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { Current } from '@tarojs/runtime';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import CustomerPage from './index';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

const text = (root: ParentNode, selector: string) => root.querySelector(selector)?.textContent?.trim();
const bodies = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));

const joined = new Date(2026, 2, 8, 10, 0).getTime();
const T = Date.now() - 3_600_000;

type Customer = ApiResult<'customers.get'>['customer'];
const customer = (over: Partial<Customer> = {}): Customer => ({
  externalUserId: 'wm-alice',
  name: '王小姐',
  phone: '13812345678',
  source: 'contact_way',
  sourceText: '渠道活码',
  tags: ['老客'],
  totalSpentFen: 88800,
  orderCount: 3,
  lastMessageAt: T,
  createdAt: joined,
  firstContactAt: joined,
  lastOrderAt: null,
  note: null,
  birthday: null,
  storeId: null,
  storeName: null,
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
    expect(text(container, '.row-source .row-value')).toBe('渠道活码');
    expect(container.querySelector('.row-store')).toBeNull();
    expect(text(container, '.row-spend .row-value')).toBe('¥888.00');
    expect(text(container, '.row-orders .row-value')).toBe('3 单');
    expect(text(container, '.row-joined .row-value')).toBe('2026年3月8日');
    expect(text(container, '.customer-tag .tag-name')).toBe('老客');

    const msgs = Array.from(container.querySelectorAll('.recent-msg'));
    expect(msgs.map((m) => text(m, '.recent-who'))).toEqual(['客户', 'AI']);
    expect(text(msgs[0]!, '.recent-text')).toBe('生日蛋糕要提前几天订？');
  });

  it('shows staff the masked phone exactly as the server sends it, and hides spend when it is not given', async () => {
    const { container } = page('wm-alice', () => ok(profile({ customer: customer({ phone: '138****5678', totalSpentFen: null, source: 'kf', sourceText: '微信客服' }) })));
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
    const { container } = page('wm-alice', () =>
      ok(profile({ customer: customer({ lastMessageAt: null, phone: null, source: 'other', sourceText: '其他' }), recentMessages: [] })),
    );
    await waitFor(() => expect(container.textContent).toContain('还没有聊天记录'));
    expect(text(container, '.row-last .row-value')).toBe('还没聊过');
    expect(text(container, '.row-phone .row-value')).toBe('没留');
    expect(text(container, '.row-source .row-value')).toBe('其他');
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

describe('客户资料 page: tags, note and birthday by hand', () => {
  type Saved = { tags: string[]; note: string | null; birthday: { month: number; day: number; year?: number } | null };

  /** A customer the fake server keeps, changed by customers.tag / customers.update as the api does. */
  function editable(start: Partial<Saved> & { extras?: Partial<Customer> } = {}) {
    const { extras, ...fields } = start;
    const saved: Saved = { tags: ['老客'], note: null, birthday: null, ...fields };
    Current.router = { params: { id: 'wm-alice' }, path: '/sub/customer/index' } as unknown as typeof Current.router;
    const ref = () => ({ externalUserId: 'wm-alice', name: '王小姐', ...saved });
    const fetch = mockFetch((b) => {
      if (b.action === 'me.get') return ok(me);
      if (b.action === 'customers.get') return ok({ ...profile({ customer: customer({ tags: saved.tags, ...extras }) }) });
      if (b.action === 'tags.list')
        return ok({
          tags: [
            { tag: '老客', count: 9, byRule: false },
            { tag: 'VIP', count: 2, byRule: true },
          ],
        });
      if (b.action === 'customers.tag') {
        const add = b.add as string[];
        saved.tags = [...saved.tags.filter((t) => !(b.remove as string[]).includes(t)), ...add.filter((t) => !saved.tags.includes(t))];
        return ok({ customer: ref() });
      }
      if (b.action === 'customers.update') {
        if (b.note !== undefined) saved.note = b.note as string | null;
        if (b.birthday !== undefined) saved.birthday = b.birthday as Saved['birthday'];
        return ok({ customer: ref() });
      }
      return fail(400, 'INPUT.INVALID', `unexpected ${b.action}`);
    });
    return { fetch, saved, ...render(<CustomerPage />) };
  }

  const tagNames = (root: ParentNode) => Array.from(root.querySelectorAll('.tag-removable .tag-name')).map((t) => t.textContent);

  async function typeInto(root: ParentNode, sel: string, value: string) {
    const el = await waitFor(() => {
      const e = root.querySelector(sel) as HTMLInputElement | HTMLTextAreaElement | null;
      expect(e).not.toBeNull();
      return e!;
    });
    await act(async () => {
      el.value = value;
      fireEvent.input(el, { target: { value } });
    });
  }

  async function tap(el: Element | null | undefined) {
    expect(el).toBeTruthy();
    await act(async () => {
      fireEvent.click(el!);
    });
  }

  it('adds a typed tag, picks one the shop already uses, and takes one off with a tap', async () => {
    const { container, fetch } = editable();
    await waitFor(() => expect(tagNames(container)).toEqual(['老客']));
    await tap(container.querySelector('.tag-add'));
    await typeInto(container, '.tag-input input', ' 爱喝果茶 ');
    await tap(container.querySelector('.tag-add-btn'));
    await waitFor(() => expect(tagNames(container)).toEqual(['老客', '爱喝果茶']));
    expect(bodies(fetch).at(-1)).toEqual({ action: 'customers.tag', merchantId: 'demo-bakery', externalUserId: 'wm-alice', add: ['爱喝果茶'], remove: [] });

    // the shop's other tags, minus the ones the customer has
    await waitFor(() => expect(Array.from(container.querySelectorAll('.tag-pick')).map((t) => t.textContent)).toEqual(['+ VIP']));
    await tap(container.querySelector('.tag-pick'));
    await waitFor(() => expect(tagNames(container)).toEqual(['老客', '爱喝果茶', 'VIP']));

    await tap(container.querySelector('.tag-removable'));
    await waitFor(() => expect(tagNames(container)).toEqual(['爱喝果茶', 'VIP']));
    expect(bodies(fetch).at(-1)).toEqual({ action: 'customers.tag', merchantId: 'demo-bakery', externalUserId: 'wm-alice', add: [], remove: ['老客'] });
  });

  it('says so when a typed tag is empty or too long, without asking the server', async () => {
    const { container, fetch } = editable();
    await waitFor(() => expect(container.querySelector('.tag-add')).not.toBeNull());
    await tap(container.querySelector('.tag-add'));
    await tap(container.querySelector('.tag-add-btn'));
    expect(text(container, '.tag-error')).toBe('先写上标签的名字');
    await typeInto(container, '.tag-input input', '一'.repeat(31));
    await tap(container.querySelector('.tag-add-btn'));
    expect(text(container, '.tag-error')).toBe('标签名最多 30 个字');
    expect(bodies(fetch).some((b) => b.action === 'customers.tag')).toBe(false);
  });

  it('saves the note and the birthday (year optional), and clears them again', async () => {
    const { container, fetch, saved } = editable();
    await waitFor(() => expect(container.querySelector('.note-save')).not.toBeNull());
    await typeInto(container, '.note-input textarea', '  不要香菜 ');
    await typeInto(container, '.birthday-month input', '3');
    await typeInto(container, '.birthday-day input', '8');
    await tap(container.querySelector('.note-save'));
    await waitFor(() => expect(text(container, '.save-ok')).toBe('存好了'));
    expect(bodies(fetch).at(-1)).toEqual({ action: 'customers.update', merchantId: 'demo-bakery', externalUserId: 'wm-alice', note: '不要香菜', birthday: { month: 3, day: 8 } });
    expect(saved).toMatchObject({ note: '不要香菜', birthday: { month: 3, day: 8 } });

    await typeInto(container, '.birthday-year input', '1990');
    await tap(container.querySelector('.note-save'));
    await waitFor(() => expect(bodies(fetch).at(-1)).toMatchObject({ birthday: { month: 3, day: 8, year: 1990 } }));

    await typeInto(container, '.note-input textarea', '');
    for (const f of ['month', 'day', 'year']) await typeInto(container, `.birthday-${f} input`, '');
    await tap(container.querySelector('.note-save'));
    await waitFor(() => expect(bodies(fetch).at(-1)).toEqual({ action: 'customers.update', merchantId: 'demo-bakery', externalUserId: 'wm-alice', note: null, birthday: null }));
  });

  it('refuses a birthday that does not exist, in words', async () => {
    const { container, fetch } = editable();
    await waitFor(() => expect(container.querySelector('.note-save')).not.toBeNull());
    await typeInto(container, '.birthday-month input', '2');
    await typeInto(container, '.birthday-day input', '30');
    await tap(container.querySelector('.note-save'));
    expect(text(container, '.note-card .form-error')).toBe('2 月的日子要填 1 到 29');
    await typeInto(container, '.birthday-month input', '13');
    await tap(container.querySelector('.note-save'));
    expect(text(container, '.note-card .form-error')).toBe('生日的月份要填 1 到 12');
    expect(bodies(fetch).some((b) => b.action === 'customers.update')).toBe(false);
  });

  it('shows the saved note and birthday in the form, and the store by its name', async () => {
    const { container } = editable({ extras: { note: '每周五来', birthday: { month: 12, day: 1 }, storeId: 'store-1', storeName: '人民路店' } });
    await waitFor(() => expect(text(container, '.row-source .row-value')).toBe('渠道活码'));
    expect(text(container, '.row-store .row-value')).toBe('人民路店');
    expect(container.textContent).not.toContain('store-1');
    await waitFor(() => expect((container.querySelector('.note-input textarea') as HTMLTextAreaElement | null)?.value).toBe('每周五来'));
    expect((container.querySelector('.birthday-month input') as HTMLInputElement).value).toBe('12');
  });
});
