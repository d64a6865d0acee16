import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { CustomerView } from '@xiaoer/shared/contracts/api';
import CustomersPage, { SEARCH_DELAY_MS } from './index';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok, type Handler } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

const text = (root: ParentNode, selector: string) => root.querySelector(selector)?.textContent?.trim();
const bodies = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));
const lists = (fetch: jest.Mock) => bodies(fetch).filter((b) => b.action === 'customers.list');

const customer = (over: Partial<CustomerView> = {}): CustomerView => ({
  externalUserId: 'wm-alice',
  name: '王小姐',
  phone: '138****5678',
  source: 'kf',
  sourceText: '微信客服',
  tags: ['老客', '爱吃甜'],
  totalSpentFen: 123450,
  orderCount: 6,
  lastMessageAt: Date.now() - 60_000,
  createdAt: Date.now() - 30 * 86_400_000,
  ...over,
});

/** A page of the list as the server answers it; `total` counts every match (the page's own size unless given). */
const page = (items: CustomerView[], nextCursor: string | null, total = items.length) => ok({ items, nextCursor, total });
/** The list request with the contract's defaults filled in (the client sends what it validated). */
const LIST = { action: 'customers.list', merchantId: 'demo-bakery', limit: 20, sort: 'lastVisit', tagMode: 'all' };

const bob = customer({ externalUserId: 'wm-bob', name: '李先生', phone: null, tags: ['新客'], totalSpentFen: null, orderCount: 0, lastMessageAt: null });

function backend(list: Handler) {
  return mockFetch((body) => (body.action === 'me.get' ? ok(me) : list(body)));
}

async function tap(el: Element | null) {
  expect(el).not.toBeNull();
  await act(async () => {
    fireEvent.click(el!);
  });
}

async function typeInto(el: Element, value: string) {
  await waitFor(() => expect(el.querySelector('input')).not.toBeNull());
  await act(async () => {
    fireEvent(el, new CustomEvent('input', { detail: { value } }));
  });
}

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
});

afterEach(() => {
  jest.restoreAllMocks();
  jest.useRealTimers();
});

