import { z } from 'zod';
import { AlertKind, AlertSettings } from '../domain/alert';
import { Day, Fen, MerchantId } from '../domain/ids';

/**
 * The alert and stock actions of the `api` contract (api.ts spreads them into its union, policy
 * and results): the 提醒 list (staff see it without the alerts about money), stock counts and
 * marks, and 提醒设置.
 */
const m = { merchantId: MerchantId };
const Count = z.number().int().min(-1_000_000).max(1_000_000);

export const ALERT_REQUESTS = [
  /** Newest first, the last 30 days at most. */
  z.object({ action: z.literal('alerts.list'), ...m, limit: z.number().int().min(1).max(200).default(50) }),
  /** 商品和库存: a product's count and its yellow/red marks (any of them). */
  z.object({
    action: z.literal('stock.set'),
    ...m,
    sku: z.string().min(1).max(64),
    stock: Count.optional(),
    lowStockAt: z.number().int().min(0).max(1_000_000).optional(),
    redStockAt: z.number().int().min(0).max(1_000_000).optional(),
  }),
  /** 提醒设置: the big-order amount (null: off), hours until a paid order is late, the stock checks. */
  z.object({
    action: z.literal('alerts.settings'),
    ...m,
    bigOrderFen: Fen.positive().max(100_000_000).nullable().optional(),
    unfulfilledHours: AlertSettings.shape.unfulfilledHours.removeDefault().optional(),
    stock: z.boolean().optional(),
  }),
] as const;

export const ALERT_POLICY = {
  'alerts.list': { role: 'staff', scope: 'merchant' },
  'stock.set': { role: 'owner', scope: 'merchant' },
  'alerts.settings': { role: 'owner', scope: 'merchant' },
} as const;

export const AlertView = z.object({ key: z.string(), kind: AlertKind, day: Day, text: z.string(), at: z.number(), pushed: z.boolean() });

export const ALERT_RESULTS = {
  'alerts.list': z.object({ items: z.array(AlertView) }),
  'stock.set': z.object({ sku: z.string(), stock: z.number().int(), lowStockAt: z.number().int(), redStockAt: z.number().int() }),
  'alerts.settings': z.object({ bigOrderFen: z.number().int().nullable(), unfulfilledHours: z.number().int(), stock: z.boolean() }),
};
