import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { parseOrderContent } from '../../../../cloudfunctions/server/orders/files';
import { createMerchant } from '../shop/merchants';
import { listStock } from './list';
import { importStockFile } from './import';

const SHOP = 'stock-shop';
const CORP = { corpId: 'wx5823bf96d3bd56c7', token: 'QDG6eK', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
let deps: Deps;

async function product(sku: string, name: string, stock: number, lowStockAt = 5, redStockAt?: number) {
  await deps.storage.knowledge.upsertProduct({ merchantId: SHOP, sku, name, priceFen: 1000, stock, lowStockAt, ...(redStockAt !== undefined ? { redStockAt } : {}), updatedAt: 0 });
}

beforeEach(async () => {
  deps = testDeps();
  await createMerchant(deps, { id: SHOP, name: '阿香奶茶', ...CORP });
  await product('A1', 'A 奶茶', 20);
  await product('B1', 'B 奶茶', 4); // yellow: at or below 5
  await product('C1', 'C 果茶', 0); // red: at or below 0
  await product('D1', 'D 果茶', 2, 5, 2); // red by its own mark
  await product('E1', 'E 面包', 6);
});
afterEach(() => deps.storage.close());

const skus = (p: { items: { product: { sku: string } }[] }) => p.items.map((r) => r.product.sku);

describe('stock.list (listStock)', () => {
  it('puts red first, then yellow, then the rest, and counts every level over the whole shop', async () => {
    const page = await listStock(deps, SHOP, { limit: 50 });
    expect(skus(page)).toEqual(['C1', 'D1', 'B1', 'A1', 'E1']);
    expect(page.items.map((r) => r.level)).toEqual(['red', 'red', 'yellow', 'ok', 'ok']);
    expect(page.counts).toEqual({ red: 2, yellow: 1, ok: 2 });
    expect(page.items.find((r) => r.product.sku === 'D1')).toMatchObject({ lowStockAt: 5, redStockAt: 2 });
    expect(page.nextCursor).toBeNull();
  });

  it('pages by position until the last product, and filters by name, sku or level', async () => {
    const first = await listStock(deps, SHOP, { limit: 2 });
    expect(skus(first)).toEqual(['C1', 'D1']);
    const second = await listStock(deps, SHOP, { limit: 2, cursor: first.nextCursor! });
    expect(skus(second)).toEqual(['B1', 'A1']);
    const last = await listStock(deps, SHOP, { limit: 2, cursor: second.nextCursor! });
    expect(skus(last)).toEqual(['E1']);
    expect(last.nextCursor).toBeNull();

    expect(skus(await listStock(deps, SHOP, { limit: 50, search: '果茶' }))).toEqual(['C1', 'D1']);
    expect(skus(await listStock(deps, SHOP, { limit: 50, search: 'e1' }))).toEqual(['E1']);
    const low = await listStock(deps, SHOP, { limit: 50, filter: 'low' });
    expect(skus(low)).toEqual(['C1', 'D1', 'B1']);
    // the tallies stay the shop's whatever the filter
    expect(low.counts).toEqual({ red: 2, yellow: 1, ok: 2 });
  });

  it('refuses a shop that does not exist', async () => {
    await expect(listStock(deps, 'nope', { limit: 5 })).rejects.toMatchObject({ code: 'NOT_FOUND.MERCHANT' });
  });
});

describe('stock.import (importStockFile)', () => {
  it('sets counts and marks from a csv sent from the phone, bad rows by line, a second import changing nothing', async () => {
    const csv = '编号,库存,黄色提醒,红色提醒\nB1,30,,\nC1,12,10,3\nZZ,1,,\nA1,很多,,\n';
    const r = await importStockFile(deps, { merchantId: SHOP, format: 'csv', content: csv }, parseOrderContent);
    expect(r.updated).toBe(2);
    expect(r.errors.map((e) => e.line)).toEqual([4, 5]);
    const page = await listStock(deps, SHOP, { limit: 50 });
    expect(page.items.find((x) => x.product.sku === 'C1')).toMatchObject({ level: 'ok', lowStockAt: 10, redStockAt: 3, product: { stock: 12 } });
    expect(page.counts).toEqual({ red: 1, yellow: 0, ok: 4 });
    expect((await importStockFile(deps, { merchantId: SHOP, format: 'csv', content: csv }, parseOrderContent)).updated).toBe(2);
    expect((await listStock(deps, SHOP, { limit: 50 })).counts).toEqual({ red: 1, yellow: 0, ok: 4 });
  });

  it('says where to import when the server has no table reader', async () => {
    await expect(importStockFile(deps, { merchantId: SHOP, format: 'csv', content: 'sku,stock\nA1,1\n' }, undefined)).rejects.toMatchObject({ code: 'CONFIG.NO_IMPORT' });
  });
});
