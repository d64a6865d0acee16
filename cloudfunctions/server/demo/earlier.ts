import type { Order } from '@xiaoer/shared/domain/commerce';
import type { Day } from '@xiaoer/shared/domain/ids';
import { addDays } from '@xiaoer/shared/domain/time';
import { countsFor } from '@xiaoer/shared/usecases/orders/facts';
import { DEMO_MERCHANT_ID, DEMO_PRODUCTS } from './catalog';
import type { CounterLog } from './counters';
import type { Person } from './customers';
import { orderId } from './ids';
import { line } from './orders';
import { Rng } from './prng';
import { ACTIVITY_DAYS, CUSTOMER_DAYS, DAY, MIN, type DemoCalendar } from './time';

/**
 * The shop's best customers' orders from before the 30 days of activity (issue 15 §8): a few
 * office buyers and regulars who belong to a staff member spent enough over the months before
 * to sit on every spend tier (¥1000 VIP and ¥3000 超级VIP of the 奶茶 template), so the demo's
 * tag rules have someone to tag and `tags apply` has someone to mark at WeCom.
 *
 * Drawn from a PRNG of its own: the rest of the shop (every draw of the month) stays as it was.
 * Each order stays under the ¥200 big-order mark and was delivered within minutes, so it raises
 * no alert; counters come from the webhook's own rule like every other demo order.
 */
const SEED = 0x7a65_2015;
const BIG_ORDER_FEN = 20_000;

function basket(rng: Rng, cups: number): Order['items'] {
  const kinds = rng.shuffle(DEMO_PRODUCTS).slice(0, Math.min(cups, rng.int(1, 3)));
  const qty = kinds.map(() => 1);
  for (let left = cups - kinds.length; left > 0; left--) qty[rng.int(0, kinds.length - 1)]!++;
  const items = kinds.map((pr, i) => line(pr.sku, pr.name, qty[i]!, pr.priceFen));
  // a team order stays under the big-order mark (one cup fewer until it does)
  while (items.reduce((s, it) => s + it.qty * it.priceFen, 0) >= BIG_ORDER_FEN) {
    const top = items.reduce((a, b) => (b.qty > a.qty ? b : a));
    top.qty--;
  }
  return items.filter((it) => it.qty > 0);
}

/** Who gets a history, and how much: office buyers to 超级VIP, regulars to VIP (a couple just under). */
function targets(people: Person[], anchor: number): { p: Person; fen: number; cups: [number, number]; every: number }[] {
  const older = people.filter((p) => p.followUserId && p.lostAt === undefined && p.createdAt < anchor - (ACTIVITY_DAYS + 20) * DAY);
  const offices = older.filter((p) => p.corporate).map((p) => ({ p, fen: 330_000, cups: [9, 12] as [number, number], every: 1 }));
  const regulars = older
    .filter((p) => p.regular)
    .slice(0, 8)
    .map((p, i) => ({ p, fen: i < 5 ? 105_000 : 50_000, cups: [2, 4] as [number, number], every: 3 }));
  return [...offices, ...regulars];
}

export function earlierOrders(people: Person[], cal: DemoCalendar, anchor: number, counters: CounterLog, taken: ReadonlySet<string>): Order[] {
  const rng = new Rng(SEED);
  const out: Order[] = [];
  const seq = new Map<Day, number>();
  const first = addDays(cal.today, -(CUSTOMER_DAYS - 1));
  const last = addDays(cal.today, -(ACTIVITY_DAYS + 1));
  for (const { p, fen, cups, every } of targets(people, anchor)) {
    let spent = 0;
    // the customer's days before the month, walked in steps of a few days from their first one
    let day = first;
    while (cal.dayStart(day) < p.createdAt + DAY) day = addDays(day, 1);
    while (spent < fen && day <= last) {
      const placedAt = cal.dayStart(day) + rng.int(11 * 60, 20 * 60) * MIN;
      const items = basket(rng, rng.int(cups[0], cups[1]));
      const amountFen = items.reduce((s, it) => s + it.qty * it.priceFen, 0);
      let n = (seq.get(day) ?? 0) + 1;
      while (taken.has(orderId(day, n))) n++;
      seq.set(day, n);
      const row: Order = {
        id: orderId(day, n),
        merchantId: DEMO_MERCHANT_ID,
        externalUserId: p.ext,
        amountFen,
        status: 'fulfilled',
        items,
        placedAt,
        updatedAt: placedAt + rng.int(8, 20) * MIN,
        customerRef: { externalUserId: p.ext },
        paidFen: amountFen,
      };
      for (const c of countsFor(row, { newPaid: true, newRefund: false })) counters.inc(c.name, c.at, c.eventId, 'amount' in c ? c.amount : undefined);
      out.push(row);
      spent += amountFen;
      day = addDays(day, rng.int(1, every));
    }
  }
  return out;
}
