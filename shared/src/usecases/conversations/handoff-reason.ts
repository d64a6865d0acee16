import { handoffReasonOf, type HandoffReasonCode } from '../../domain/handoff-reason';
import type { HandoffReason } from '../answer/handoff';
import { handoffSignals } from '../answer/handoff-signals';

// the engine's reasons and the stored codes are one list: a code added on one side and not the other fails to compile
const sameList: [HandoffReason, HandoffReasonCode] extends [HandoffReasonCode, HandoffReason] ? true : never = true;
void sameList;

/**
 * The reason stored with a handoff. The learned signal (`handoff:model`) says only "a person
 * should see this"; the structured signals of the message say which kind, so the owner reads
 * 投诉 or 受伤/安全 rather than 没把握 for it.
 */
export function handoffReasonFor(reason: string, question?: string): HandoffReasonCode {
  if (reason !== 'handoff:model' || !question) return handoffReasonOf(reason);
  const s = new Set(handoffSignals(question));
  if (s.has('#harm')) return 'harm';
  if (s.has('#person') || s.has('#member_ask') || s.has('#someone')) return 'person';
  if (s.has('#neg') || s.has('#broken') || s.has('#again')) return 'complaint';
  if (s.has('#past_bad')) return 'order';
  if (s.has('#commit')) return 'commit';
  return 'unsure';
}
