import { z } from 'zod';

/** Merchant ids appear in URLs and CLI flags: keep them short and URL-safe. */
export const MerchantId = z.string().regex(/^[a-z0-9][a-z0-9_-]{1,39}$/, '店铺 ID 只能用小写字母、数字、- 和 _，2–40 位');
export type MerchantId = z.infer<typeof MerchantId>;

export const Id = z.string().min(1).max(128);
/** Epoch milliseconds, UTC. WeCom gives seconds: convert at the edge. */
export const Instant = z.number().int().nonnegative();
/** Integer 分 (CNY cents). */
export const Fen = z.number().int();
/** A calendar day in the merchant's time zone. */
export const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
export type Day = z.infer<typeof Day>;
