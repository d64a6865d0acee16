import { z } from 'zod';
import { Instant, MerchantId } from './ids';

/** Tag rules live in tag-rule.ts (issue 15); campaigns are still the minimal shape the marketing issue extends. */
export { TagRule } from './tag-rule';

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
