import { z } from 'zod';
import { MerchantId } from '../domain/ids';
import { OrderStatus } from '../domain/commerce';

/**
 * The order actions of the `api` contract (api.ts spreads them into its union, policy and
 * results): the webhook secret, order import from the phone, unmatched orders and linking them.
 */
const m = { merchantId: MerchantId };

export const ORDER_REQUESTS = [
  /** Whether the shop has an order webhook secret, and the path to give its order system. */
  z.object({ action: z.literal('webhook.get'), ...m }),
  /** Creates or replaces the webhook secret; the answer is the only time it is shown. */
  z.object({ action: z.literal('webhook.rotate'), ...m }),
  /** An order table from the phone: csv as text, xlsx as base64 (small files; big ones with the CLI). */
  z.object({ action: z.literal('orders.import'), ...m, format: z.enum(['csv', 'xlsx']), content: z.string().min(1).max(2_000_000) }),
  z.object({ action: z.literal('orders.unmatched'), ...m, limit: z.number().int().min(1).max(100).default(50) }),
  z.object({ action: z.literal('orders.link'), ...m, orderNo: z.string().min(1).max(64), externalUserId: z.string().min(1).max(128) }),
] as const;

// orders show revenue and what each customer paid: the owner's business, like 营业额
export const ORDER_POLICY = {
  'webhook.get': { role: 'owner', scope: 'merchant' },
  'webhook.rotate': { role: 'owner', scope: 'merchant' },
  'orders.import': { role: 'owner', scope: 'merchant' },
  'orders.unmatched': { role: 'owner', scope: 'merchant' },
  'orders.link': { role: 'owner', scope: 'merchant' },
} as const;

export const UnmatchedOrderView = z.object({
  orderNo: z.string(),
  status: OrderStatus,
  amountFen: z.number().int(),
  placedAt: z.number(),
  /** What the order source said about the buyer (phone in full: owners only). */
  phone: z.string().nullable(),
  externalUserId: z.string().nullable(),
  /** 杨枝甘露×2、珍珠奶茶 */
  summary: z.string(),
});
export type UnmatchedOrderView = z.infer<typeof UnmatchedOrderView>;

const Issue = z.object({ line: z.number().int(), message: z.string() });

export const ORDER_RESULTS = {
  'webhook.get': z.object({ configured: z.boolean(), rotatedAt: z.number().nullable(), path: z.string() }),
  'webhook.rotate': z.object({ secret: z.string(), rotatedAt: z.number() }),
  'orders.import': z.object({
    imported: z.number().int(),
    unchanged: z.number().int(),
    unmatched: z.number().int(),
    errors: z.array(Issue),
    warnings: z.array(Issue),
  }),
  'orders.unmatched': z.object({ orders: z.array(UnmatchedOrderView) }),
  'orders.link': z.object({ orderNo: z.string(), externalUserId: z.string() }),
};
