import { AppError } from '../../domain/errors';
import type { StoredProduct } from '../../domain/knowledge';
import type { Deps } from '../../ports/deps';

/**
 * Stock counts (issue 12 §5), moved by paid orders, CSV and the app.
 *
 * The knowledge repo has no compare-and-set, so each product's count lives in a kv record (CAS)
 * that remembers the last orders it took from: an order's items are taken before the order's own
 * compare-and-set write (like its counters), so a delivery retried after a crash between the two
 * finds its order number there and takes nothing twice. Once the order is written as paid, no
 * later event of it takes stock again (ingest only calls this for a new `paid` fact). The count
 * is then copied onto the product, which the answerer and the reports read.
 */
export const STOCK_NS = 'stock';
/** Orders remembered per product: a crash-retry arrives within minutes, far inside this many sales. */
export const RECENT_ORDERS = 200;
const MAX_TRIES = 8;

interface StockRecord {
  stock: number;
  /** Order numbers already taken from this product, newest last. */
  recent: string[];
}

export type StockChange = { take: number; orderNo: string } | { set: number };

async function productOf(deps: Deps, merchantId: string, sku: string): Promise<StoredProduct | null> {
  return (await deps.storage.knowledge.getProducts(merchantId, [sku]))[0] ?? null;
}

/**
 * Applies one change to a product's count; null when the shop has no such product (an order may
 * sell things the shop never listed). A count the knowledge import wrote since (the product's
 * number differs from the record's) is taken as the new starting point.
 */
export async function changeStock(deps: Deps, merchantId: string, sku: string, change: StockChange): Promise<StoredProduct | null> {
  for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
    const product = await productOf(deps, merchantId, sku);
    if (!product) return null;
    const cur = await deps.storage.kv.get<StockRecord>(merchantId, STOCK_NS, sku);
    const rec: StockRecord = cur && cur.value.stock === product.stock ? cur.value : { stock: product.stock, recent: cur?.value.recent ?? [] };
    let next: StockRecord;
    if ('set' in change) next = { stock: change.set, recent: rec.recent };
    else if (rec.recent.includes(change.orderNo)) next = rec;
    else next = { stock: rec.stock - change.take, recent: [...rec.recent, change.orderNo].slice(-RECENT_ORDERS) };
    if (next === rec) return product;
    if (!(await deps.storage.kv.set(merchantId, STOCK_NS, sku, next, cur?.version ?? null, deps.clock.now()))) continue;
    return settleProduct(deps, merchantId, sku);
  }
  throw new AppError('CONFLICT.STOCK_BUSY', '库存正在被同时修改，请稍后再试', 409);
}

/**
 * Copies the record's count onto the product, again while the record moved meanwhile: two
 * changes racing may copy in either order, and the last copy made after the record held still wins.
 */
async function settleProduct(deps: Deps, merchantId: string, sku: string): Promise<StoredProduct | null> {
  for (let round = 0; round < MAX_TRIES; round++) {
    const rec = await deps.storage.kv.get<StockRecord>(merchantId, STOCK_NS, sku);
    const product = await productOf(deps, merchantId, sku);
    if (!rec || !product) return product;
    const out: StoredProduct = { ...product, stock: rec.value.stock, updatedAt: Math.max(product.updatedAt, deps.clock.now()) };
    if (product.stock !== rec.value.stock) await deps.storage.knowledge.upsertProduct(out);
    if ((await deps.storage.kv.get(merchantId, STOCK_NS, sku))?.version === rec.version) return out;
  }
  throw new AppError('CONFLICT.STOCK_BUSY', '库存正在被同时修改，请稍后再试', 409);
}

/** A paid order's items, each taken once (quantities of one sku in several lines add up). */
export async function takeOrderStock(deps: Deps, merchantId: string, orderNo: string, items: { sku: string; qty: number }[]): Promise<void> {
  const bySku = new Map<string, number>();
  for (const it of items) bySku.set(it.sku, (bySku.get(it.sku) ?? 0) + it.qty);
  if (!bySku.size) return;
  // one read of just these skus finds what the shop lists: orders mostly sell things without a stock count
  const listed = new Set((await deps.storage.knowledge.getProducts(merchantId, [...bySku.keys()])).map((p) => p.sku));
  for (const [sku, qty] of bySku) if (listed.has(sku)) await changeStock(deps, merchantId, sku, { take: qty, orderNo });
}

export interface StockEdit {
  sku: string;
  stock?: number;
  /** The yellow mark. */
  lowStockAt?: number;
  /** The red mark (at most the yellow one). */
  redStockAt?: number;
}

/** 商品和库存 in the app and `stock import`: the count and the two marks of one product. */
export async function editStock(deps: Deps, merchantId: string, edit: StockEdit): Promise<StoredProduct> {
  let product = edit.stock !== undefined ? await changeStock(deps, merchantId, edit.sku, { set: edit.stock }) : await productOf(deps, merchantId, edit.sku);
  if (!product) throw new AppError('NOT_FOUND.PRODUCT', `没有编号为 ${edit.sku} 的商品，先在知识库里加上它`, 404);
  if (edit.lowStockAt !== undefined || edit.redStockAt !== undefined) {
    const lowStockAt = edit.lowStockAt ?? product.lowStockAt ?? 5;
    const redStockAt = edit.redStockAt ?? product.redStockAt ?? 0;
    if (redStockAt > lowStockAt) throw new AppError('VALIDATION.STOCK_MARKS', '红色提醒的数量要比黄色提醒的小', 400);
    // re-read: only the marks change here, the count stays whatever the ledger holds now
    const fresh = (await productOf(deps, merchantId, edit.sku)) ?? product;
    product = { ...fresh, lowStockAt, redStockAt, updatedAt: Math.max(fresh.updatedAt, deps.clock.now()) };
    await deps.storage.knowledge.upsertProduct(product);
  }
  return product;
}
