import type { Order } from '../../domain/commerce';
import type { Customer } from '../../domain/customer';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { CUSTOMER_RECENT_ORDERS, customerOrders, orderSummary } from './orders';

const SHOP = 'orders-shop';
let deps: Deps;

const customer = (over: Partial<Customer> = {}): Customer => ({
  merchantId: SHOP,
  externalUserId: 'wm-1',
  name: '王小姐',
  source: 'kf',
  tags: [],
  totalSpentFen: 0,
  orderCount: 0,
  lost: false,
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

const order = (id: string, placedAt: number, over: Partial<Order> = {}): Order => ({
  id,
  merchantId: SHOP,
  externalUserId: 'wm-1',
  amountFen: 1800,
  status: 'paid',
  items: [{ sku: 'T1', name: '杨枝甘露', qty: 1, priceFen: 1800 }],
  placedAt,
  updatedAt: placedAt,
  ...over,
});

beforeEach(() => {
  deps = testDeps();
});
afterEach(() => deps.storage.close());

describe('a customer’s orders on the profile', () => {
  it('lists the latest orders newest first, bounded, only this customer’s, with the totals the customer record keeps', async () => {
    for (let i = 1; i <= CUSTOMER_RECENT_ORDERS + 5; i++) await deps.storage.orders.add(order(`NO-${i}`, i * 1000));
    await deps.storage.orders.add(order('OTHER', 99_000, { externalUserId: 'wm-2' }));
    await deps.storage.orders.add(order('OTHER-SHOP', 99_000, { merchantId: 'elsewhere' }));
    const c = customer({ firstOrderAt: 1000, lastOrderAt: 25_000, categories: ['鲜果茶', '面包'] });

    const out = await customerOrders(deps, c);
    expect(out.recent).toHaveLength(CUSTOMER_RECENT_ORDERS);
    expect(out.recent[0]!.id).toBe(`NO-${CUSTOMER_RECENT_ORDERS + 5}`);
    expect(out.recent.at(-1)!.id).toBe('NO-6');
    expect(out).toMatchObject({ firstOrderAt: 1000, lastOrderAt: 25_000, categories: ['鲜果茶', '面包'] });
  });

  it('shows a customer without orders as none yet', async () => {
    expect(await customerOrders(deps, customer())).toEqual({ recent: [], firstOrderAt: null, lastOrderAt: null, categories: [] });
  });

  it('sums an order up in a line: quantities, and 等N样 past three lines', () => {
    const item = (name: string, qty = 1) => ({ sku: name, name, qty, priceFen: 100 });
    expect(orderSummary(order('a', 0, { items: [item('杨枝甘露', 2), item('珍珠奶茶')] }))).toBe('杨枝甘露×2、珍珠奶茶');
    expect(orderSummary(order('b', 0, { items: [item('甲'), item('乙'), item('丙'), item('丁', 3), item('戊')] }))).toBe('甲、乙、丙等5样');
    expect(orderSummary(order('c', 0, { items: [] }))).toBe('');
  });
});
