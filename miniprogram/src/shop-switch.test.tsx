import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { ConversationView, CustomerView } from '@xiaoer/shared/contracts/api';
import TodayPage from './pages/today/index';
import ConversationsPage from './pages/conversations/index';
import CustomersPage from './pages/customers/index';
import { resetSession } from './services/session';
import { fail, mockFetch, ok } from '../test/fetch-mock';
import { badges, dashboard, me, trends } from '../test/fixtures';
import { recordingContext } from './components/trend/fakeContext';

/**
 * App level: the tab pages stay mounted side by side (as in the tab bar), one session store feeds
 * them all. A shop switch made on 今日 must reach 会话 and 客户 without visiting them again.
 */
const SHOPS = {
  'demo-bakery': { name: '小麦面包坊', customer: '买面包的王小姐' },
  'shop-b': { name: '街角花店', customer: '买花的李先生' },
} as const;
type ShopId = keyof typeof SHOPS;

const conv = (shop: ShopId): ConversationView => ({
  id: `conv-${shop}`,
  externalUserId: `wm-${shop}`,
  customerName: SHOPS[shop].customer,
  state: 'waiting_human',
  waitingSince: Date.now() - 60_000,
  lastMessagePreview: '在吗？',
  updatedAt: Date.now() - 60_000,
});
const customer = (shop: ShopId): CustomerView => ({
  externalUserId: `wm-${shop}`,
  name: SHOPS[shop].customer,
  phone: null,
  source: 'kf',
  sourceText: '微信客服',
  tags: [],
  totalSpentFen: null,
  orderCount: 0,
  lastMessageAt: null,
  createdAt: Date.now() - 86_400_000,
});

function backend() {
  return mockFetch((body) => {
    const shop = body.merchantId as ShopId;
    switch (body.action) {
      case 'me.get':
        return ok(me);
      case 'dashboard.today':
        return ok(dashboard({ merchant: { id: shop, name: SHOPS[shop].name, timezone: 'Asia/Shanghai' }, role: shop === 'shop-b' ? 'staff' : 'owner' }));
      case 'badges.get':
        return ok(badges());
      case 'dashboard.trends':
        return ok(trends(body.days as 7));
      case 'conversations.list':
        return ok({ items: [conv(shop)], nextCursor: null });
      case 'customers.list':
        return ok({ items: [customer(shop)], nextCursor: null, total: 1 });
      default:
        return fail(400, 'INPUT.INVALID', `not part of this test: ${body.action}`);
    }
  });
}

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.spyOn(Taro, 'setTabBarBadge').mockResolvedValue({ errMsg: 'ok' } as never);
  jest.spyOn(Taro, 'removeTabBarBadge').mockResolvedValue({ errMsg: 'ok' } as never);
  jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(() => recordingContext() as never);
});
afterEach(() => jest.restoreAllMocks());

it('switching shop on 今日 re-renders 今日, 会话 and 客户 with the new shop’s data', async () => {
  const fetch = backend();
  const today = render(<TodayPage />).container;
  const conversations = render(<ConversationsPage />).container;
  const customers = render(<CustomersPage />).container;

  await waitFor(() => expect(today.querySelector('.shop-name')?.textContent).toBe('小麦面包坊'));
  await waitFor(() => expect(conversations.textContent).toContain('买面包的王小姐'));
  await waitFor(() => expect(customers.textContent).toContain('买面包的王小姐'));
  // one me.get for the three pages: they share the session, no page keeps its own copy
  const meCalls = () => fetch.mock.calls.filter(([, init]) => JSON.parse((init as { body: string }).body).action === 'me.get').length;
  expect(meCalls()).toBe(1);

  jest.spyOn(Taro, 'showActionSheet').mockResolvedValue({ tapIndex: 1, errMsg: 'ok' } as never);
  await act(async () => {
    fireEvent.click(today.querySelector('.shop-switch')!);
  });

  await waitFor(() => expect(today.querySelector('.shop-name')?.textContent).toBe('街角花店'));
  await waitFor(() => expect(conversations.textContent).toContain('买花的李先生'));
  await waitFor(() => expect(customers.textContent).toContain('买花的李先生'));
  expect(conversations.textContent).not.toContain('买面包的王小姐');
  expect(customers.textContent).not.toContain('买面包的王小姐');
  expect(Taro.getStorageSync('xiaoer.merchantId')).toBe('shop-b');
});
