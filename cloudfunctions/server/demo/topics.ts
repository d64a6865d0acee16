import { DEMO_FAQS, type DemoFaq } from './catalog';
import type { Person } from './customers';
import { ASK_PREFIXES, REPLY_CLOSERS, REPLY_OPENERS } from './people';
import type { Rng } from './prng';

const FAQ_BY_ID = new Map(DEMO_FAQS.map((f) => [f.id, f]));

/** Topics after which a customer is likely to order. */
export const ORDERISH = new Set(['order_howto', 'delivery', 'reservation', 'recommend', 'new_items', 'size_price', 'sweetness', 'toppings']);

/** What this customer is likely to ask about: office buyers about group orders, students about discounts… */
function topicWeight(p: Person, isNew: boolean) {
  return (f: DemoFaq) => {
    let w = f.weight;
    if (p.corporate && (f.id === 'group_order' || f.id === 'invoice')) w *= 6;
    if (p.student && f.id === 'student') w *= 6;
    if (p.lessSugar && (f.id === 'sweetness' || f.id === 'sugar_substitute')) w *= 2;
    if (p.member && (f.id === 'points' || f.id === 'stored_value')) w *= 1.5;
    if (p.member && f.id === 'member') w *= 0.3;
    if (isNew && ['member', 'address', 'hours', 'recommend', 'delivery'].includes(f.id)) w *= 2;
    return w;
  };
}

/** One to three different FAQ topics for a session. */
export function pickTopics(rng: Rng, p: Person, isNew: boolean): string[] {
  const n = rng.weighted([1, 2, 3], (x) => (x === 1 ? 55 : x === 2 ? 32 : 13));
  const chosen: string[] = [];
  const w = topicWeight(p, isNew);
  while (chosen.length < n) {
    const f = rng.weighted(DEMO_FAQS, (x) => (chosen.includes(x.id) ? 0 : w(x)));
    chosen.push(f.id);
  }
  return chosen;
}

/** The customer's question on a topic, the way people actually type it. */
export function askFor(rng: Rng, topic: string): string {
  const f = FAQ_BY_ID.get(topic)!;
  const q = rng.pick([f.question, ...f.alternatives, ...f.asks, ...f.asks]);
  return rng.pick(ASK_PREFIXES) + q;
}

/** The AI's answer on a topic: the FAQ answer with a friendly opener and closer. */
export function replyFor(rng: Rng, topic: string): string {
  return rng.pick(REPLY_OPENERS) + FAQ_BY_ID.get(topic)!.answer + rng.pick(REPLY_CLOSERS);
}
