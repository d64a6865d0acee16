import { z } from 'zod';
import { Day, Fen, Instant } from './ids';

/**
 * Alerts (issue 12 §5): things the owner should look at now — a big order, an order that went
 * wrong, stock running out, products that stopped selling. Each alert has a deterministic key
 * (`order:big:<orderNo>`, `stock:<sku>:<day>`, …), so whatever raises it twice stores it once
 * and pushes it once.
 */
/** `badReview`: the order source sent a review of 1 or 2 stars (once per order). */
export const AlertKind = z.enum(['bigOrder', 'unfulfilled', 'refund', 'stockYellow', 'stockRed', 'slowMovers', 'badReview']);
export type AlertKind = z.infer<typeof AlertKind>;

/** Kinds whose text names an amount of money: staff see the list without them. */
export const MONEY_ALERTS: ReadonlySet<AlertKind> = new Set(['bigOrder', 'refund']);

/** 提醒设置 on the merchant; absent fields mean the defaults below. */
export const AlertSettings = z.object({
  /** An order paid at or above this amount is announced; absent: no big-order alerts. */
  bigOrderFen: Fen.positive().max(100_000_000).optional(),
  /** A paid order not fulfilled this many hours after it was placed is an exception. */
  unfulfilledHours: z.number().int().min(1).max(240).default(24),
  /** Whether the 09:00 stock check and the Monday slow-mover list run. */
  stock: z.boolean().default(true),
});
export type AlertSettings = z.infer<typeof AlertSettings>;
/** A review at or below this many stars raises a `badReview` alert. */
export const BAD_REVIEW_MAX_STARS = 2;
export const DEFAULT_ALERT_SETTINGS: AlertSettings = { unfulfilledHours: 24, stock: true };
export const alertSettingsOf = (m: { alerts?: Partial<AlertSettings> }): AlertSettings => ({ ...DEFAULT_ALERT_SETTINGS, ...m.alerts });

export const Alert = z.object({
  key: z.string().min(1).max(200),
  kind: AlertKind,
  /** The day (shop's time zone) it is about: the list groups by it. */
  day: Day,
  /** One line the owner reads (zh-CN). */
  text: z.string().max(500),
  at: Instant,
  /** Whether it went out on the WeCom app message yet (the job that pushes retries until it did). */
  pushed: z.boolean().default(false),
});
export type Alert = z.infer<typeof Alert>;

/** The two stock marks of a product: at or below yellow it is running low, at or below red it is about out. */
export function stockLevel(p: { stock: number; lowStockAt?: number; redStockAt?: number }): 'ok' | 'yellow' | 'red' {
  const yellow = p.lowStockAt ?? 5;
  const red = Math.min(p.redStockAt ?? 0, yellow);
  if (p.stock <= red) return 'red';
  if (p.stock <= yellow) return 'yellow';
  return 'ok';
}
