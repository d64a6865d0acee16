import { z } from 'zod';
import { OrderStatus } from '../domain/commerce';

/**
 * The orders part of `customers.get` (api.ts adds it to the result): the customer's latest
 * orders and what the customer record sums up about them. Amounts are for owners only, the same
 * rule as revenue and total spend: staff get null.
 */
export const CustomerOrderView = z.object({
  orderNo: z.string(),
  placedAt: z.number(),
  status: OrderStatus,
  /** null for staff. */
  amountFen: z.number().int().nullable(),
  /** 杨枝甘露×2、珍珠奶茶 (long orders end with 等N样). */
  summary: z.string(),
});
export type CustomerOrderView = z.infer<typeof CustomerOrderView>;

export const CustomerOrdersView = z.object({
  /** Newest first, the latest 20 (usecases/customers/orders.ts). */
  recent: z.array(CustomerOrderView),
  /** First and last paid order (refunded ones too: the customer did come). */
  firstOrderAt: z.number().nullable(),
  lastOrderAt: z.number().nullable(),
  /** Categories of what they bought and kept, sorted. */
  categories: z.array(z.string()),
});
export type CustomerOrdersView = z.infer<typeof CustomerOrdersView>;
