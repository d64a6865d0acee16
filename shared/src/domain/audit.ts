import { z } from 'zod';
import { Instant, MerchantId } from './ids';

/** Take-overs, hand-backs and settings changes: who did what, when. */
export const AuditEntry = z.object({
  id: z.string().min(1),
  merchantId: MerchantId,
  actor: z.string().min(1),
  action: z.string().min(1),
  target: z.string().default(''),
  detail: z.record(z.string(), z.unknown()).default({}),
  at: Instant,
});
export type AuditEntry = z.infer<typeof AuditEntry>;
