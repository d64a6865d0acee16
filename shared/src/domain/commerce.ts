import { z } from 'zod';
import { Fen, Instant, MerchantId } from './ids';

/** Minimal order shape; the reports/webhook issue extends it. */
export const OrderStatus = z.enum(['paid', 'fulfilled', 'refunded', 'cancelled']);
export const Order = z.object({
  id: z.string().min(1),
  merchantId: MerchantId,
  storeId: z.string().optional(),
  externalUserId: z.string().optional(),
  amountFen: Fen.nonnegative(),
  status: OrderStatus,
  items: z.array(z.object({ sku: z.string(), name: z.string(), qty: z.number().int().positive(), priceFen: Fen })).default([]),
  placedAt: Instant,
  updatedAt: Instant,
});
export type Order = z.infer<typeof Order>;
