import type { StockItemView } from '../contracts/api-stock';
import type { Role } from '../domain/member';
import { listStock, type StockRow } from '../usecases/stock/list';
import { importStockFile } from '../usecases/stock/import';
import type { Handlers } from './context';

/** Prices are the owner's, like every other amount of money in the app. */
const stockItemView = (r: StockRow, role: Role): StockItemView => ({
  sku: r.product.sku,
  name: r.product.name,
  stock: r.product.stock,
  lowStockAt: r.lowStockAt,
  redStockAt: r.redStockAt,
  level: r.level,
  priceFen: role === 'owner' ? r.product.priceFen : null,
  updatedAt: r.product.updatedAt,
});

/** 商品和库存: the list (staff read it) and a stock table from the phone (owner). */
export const stockActions = {
  'stock.list': async (ctx, req) => {
    const page = await listStock(ctx.deps, req.merchantId, req);
    return { items: page.items.map((r) => stockItemView(r, ctx.member.role)), nextCursor: page.nextCursor, counts: page.counts };
  },

  'stock.import': async (ctx, req) => importStockFile(ctx.deps, { merchantId: req.merchantId, format: req.format, content: req.content }, ctx.orderFiles),
} satisfies Partial<Handlers>;
