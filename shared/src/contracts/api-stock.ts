import { z } from 'zod';
import { MerchantId } from '../domain/ids';

/**
 * The 商品和库存 actions of the `api` contract (api.ts spreads them into its union, policy and
 * results). `stock.set` (one product's count and marks) lives with the alerts in api-alerts.ts.
 *
 * `stock.list` is open to staff: they are the ones asked "还有货吗" at the counter. Like the other
 * money rule (staff don't see revenue or spend), they get the list without prices.
 */
const m = { merchantId: MerchantId };

export const StockLevel = z.enum(['ok', 'yellow', 'red']);
export type StockLevel = z.infer<typeof StockLevel>;

export const STOCK_REQUESTS = [
  /** Products with their count and marks: red first, then yellow, then the rest, by name; `low`: only red and yellow. */
  z.object({
    action: z.literal('stock.list'),
    ...m,
    search: z.string().trim().max(40).optional(),
    filter: z.enum(['all', 'low']).default('all'),
    limit: z.number().int().min(1).max(100).default(50),
    cursor: z
      .string()
      .regex(/^\d{1,6}$/)
      .optional(),
  }),
  /** A stock table from the phone (编号, 库存, 黄色提醒, 红色提醒): csv as text, xlsx as base64; big ones with the CLI. */
  z.object({ action: z.literal('stock.import'), ...m, format: z.enum(['csv', 'xlsx']), content: z.string().min(1).max(2_000_000) }),
] as const;

export const STOCK_POLICY = {
  'stock.list': { role: 'staff', scope: 'merchant' },
  'stock.import': { role: 'owner', scope: 'merchant' },
} as const;

export const StockItemView = z.object({
  sku: z.string(),
  name: z.string(),
  stock: z.number().int(),
  /** The yellow mark: at or below it the product is running low. */
  lowStockAt: z.number().int(),
  /** The red mark: at or below it the product is (about) out. */
  redStockAt: z.number().int(),
  level: StockLevel,
  /** null for staff. */
  priceFen: z.number().int().nullable(),
  updatedAt: z.number(),
});
export type StockItemView = z.infer<typeof StockItemView>;

export const STOCK_RESULTS = {
  'stock.list': z.object({
    items: z.array(StockItemView),
    nextCursor: z.string().nullable(),
    /** Over the whole shop (not the search): for the 快没了 / 没货了 tallies at the top. */
    counts: z.object({ ok: z.number().int(), yellow: z.number().int(), red: z.number().int() }),
  }),
  'stock.import': z.object({ updated: z.number().int(), errors: z.array(z.object({ line: z.number().int(), message: z.string() })) }),
};
