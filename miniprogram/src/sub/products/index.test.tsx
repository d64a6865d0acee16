import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { Current } from '@tarojs/runtime';
import type { StockItemView } from '@xiaoer/shared/contracts/api-stock';
import ProductsPage from './index';
import { readStockFileH5 } from './stockFile';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok, type Reply } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

const text = (root: ParentNode, sel: string) => root.querySelector(sel)?.textContent?.trim();
const actions = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body) as { action: string; [k: string]: unknown });

const item = (over: Partial<StockItemView>): StockItemView => ({
  sku: 'T01',
  name: '杨枝甘露',
  stock: 20,
  lowStockAt: 5,
  redStockAt: 0,
  level: 'ok',
  priceFen: 1800,
  updatedAt: 0,
  ...over,
});
const LIST = [item({ sku: 'T02', name: '芋泥波波', stock: 0, level: 'red' }), item({ sku: 'T03', name: '珍珠奶茶', stock: 3, level: 'yellow' }), item({})];
const page = (items = LIST, nextCursor: string | null = null) => ({ items, nextCursor, counts: { ok: 1, yellow: 1, red: 1 } });

type Routes = Record<string, (b: { action: string; [k: string]: unknown }) => Reply>;
function backend(routes: Routes = {}) {
  return mockFetch((b) => {
    if (b.action === 'me.get') return ok(me);
    const r = routes[b.action];
    if (r) return r(b);
    if (b.action === 'stock.list') return ok(page());
    return fail(400, 'INPUT.INVALID', `unexpected ${b.action}`);
  });
}

async function typeInto(root: ParentNode, sel: string, value: string) {
  // Stencil renders the inner <input> a moment after React mounts the host
  const input = await waitFor(() => {
    const el = root.querySelector(`${sel} input`) as HTMLInputElement | null;
    expect(el).not.toBeNull();
    return el!;
  });
  input.value = value;
  fireEvent.input(input, { target: { value } });
}

const row = (root: ParentNode, sku: string) => root.querySelector(`.product[data-sku="${sku}"]`)!;

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
  Current.router = { params: {}, path: '/sub/products/index' } as unknown as typeof Current.router;
});

