import { z } from 'zod';

/**
 * Why a conversation went to a person, as stored on the handoff notice and the conversation (issue
 * 13 §5). The answer engine's `HandoffReason` (usecases/answer/handoff.ts) is this same list; it
 * lives here too because the owner app (which may import only domain and contracts) shows it.
 */
export const HANDOFF_REASONS = ['person', 'complaint', 'harm', 'order', 'commit', 'unsure', 'repeated_miss'] as const;
export const HandoffReasonCode = z.enum(HANDOFF_REASONS);
export type HandoffReasonCode = z.infer<typeof HandoffReasonCode>;

/** The short label beside a handoff, as an owner says it. */
export const HANDOFF_REASON_LABEL: Record<HandoffReasonCode, string> = {
  person: '找人',
  complaint: '投诉',
  harm: '受伤/安全',
  order: '订单',
  commit: '要店里答应的事',
  unsure: '没把握',
  repeated_miss: '两次没答上',
};

/**
 * What a person does with each: a gap in the knowledge base is taught once and the AI answers next
 * time; the rest (a complaint, an order, harm, a promise) needs someone to handle it every time,
 * and a fixed FAQ answer to it would be wrong.
 */
export const TEACHABLE_REASONS: readonly HandoffReasonCode[] = ['unsure', 'repeated_miss'];
export const isTeachable = (r: HandoffReasonCode) => TEACHABLE_REASONS.includes(r);

/** Older spellings and channel reasons, mapped onto the codes. */
const ALIASES: Record<string, HandoffReasonCode> = {
  asked_for_person: 'person',
  merchant_word: 'person',
  member: 'person',
  unanswered_twice: 'repeated_miss',
  rejected_twice: 'repeated_miss',
  order_issue: 'order',
  promise: 'commit',
  safety: 'harm',
};

/**
 * The code of an engine or channel reason string (`handoff:complaint`, `model:order`,
 * `unanswered_twice`, `clarify`, …). Anything without a specific code (no match, low confidence,
 * an image, a banned word in the reply, the learned signal alone) reads as 'unsure'.
 */
export function handoffReasonOf(reason: string | undefined | null): HandoffReasonCode {
  const r = (reason ?? '').replace(/^(handoff|model):/, '');
  if ((HANDOFF_REASONS as readonly string[]).includes(r)) return r as HandoffReasonCode;
  return ALIASES[r] ?? 'unsure';
}
