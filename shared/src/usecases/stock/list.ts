import { stockLevel } from '../../domain/alert';
import type { StoredProduct } from '../../domain/knowledge';
import type { Deps } from '../../ports/deps';
import { requireMerchant } from '../shop/require-merchant';

/**
 * 商品和库存: the shop's products with their count, marks and level, the ones that need a look
 * first. A shop lists tens to a few hundred products (the knowledge repo reads them all for the
 * answerer too), so this sorts in memory and pages by position; a count that moves between two
 * pages can shift a product across the page boundary, which the pull-to-refresh shows right.
 */
export type StockLevelName = ReturnType<typeof stockLevel>;
export interface StockRow {
  product: StoredProduct;
  level: StockLevelName;
  lowStockAt: number;
  redStockAt: number;
}

export interface StockQuery {
  search?: string;
  /** `low`: only yellow and red. */
  filter?: 'all' | 'low';
  limit: number;
  /** The position to start at, as stock.list handed it out. */
  cursor?: string;
}

export interface StockPage {
  items: StockRow[];
  nextCursor: string | null;
  counts: Record<StockLevelName, number>;
}

const ORDER: Record<StockLevelName, number> = { red: 0, yellow: 1, ok: 2 };

export function stockRow(p: StoredProduct): StockRow {
  const lowStockAt = p.lowStockAt ?? 5;
  return { product: p, level: stockLevel(p), lowStockAt, redStockAt: Math.min(p.redStockAt ?? 0, lowStockAt) };
}

export async function listStock(deps: Deps, merchantId: string, q: StockQuery): Promise<StockPage> {
  await requireMerchant(deps, merchantId);
  const rows = (await deps.storage.knowledge.listProducts(merchantId)).map(stockRow);
  const counts: Record<StockLevelName, number> = { ok: 0, yellow: 0, red: 0 };
  for (const r of rows) counts[r.level]++;
  const needle = q.search?.trim().toLowerCase();
  const chosen = rows
    .filter((r) => q.filter !== 'low' || r.level !== 'ok')
    .filter((r) => !needle || r.product.name.toLowerCase().includes(needle) || r.product.sku.toLowerCase().includes(needle))
    .sort((a, b) => ORDER[a.level] - ORDER[b.level] || a.product.name.localeCompare(b.product.name, 'zh-CN') || a.product.sku.localeCompare(b.product.sku));
  const start = q.cursor ? Number(q.cursor) : 0;
  const items = chosen.slice(start, start + q.limit);
  const end = start + items.length;
  return { items, nextCursor: end < chosen.length ? String(end) : null, counts };
}
