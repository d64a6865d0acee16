import type { Message } from '../../domain/conversation';
import type { Order } from '../../domain/commerce';
import { type CounterName, type Counters, zeroCounters } from '../../domain/counters';
import type { Day } from '../../domain/ids';
import { dayOf, hourOf } from '../../domain/time';
import { isPaid, isRefunded, withFacts } from '../orders/facts';
import { findRejections } from '../answer/rejection';

/**
 * The counters `counters rebuild` can recompute from stored rows, by the rules of the live
 * path (which event ids count once, on which instant's day and hour):
 * - customerMessages: each stored customer message (`kf:msg:<msgid>`, ingest.ts), on its `at`;
 * - consultations: each (day, customer) with a customer message (`consult:<day>:<customer>`);
 * - aiAnswered: each AI reply with knowledge behind it that reached the customer, on the time
 *   of the question it answers (`ai:<source>`, reply.ts); aiHandoffs: each handoff notice the
 *   AI stored (handoff.ts), on the same time; aiRejected: each delivered answer the customer's
 *   next message rejected (answer/rejection.ts `findRejections`), on the rejection's time, which
 *   also takes it off aiAnswered there (reply.ts);
 * - orders, revenueFen, refunds: the facts stored on each order (orders/facts.ts `countsFor`):
 *   payment on the placing day, a refund (minus the paid amount) on the refund's day.
 * The others keep no raw row of their own (a 客户联系 add or delete, a first response time) and
 * are left out of the comparison: see REBUILT.
 */
export const REBUILT: readonly CounterName[] = ['customerMessages', 'consultations', 'aiAnswered', 'aiHandoffs', 'aiRejected', 'orders', 'revenueFen', 'refunds'];

export interface Tally {
  days: Map<Day, Counters>;
  hours: Map<string, Counters>;
}

export const hourKey = (day: Day, hour: number) => `${day}#${hour}`;

export function newTally(): Tally {
  return { days: new Map(), hours: new Map() };
}

function add(t: Tally, tz: string, at: number, name: CounterName, amount = 1) {
  const day = dayOf(at, tz);
  const hk = hourKey(day, hourOf(at, tz));
  if (!t.days.has(day)) t.days.set(day, zeroCounters());
  if (!t.hours.has(hk)) t.hours.set(hk, zeroCounters());
  t.days.get(day)![name] += amount;
  t.hours.get(hk)![name] += amount;
}

/** One conversation's stored messages, oldest first. */
export function tallyConversation(t: Tally, tz: string, externalUserId: string, messages: Message[], consulted: Set<string>) {
  const questionAt = new Map<string, number>();
  for (const m of messages) {
    if (m.sender !== 'customer') continue;
    questionAt.set(m.id, m.at);
    add(t, tz, m.at, 'customerMessages');
    // the consultation counts at the first message of that customer that day
    const key = `${dayOf(m.at, tz)}:${externalUserId}`;
    if (consulted.has(key)) continue;
    consulted.add(key);
    add(t, tz, m.at, 'consultations');
  }
  // a reply's parts share the id prefix out_<hash of the source>_; one of them sent = delivered
  const delivered = new Set(messages.filter((m) => m.delivery === 'sent').map((m) => groupOf(m.id)));
  let lastQuestionAt: number | undefined;
  for (const m of messages) {
    if (m.sender === 'customer') lastQuestionAt = m.at;
    if (m.sender !== 'ai' || !m.answer) continue;
    // rows written before replies recorded what they answer (the demo seed too): the customer's latest message before it
    const at = m.replyTo?.length ? questionAt.get(m.replyTo[m.replyTo.length - 1]!) : lastQuestionAt;
    if (at === undefined) continue;
    if (m.answer.handoff) add(t, tz, at, 'aiHandoffs');
    else if (m.answer.knowledgeIds.length > 0 && delivered.has(groupOf(m.id))) add(t, tz, at, 'aiAnswered');
  }
  // a rejected answer ("不是，我是问…") moves from answered to rejected at the rejection's time
  for (const r of findRejections(messages)) {
    if (!delivered.has(groupOf(r.answer.id))) continue;
    add(t, tz, r.rejection.at, 'aiAnswered', -1);
    add(t, tz, r.rejection.at, 'aiRejected');
  }
}

const groupOf = (id: string) => id.replace(/_\d+$/, '');

export function tallyOrder(t: Tally, tz: string, raw: Order) {
  const o = withFacts(raw);
  if (!isPaid(o)) return;
  add(t, tz, o.placedAt, 'orders');
  add(t, tz, o.placedAt, 'revenueFen', o.paidFen!);
  if (!isRefunded(o)) return;
  add(t, tz, o.refundedAt!, 'refunds');
  add(t, tz, o.refundedAt!, 'revenueFen', -o.paidFen!);
}
