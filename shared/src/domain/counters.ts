import { z } from 'zod';

/**
 * Daily counters per merchant (and per store), ARCHITECTURE §4. Each is incremented once per
 * source event, identified by a deterministic event id; never recomputed by scanning.
 */
export const COUNTER_NAMES = [
  'newCustomers', // added via 客户联系 or first 微信客服 contact
  'lostCustomers', // del_follow_user / del_external_contact
  'consultations', // distinct customers who wrote that day (event id: day + customer)
  'customerMessages', // every customer message
  'aiAnswered', // customer questions the AI answered
  'aiHandoffs', // customer questions the AI handed to a person
  // answers the customer rejected ("不是，我是问…"), on the rejection's time; each also takes one
  // off aiAnswered at that time, so "AI 已回复" counts only answers the customer accepted
  'aiRejected',
  'firstResponseMsSum', // sum of first-response times, with firstResponseCount for the mean
  'firstResponseCount',
  'orders', // orders placed
  'revenueFen', // paid amount in 分
  'refunds', // refunds
] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];
export const CounterName = z.enum(COUNTER_NAMES);

export type Counters = Record<CounterName, number>;
export const Counters = z.object(Object.fromEntries(COUNTER_NAMES.map((n) => [n, z.number()])) as Record<CounterName, z.ZodNumber>);

export const zeroCounters = (): Counters => Object.fromEntries(COUNTER_NAMES.map((n) => [n, 0])) as Counters;

/** The sum of several counter sets (e.g. the hours of a day up to now). */
export function sumCounters(list: Counters[]): Counters {
  const out = zeroCounters();
  for (const c of list) for (const n of COUNTER_NAMES) out[n] += c[n];
  return out;
}

/**
 * The share of questions the AI answered and the customer did not reject: aiAnswered (already net
 * of rejections) over everything asked of it (answered, handed off, rejected). null without any.
 */
export function aiAnswerRate(c: Pick<Counters, 'aiAnswered' | 'aiHandoffs' | 'aiRejected'>): number | null {
  const asked = c.aiAnswered + c.aiHandoffs + c.aiRejected;
  return asked > 0 ? Math.max(0, c.aiAnswered) / asked : null;
}