describe('客户 page', () => {
  it('lists customers with phone as the server gives it, tags, last chat and spend', async () => {
    const fetch = backend(() => page([customer(), bob], null));
    const { container } = render(<CustomersPage />);
    await waitFor(() => expect(container.querySelectorAll('.customer-item')).toHaveLength(2));

    const [a, b] = Array.from(container.querySelectorAll('.customer-item'));
    expect(text(a!, '.customer-name')).toBe('王小姐');
    expect(text(a!, '.customer-phone')).toBe('138****5678');
    expect(Array.from(a!.querySelectorAll('.customer-tag')).map((t) => t.textContent)).toEqual(['老客', '爱吃甜']);
    expect(text(a!, '.customer-spend')).toBe('消费 ¥1,234.50 · 6 单');
    expect(text(a!, '.customer-last')).toMatch(/^最近聊天 \d\d:\d\d$/);

    expect(b!.querySelector('.customer-phone')).toBeNull();
    expect(b!.querySelector('.customer-spend')).toBeNull();
    expect(text(b!, '.customer-last')).toBe('还没聊过');

    // the tag chips come from their own request, which may answer after the list
    await waitFor(() => expect(Array.from(container.querySelectorAll('.tag-chip')).map((t) => t.textContent)).toEqual(['老客', '爱吃甜', '新客']));
    expect(lists(fetch)).toEqual([LIST]);
  });

  it('opens the profile when a customer is tapped', async () => {
    backend(() => page([customer()], null));
    const nav = jest.spyOn(Taro, 'navigateTo').mockImplementation(() => Promise.resolve({ errMsg: 'ok' }) as never);
    const { container } = render(<CustomersPage />);
    await waitFor(() => expect(container.querySelector('.customer-item')).not.toBeNull());
    await tap(container.querySelector('.customer-item'));
    expect(nav).toHaveBeenCalledWith({ url: '/sub/customer/index?id=wm-alice' });
  });

  it('searches with the button, and says so when nothing matches', async () => {
    const fetch = backend(({ search }) => page(search ? [] : [customer(), bob], null));
    const { container } = render(<CustomersPage />);
    await waitFor(() => expect(container.querySelectorAll('.customer-item')).toHaveLength(2));

    await typeInto(container.querySelector('.customer-search')!, ' 张三 ');
    await tap(container.querySelector('.search-btn'));
    await waitFor(() => expect(container.textContent).toContain('没找到符合条件的客户'));
    expect(lists(fetch).at(-1)).toEqual({ ...LIST, search: '张三' });

    // the same search again is not sent again, and the pending debounce was cancelled
    await tap(container.querySelector('.search-btn'));
    await act(async () => {
      await new Promise((r) => setTimeout(r, SEARCH_DELAY_MS + 50));
    });
    expect(lists(fetch)).toHaveLength(2);

    await tap(container.querySelector('.clear-filter'));
    await waitFor(() => expect(container.querySelectorAll('.customer-item')).toHaveLength(2));
    expect(lists(fetch).at(-1)).toEqual(LIST);
  });

  it('searches by itself a moment after typing stops, once', async () => {
    const fetch = backend(({ search }) => page(search ? [customer()] : [customer(), bob], null));
    const { container } = render(<CustomersPage />);
    await waitFor(() => expect(container.querySelectorAll('.customer-item')).toHaveLength(2));

    const box = container.querySelector('.customer-search')!;
    await typeInto(box, '王');
    await typeInto(box, '王小');
    expect(lists(fetch)).toHaveLength(1);
    // real time inside act: the timer's update is then rendered at once
    await act(async () => {
      await new Promise((r) => setTimeout(r, SEARCH_DELAY_MS + 100));
    });
    await waitFor(() => expect(container.querySelectorAll('.customer-item')).toHaveLength(1));
    expect(lists(fetch).map((b) => b.search)).toEqual([undefined, '王小']);
  });

  it('filters by a tag chip, and a second tap clears it', async () => {
    const fetch = backend(({ tags }) => page(String(tags) === '新客' ? [bob] : [customer(), bob], null));
    const { container } = render(<CustomersPage />);
    await waitFor(() => expect(container.querySelectorAll('.tag-chip')).toHaveLength(3));

    const chip = () => Array.from(container.querySelectorAll('.tag-chip')).find((c) => c.textContent === '新客')!;
    await tap(chip());
    await waitFor(() => expect(container.querySelectorAll('.customer-item')).toHaveLength(1));
    expect(chip().classList.contains('tag-chip-on')).toBe(true);
    // the other tags stay available
    expect(container.querySelectorAll('.tag-chip')).toHaveLength(3);
    expect(lists(fetch).at(-1)).toEqual({ ...LIST, tags: ['新客'] });

    await tap(chip());
    await waitFor(() => expect(container.querySelectorAll('.customer-item')).toHaveLength(2));
    expect(lists(fetch).at(-1)).toEqual(LIST);
  });

  it('loads more with the cursor', async () => {
    const fetch = backend(({ cursor }) => (cursor === 'p2' ? page([bob], null) : page([customer()], 'p2')));
    const { container } = render(<CustomersPage />);
    await waitFor(() => expect(container.querySelector('.load-more')).not.toBeNull());
    await tap(container.querySelector('.load-more'));
    await waitFor(() => expect(container.querySelectorAll('.customer-item')).toHaveLength(2));
    expect(container.querySelector('.load-more')).toBeNull();
    expect(lists(fetch).at(-1)).toMatchObject({ cursor: 'p2' });
  });

  it('shows an empty state when the shop has no customers yet', async () => {
    backend(() => page([], null));
    const { container } = render(<CustomersPage />);
    await waitFor(() => expect(container.textContent).toContain('还没有客户'));
    expect(container.querySelector('.clear-filter')).toBeNull();
  });

  it('shows the error with 重试, which loads again', async () => {
    let broken = true;
    backend(() => (broken ? fail(500, 'SERVER.INTERNAL', '服务器开小差了') : page([customer()], null)));
    const { container } = render(<CustomersPage />);
    await waitFor(() => expect(text(container, '.error-message')).toBe('服务器开小差了'));
    broken = false;
    await tap(container.querySelector('.retry'));
    await waitFor(() => expect(container.querySelectorAll('.customer-item')).toHaveLength(1));
  });
});

const tagList = {
  tags: [
    { tag: '老客', count: 12, byRule: false },
    { tag: 'VIP', count: 3, byRule: true },
    { tag: '没人了', count: 0, byRule: true },
  ],
};

function shopBackend(list: Handler, who = me) {
  return mockFetch((body) => (body.action === 'me.get' ? ok(who) : body.action === 'tags.list' ? ok(tagList) : list(body)));
}

