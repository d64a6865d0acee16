import { z } from 'zod';
import { Instant, MerchantId } from './ids';

export const Role = z.enum(['owner', 'staff']);
export type Role = z.infer<typeof Role>;

/** A person's membership in one shop; one person (openid) may belong to several shops. */
export const Member = z.object({
  id: z.string().min(1),
  merchantId: MerchantId,
  openid: z.string().min(1).optional(),
  wecomUserId: z.string().min(1).optional(),
  name: z.string().max(40).default(''),
  role: Role,
  onDuty: z.boolean().default(true),
  createdAt: Instant,
});
export type Member = z.infer<typeof Member>;

/** A one-time code that turns whoever redeems it into a member with `role`. */
export const Invite = z.object({
  code: z.string().regex(/^[A-Z2-9]{8}$/),
  merchantId: MerchantId,
  role: Role,
  createdAt: Instant,
  expiresAt: Instant,
  usedAt: Instant.optional(),
  usedBy: z.string().optional(),
});
export type Invite = z.infer<typeof Invite>;
