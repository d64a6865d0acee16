import { z } from 'zod';
import { Fen, Instant, MerchantId } from './ids';

export const CustomerSource = z.enum(['kf', 'contact_way', 'qr', 'campaign', 'referral', 'search', 'import', 'other']);
export type CustomerSource = z.infer<typeof CustomerSource>;

/** Keyed by (merchantId, externalUserId): WeCom's external_userid is only unique within a corp. */
export const Customer = z.object({
  merchantId: MerchantId,
  externalUserId: z.string().min(1).max(128),
  storeId: z.string().optional(),
  name: z.string().max(60).default(''),
  phone: z.string().max(20).optional(),
  avatar: z.string().optional(),
  source: CustomerSource.default('other'),
  /** The `State` of the contact way that brought them, kept verbatim. */
  sourceState: z.string().optional(),
  followUserId: z.string().optional(),
  tags: z.array(z.string().max(30)).default([]),
  totalSpentFen: Fen.default(0),
  orderCount: z.number().int().nonnegative().default(0),
  lastMessageAt: Instant.optional(),
  lastOrderAt: Instant.optional(),
  /** From orders (usecases/orders/customer-totals.ts): first paid order, and the categories bought. */
  firstOrderAt: Instant.optional(),
  categories: z.array(z.string()).optional(),
  lost: z.boolean().default(false),
  /** When they asked for no more marketing (退订, 别发了): never in a campaign or follow-up again (issue 16). */
  optedOutAt: Instant.optional(),
  /** Their latest reply to a campaign or follow-up (within 7 days of receiving it): the 回复过活动 tag rules read it. */
  campaignReplyAt: Instant.optional(),
  /** The shop's own note about the customer (issue 15 §1). */
  note: z.string().max(500).optional(),
  /** Month and day, the year when known: the birthday-month tag rules read the month. */
  birthday: z.object({ month: z.number().int().min(1).max(12), day: z.number().int().min(1).max(31), year: z.number().int().min(1900).max(2100).optional() }).optional(),
  createdAt: Instant,
  updatedAt: Instant,
});
export type Customer = z.infer<typeof Customer>;
