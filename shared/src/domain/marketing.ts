import { z } from 'zod';
import { Instant, MerchantId } from './ids';

/** Minimal shapes; the marketing issue extends them. */
export const TagRule = z.object({
  id: z.string().min(1),
  merchantId: MerchantId,
  name: z.string().min(1).max(60),
  tag: z.string().min(1).max(30),
  when: z.object({ kind: z.enum(['source', 'keyword', 'spend_over_fen', 'orders_over']), value: z.string() }),
  enabled: z.boolean().default(true),
  createdAt: Instant,
  updatedAt: Instant,
});
export type TagRule = z.infer<typeof TagRule>;

export const Campaign = z.object({
  id: z.string().min(1),
  merchantId: MerchantId,
  name: z.string().min(1).max(60),
  text: z.string().min(1).max(2000),
  audienceTags: z.array(z.string()).default([]),
  status: z.enum(['draft', 'scheduled', 'sending', 'sent', 'cancelled']),
  scheduledAt: Instant.optional(),
  createdAt: Instant,
  updatedAt: Instant,
});
export type Campaign = z.infer<typeof Campaign>;
