import { z } from 'zod';
import { Message } from '../domain/conversation';
import { MerchantId } from '../domain/ids';
import { CustomerOrdersView } from './api-customer-orders';
import { TagName } from '../domain/tag-rule';
import { Birthday } from './tags';

/**
 * The 客户 actions of the `api` contract (api.ts spreads them into its union, policy and
 * results): the list with its filters, sort and total, and one customer's profile. Hand-made
 * changes (tags, note, birthday) are in tags.ts.
 */
const m = { merchantId: MerchantId };

export const CUSTOMER_REQUESTS = [
  /**
   * Customers matching every filter given: `search` (part of the name or phone), `tags` (all of
   * them, or any with `tagMode: 'any'`; the single `tag` of older apps joins them). Sorted newest
   * or highest first: `lastVisit` (last message or order, the default), `spend`, `added`. `cursor`
   * comes from the previous page of the same query ("load more").
   */
  z.object({
    action: z.literal('customers.list'),
    ...m,
    search: z.string().max(40).optional(),
    tag: z.string().max(30).optional(),
    tags: z.array(TagName).max(10).optional(),
    tagMode: z.enum(['all', 'any']).default('all'),
    sort: z.enum(['lastVisit', 'spend', 'added']).default('lastVisit'),
    limit: z.number().int().min(1).max(100).default(20),
    cursor: z.string().max(200).optional(),
  }),
  z.object({ action: z.literal('customers.get'), ...m, externalUserId: z.string().min(1).max(128) }),
] as const;

export const CUSTOMER_POLICY = {
  'customers.list': { role: 'staff', scope: 'merchant' },
  'customers.get': { role: 'staff', scope: 'merchant' },
} as const;

export const CustomerView = z.object({
  externalUserId: z.string(),
  name: z.string(),
  /** Masked (138****5678) for staff. */
  phone: z.string().nullable(),
  /** The code (kf, contact_way, qr, campaign, …): filters and rules use it. */
  source: z.string(),
  /** The source as the owner reads it: 微信客服, 渠道活码, 扫码添加, 活动, … */
  sourceText: z.string(),
  tags: z.array(z.string()),
  /** null for staff. */
  totalSpentFen: z.number().int().nullable(),
  orderCount: z.number().int(),
  lastMessageAt: z.number().nullable(),
  createdAt: z.number(),
  /** The shop's note; null when none (absent from older servers). */
  note: z.string().nullable().optional(),
  /** Month and day, the year when known; null when not set (absent from older servers). */
  birthday: Birthday.nullable().optional(),
});
export type CustomerView = z.infer<typeof CustomerView>;

/** One customer's 客户资料: the list's fields and what only the profile shows. */
export const CustomerProfileView = CustomerView.extend({
  note: z.string().nullable(),
  birthday: Birthday.nullable(),
  storeId: z.string().nullable(),
  /** The store's name; null without a store (or one since removed). */
  storeName: z.string().nullable(),
  /** When they became the shop's customer (added, or first wrote to 微信客服). */
  firstContactAt: z.number(),
  lastOrderAt: z.number().nullable(),
});
export type CustomerProfileView = z.infer<typeof CustomerProfileView>;

export const CUSTOMER_RESULTS = {
  'customers.list': z.object({
    items: z.array(CustomerView),
    nextCursor: z.string().nullable(),
    /** Every customer matching the filters, not only this page. */
    total: z.number().int().nonnegative(),
  }),
  'customers.get': z.object({ customer: CustomerProfileView, recentMessages: z.array(Message), orders: CustomerOrdersView }),
};
