import { z } from 'zod';
import { Fen, Instant, MerchantId } from './ids';

export const OrderStatus = z.enum(['paid', 'fulfilled', 'refunded', 'cancelled']);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const OrderItem = z.object({ sku: z.string(), name: z.string(), qty: z.number().int().positive(), priceFen: Fen, category: z.string().optional() });
export type OrderItem = z.infer<typeof OrderItem>;

/** Who the order source said bought it, kept as sent: an unmatched order is linked by the owner later. */
export const OrderCustomerRef = z.object({ externalUserId: z.string().optional(), phone: z.string().optional(), unionId: z.string().optional() });

/**
 * One order, keyed by (merchantId, id = the source's order number). `status`/`updatedAt` follow the
 * latest event; the facts (`paidFen`, `refundedAt`) only grow and are what counters and customer
 * totals count. Rows written before the order webhook (the demo seed) have neither facts nor
 * `rev`: read them through `usecases/orders/facts.ts`.
 */
export const Order = z.object({
  id: z.string().min(1),
  merchantId: MerchantId,
  storeId: z.string().optional(),
  /** The matched (or linked) customer; absent: unmatched. */
  externalUserId: z.string().optional(),
  amountFen: Fen.nonnegative(),
  status: OrderStatus,
  items: z.array(OrderItem).default([]),
  placedAt: Instant,
  updatedAt: Instant,
  customerRef: OrderCustomerRef.optional(),
  source: z.enum(['webhook', 'import']).optional(),
  /** Payment seen: the amount counted as revenue, which a refund takes back exactly. */
  paidFen: Fen.nonnegative().optional(),
  /** Refund seen: when it happened (its event's updatedAt), the day it is counted on. */
  refundedAt: Instant.optional(),
  /** Who linked an unmatched order to its customer, and when. */
  linked: z.object({ by: z.string(), at: Instant }).optional(),
  /** Compare-and-set token: +1 per write (absent = 0). */
  rev: z.number().int().nonnegative().optional(),
});
export type Order = z.infer<typeof Order>;
