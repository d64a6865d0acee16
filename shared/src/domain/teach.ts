import { z } from 'zod';
import { Instant, MerchantId } from './ids';

/**
 * One entry of the "AI 没答上来" queue: a customer question the AI handed off or could not
 * answer, kept per conversation (the newest unanswered question wins, the earlier ones are kept
 * beside it) until someone teaches the AI or dismisses it. A person's reply in the conversation
 * (from the app or the WeCom client) is attached so teaching is one step.
 */
export const TeachItem = z.object({
  id: z.string().min(1),
  merchantId: MerchantId,
  conversationId: z.string().min(1),
  externalUserId: z.string().min(1),
  question: z.string().min(1).max(2000),
  earlier: z.array(z.string().max(2000)).max(3).default([]),
  /** Why the AI did not answer: `handoff:person`, `clarify`, `unanswered_twice`, `banned_word`, … */
  reason: z.string().max(60),
  askedAt: Instant,
  staffReply: z.object({ text: z.string().max(4000), at: Instant, by: z.enum(['staff', 'servicer']) }).optional(),
});
export type TeachItem = z.infer<typeof TeachItem>;