describe('客户 page: filters, sort and count', () => {
  it('offers the shop’s tags with their customer counts (tags nobody has are left out)', async () => {
    shopBackend(() => page([customer()], null));
    const { container } = render(<CustomersPage />);
    await waitFor(() => expect(Array.from(container.querySelectorAll('.tag-chip')).map((t) => t.textContent)).toEqual(['老客 12', 'VIP 3']));
  });

  it('several tags: all of them by default, or any one of them', async () => {
    const fetch = shopBackend(() => page([customer()], null, 1));
    const { container } = render(<CustomersPage />);
    const chip = (name: string) => Array.from(container.querySelectorAll('.tag-chip')).find((c) => c.textContent?.startsWith(name));
    await waitFor(() => expect(chip('VIP')).toBeDefined());
    await tap(chip('老客')!);
    await waitFor(() => expect(lists(fetch).at(-1)).toEqual({ ...LIST, tags: ['老客'] }));
    expect(container.querySelector('.tag-mode')).toBeNull();
    await tap(chip('VIP')!);
    await waitFor(() => expect(lists(fetch).at(-1)).toEqual({ ...LIST, tags: ['老客', 'VIP'] }));
    expect(container.querySelector('.mode-all')!.classList.contains('mode-on')).toBe(true);
    await tap(container.querySelector('.mode-any'));
    await waitFor(() => expect(lists(fetch).at(-1)).toMatchObject({ tags: ['老客', 'VIP'], tagMode: 'any' }));
    expect(text(container, '.customer-total')).toBe('符合的客户共 1 位');
  });

  it('sorts by spend or by the date added, and load more keeps the filter and the sort', async () => {
    const fetch = shopBackend(({ cursor }) => (cursor ? page([bob], null, 2) : page([customer()], 'p2', 2)));
    const { container } = render(<CustomersPage />);
    await waitFor(() => expect(container.querySelector('.sort-spend')).not.toBeNull());
    await tap(container.querySelector('.sort-spend'));
    await waitFor(() => expect(lists(fetch).at(-1)).toEqual({ ...LIST, sort: 'spend' }));
    await tap(Array.from(container.querySelectorAll('.tag-chip')).find((c) => c.textContent?.startsWith('VIP'))!);
    await waitFor(() => expect(container.querySelector('.load-more')).not.toBeNull());
    await tap(container.querySelector('.load-more'));
    await waitFor(() => expect(container.querySelectorAll('.customer-item')).toHaveLength(2));
    expect(lists(fetch).at(-1)).toEqual({ ...LIST, sort: 'spend', tags: ['VIP'], cursor: 'p2' });
    await tap(container.querySelector('.sort-added'));
    await waitFor(() => expect(lists(fetch).at(-1)).toEqual({ ...LIST, sort: 'added', tags: ['VIP'] }));
  });

  it('says how many customers there are in all', async () => {
    shopBackend(() => page([customer(), bob], 'p2', 57));
    const { container } = render(<CustomersPage />);
    await waitFor(() => expect(text(container, '.customer-total')).toBe('共 57 位客户'));
  });

  it('shows no count over the empty state', async () => {
    shopBackend(() => page([], null));
    const { container } = render(<CustomersPage />);
    await waitFor(() => expect(container.textContent).toContain('还没有客户'));
    expect(container.querySelector('.customer-total')).toBeNull();
  });

  it('staff cannot sort by spend (they see no money)', async () => {
    const staff = { ...me, merchants: [{ id: 'shop-b', name: '街角花店', role: 'staff' as const }] };
    shopBackend(() => page([customer({ totalSpentFen: null })], null), staff);
    const { container } = render(<CustomersPage />);
    await waitFor(() => expect(container.querySelectorAll('.customer-item')).toHaveLength(1));
    expect(Array.from(container.querySelectorAll('.sort')).map((s) => s.textContent)).toEqual(['最近来过', '最新加的']);
  });

  it('opens with the tag 标签和规则 asked for, once', async () => {
    Taro.setStorageSync('customers.pendingTag', 'VIP');
    const fetch = shopBackend(() => page([customer()], null));
    const { container } = render(<CustomersPage />);
    await waitFor(() => expect(container.querySelectorAll('.customer-item')).toHaveLength(1));
    expect(lists(fetch)).toEqual([{ ...LIST, tags: ['VIP'] }]);
    expect(container.querySelector('.tag-chip-on')?.textContent).toBe('VIP 3');
    expect(Taro.getStorageSync('customers.pendingTag')).toBeFalsy();
  });

  it('links to 标签和规则', async () => {
    shopBackend(() => page([customer()], null));
    const nav = jest.spyOn(Taro, 'navigateTo').mockImplementation(() => Promise.resolve({ errMsg: 'ok' }) as never);
    const { container } = render(<CustomersPage />);
    await waitFor(() => expect(container.querySelector('.tags-link')).not.toBeNull());
    await tap(container.querySelector('.tags-link'));
    expect(nav).toHaveBeenCalledWith({ url: '/sub/tags/index' });
  });
});
