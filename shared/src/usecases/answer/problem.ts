/**
 * An upset customer, or one with a problem, is never asked "您是想问「…」吗？" (issue 13 §3): a
 * guess at an unrelated FAQ reads as not listening. When retrieval is unsure on such a message,
 * a person takes it, with the reason its signals show (handoff-signals.ts).
 */
import type { HandoffReason } from './handoff';
import { handoffSignals, type SignalContext } from './handoff-signals';

/** Why a person should take a message retrieval could not answer, or null when it shows no problem. */
export function problemReason(text: string, ctx: SignalContext): HandoffReason | null {
  const s = new Set(handoffSignals(text, ctx));
  if (s.has('#harm')) return 'harm';
  if (s.has('#person') || s.has('#member_ask')) return 'person';
  if (s.has('#neg') || s.has('#broken') || s.has('#again')) return 'complaint';
  if (s.has('#past_bad')) return 'order';
  return null;
}
