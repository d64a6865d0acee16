import type { ChatLog } from './chats';
import type { CounterLog } from './counters';
import { isActive, type Person } from './customers';
import type { OrderBook } from './orders';
import type { Rng } from './prng';
import { HOUR, type DemoCalendar } from './time';

/** Everything the activity of the demo's last 30 days is played into. */
export interface DemoWorld {
  /** The seed's "now": nothing happens after it. */
  anchor: number;
  /** The only randomness: every draw in a fixed order, so the same anchor gives the same shop. */
  rng: Rng;
  cal: DemoCalendar;
  people: Person[];
  counters: CounterLog;
  chats: ChatLog;
  orders: OrderBook;
  /** The recent conversations' customers: nobody else's chats or orders use them in the last hours. */
  reserved: Set<string>;
}

/** A customer free at `t` (for a chat: not chatted that day yet), drawn by `weight`; null when nobody is. */
export function pickCustomer(w: DemoWorld, t: number, forChat: boolean, weight: (p: Person) => number): Person | null {
  const day = w.cal.dayOf(t);
  const pool = w.people.filter((p) => isActive(p, t) && !(forChat && w.chats.chattedOn(p.ext, day)) && !(w.reserved.has(p.ext) && t >= w.anchor - 4 * HOUR));
  return pool.length ? w.rng.weighted(pool, weight) : null;
}