describe('商品和库存 page', () => {
  it('lists products with 够 / 快没了 / 没货了 in their colours, prices and marks, the tallies on top', async () => {
    const fetch = backend();
    const { container } = render(<ProductsPage />);
    await waitFor(() => expect(container.querySelectorAll('.product').length).toBe(3));
    expect(actions(fetch)[1]).toEqual({ action: 'stock.list', merchantId: 'demo-bakery', limit: 30, filter: 'all' });
    const levels = Array.from(container.querySelectorAll('.product-level')).map((e) => [e.textContent, e.className.match(/level-(\w+)/)![1]]);
    expect(levels).toEqual([
      ['没货了', 'red'],
      ['快没了', 'yellow'],
      ['够', 'ok'],
    ]);
    expect(text(row(container, 'T03'), '.product-stock')).toBe('还剩 3 件');
    expect(text(row(container, 'T03'), '.product-price')).toBe('¥18.00');
    expect(text(row(container, 'T03'), '.product-marks')).toBe('编号 T03 · 剩 5 件提醒快没了 · 剩 0 件算没货');
    expect(text(container, '.tally-low')).toBe('要补货 2');
    expect(text(container, '.tally-all')).toBe('全部 3');
  });

  it('says 快卖完了, not 没货了, for a red product that still has some left', async () => {
    backend({ 'stock.list': () => ok(page([item({ sku: 'T09', stock: 2, lowStockAt: 8, redStockAt: 3, level: 'red' })])) });
    const { container } = render(<ProductsPage />);
    await waitFor(() => expect(text(container, '.product-level')).toBe('快卖完了'));
    expect(container.querySelector('.product-level.level-red')).not.toBeNull();
  });

  it('searches and shows only the low ones, opened from a stock alert with ?filter=low', async () => {
    Current.router = { params: { filter: 'low' }, path: '/sub/products/index' } as unknown as typeof Current.router;
    const fetch = backend({ 'stock.list': (b) => ok(page(b.search === '珍珠' ? [LIST[1]!] : LIST.slice(0, 2))) });
    const { container } = render(<ProductsPage />);
    await waitFor(() => expect(container.querySelectorAll('.product').length).toBe(2));
    expect(actions(fetch)[1]).toMatchObject({ action: 'stock.list', filter: 'low' });
    expect(container.querySelector('.tally-low.tally-on')).not.toBeNull();
    await typeInto(container, '.products-search', ' 珍珠 ');
    fireEvent.click(container.querySelector('.search-btn')!);
    await waitFor(() => expect(container.querySelectorAll('.product').length).toBe(1));
    expect(actions(fetch).at(-1)).toMatchObject({ action: 'stock.list', search: '珍珠', filter: 'low' });
    fireEvent.click(container.querySelector('.tally-all')!);
    await waitFor(() => expect(actions(fetch).at(-1)).toMatchObject({ action: 'stock.list', search: '珍珠', filter: 'all' }));
  });

  it('lets the owner change a count and its marks, then shows the new level and tallies', async () => {
    const fetch = backend({ 'stock.set': (b) => ok({ sku: b.sku, stock: b.stock, lowStockAt: b.lowStockAt, redStockAt: b.redStockAt }) });
    const { container } = render(<ProductsPage />);
    await waitFor(() => expect(row(container, 'T03')).toBeTruthy());
    fireEvent.click(row(container, 'T03').querySelector('.product-edit')!);
    const editor = () => container.querySelector('.product-editing')!;
    await typeInto(editor(), '.editor-stock', '40');
    await typeInto(editor(), '.editor-low', '8');
    await typeInto(editor(), '.editor-red', '2');
    await act(async () => {
      fireEvent.click(editor().querySelector('.editor-save')!);
    });
    await waitFor(() => expect(text(row(container, 'T03'), '.product-stock')).toBe('还剩 40 件'));
    expect(actions(fetch).find((a) => a.action === 'stock.set')).toEqual({ action: 'stock.set', merchantId: 'demo-bakery', sku: 'T03', stock: 40, lowStockAt: 8, redStockAt: 2 });
    expect(text(row(container, 'T03'), '.product-level')).toBe('够');
    expect(text(container, '.tally-low')).toBe('要补货 1');
  });

  it('stops a red mark above the yellow one before asking the server, and shows what the server refused', async () => {
    const fetch = backend({ 'stock.set': () => fail(409, 'CONFLICT.STOCK_BUSY', '库存正在被同时修改，请稍后再试') });
    const { container } = render(<ProductsPage />);
    await waitFor(() => expect(row(container, 'T01')).toBeTruthy());
    fireEvent.click(row(container, 'T01').querySelector('.product-edit')!);
    const editor = () => container.querySelector('.product-editing')!;
    await typeInto(editor(), '.editor-red', '9');
    await act(async () => {
      fireEvent.click(editor().querySelector('.editor-save')!);
    });
    expect(text(editor(), '.editor-error')).toBe('"算没货"的数量要比"提醒快没了"的小');
    expect(actions(fetch).some((a) => a.action === 'stock.set')).toBe(false);
    await typeInto(editor(), '.editor-red', '1');
    await act(async () => {
      fireEvent.click(editor().querySelector('.editor-save')!);
    });
    await waitFor(() => expect(text(editor(), '.editor-error')).toBe('库存正在被同时修改，请稍后再试'));
    fireEvent.click(editor().querySelector('.editor-cancel')!);
    await waitFor(() => expect(container.querySelector('.product-editing')).toBeNull());
    expect(text(row(container, 'T01'), '.product-stock')).toBe('还剩 20 件');
  });

  it('shows staff the counts without edit or import (the server sends no prices)', async () => {
    Taro.setStorageSync('xiaoer.merchantId', 'shop-b'); // staff there
    backend({ 'stock.list': () => ok(page(LIST.map((p) => ({ ...p, priceFen: null })))) });
    const { container } = render(<ProductsPage />);
    await waitFor(() => expect(container.querySelectorAll('.product').length).toBe(3));
    expect(container.querySelector('.product-edit')).toBeNull();
    expect(container.querySelector('.stock-import')).toBeNull();
    expect(container.querySelector('.product-price')).toBeNull();
    expect(text(container, '.products-readonly')).toContain('只有老板能改库存');
  });

  it('loads the next page with 加载更多', async () => {
    const fetch = backend({ 'stock.list': (b) => ok(b.cursor === '2' ? page([LIST[2]!]) : page(LIST.slice(0, 2), '2')) });
    const { container } = render(<ProductsPage />);
    await waitFor(() => expect(container.querySelectorAll('.product').length).toBe(2));
    await act(async () => {
      fireEvent.click(container.querySelector('.load-more')!);
    });
    await waitFor(() => expect(container.querySelectorAll('.product').length).toBe(3));
    expect(actions(fetch).at(-1)).toMatchObject({ action: 'stock.list', cursor: '2' });
    expect(text(container, '.list-end')).toBe('没有更多了');
  });

  it('imports a stock csv on H5, reports bad rows by line and loads the list again', async () => {
    const fetch = backend({ 'stock.import': () => ok({ updated: 2, errors: [{ line: 3, message: '没有编号' }] }) });
    const { container } = render(<ProductsPage />);
    await waitFor(() => expect(container.querySelector('.stock-import')).not.toBeNull());
    const input = container.querySelector('input[type=file]') as HTMLInputElement;
    const click = jest.spyOn(input, 'click').mockImplementation(() => undefined);
    fireEvent.click(container.querySelector('.stock-import')!);
    expect(click).toHaveBeenCalled();
    const csv = '编号,库存\nT01,30\n,5\n';
    await act(async () => {
      fireEvent.change(input, { target: { files: [new File([csv], 'stock.csv', { type: 'text/csv' })] } });
    });
    await waitFor(() => expect(text(container, '.import-summary')).toBe('改好了 2 个商品'));
    expect(text(container, '.import-error')).toBe('第 3 行：没有编号');
    expect(actions(fetch).find((a) => a.action === 'stock.import')).toEqual({ action: 'stock.import', merchantId: 'demo-bakery', format: 'csv', content: csv });
    await waitFor(() => expect(actions(fetch).filter((a) => a.action === 'stock.list')).toHaveLength(2));
  });

  it('refuses a file that is not a table', async () => {
    await expect(readStockFileH5(new File(['x'], 'stock.json'))).rejects.toThrow('不是 Excel（xlsx）或 CSV 文件');
  });

  it('says what to do when the shop has no products, and when nothing is low', async () => {
    backend({ 'stock.list': () => ok({ items: [], nextCursor: null, counts: { ok: 0, yellow: 0, red: 0 } }) });
    const { container } = render(<ProductsPage />);
    await waitFor(() => expect(container.textContent).toContain('还没有商品'));
    fireEvent.click(container.querySelector('.tally-low')!);
    await waitFor(() => expect(container.textContent).toContain('库存都够'));
  });
});
