import type { Order } from '@xiaoer/shared/domain/commerce';
import type { Day } from '@xiaoer/shared/domain/ids';
import { countsFor } from '@xiaoer/shared/usecases/orders/facts';
import { DEMO_MERCHANT_ID, DEMO_PRODUCTS } from './catalog';
import type { CounterLog } from './counters';
import type { Person } from './customers';
import { orderId } from './ids';
import type { Rng } from './prng';
import { HOUR, MIN, type DemoCalendar } from './time';

/** The unfinished delivery's age at least: past the alert's default 24 h by the time the hourly check runs. */
const UNFINISHED_AGE = 26 * HOUR;

const categoryOf = new Map(DEMO_PRODUCTS.map((p) => [p.sku, (p.attributes as { category: string }).category]));

/** An order line as the shop's order source sends it: with the product's category (customer categories, sellers by category). */
export function line(sku: string, name: string, qty: number, priceFen: number): Order['items'][number] {
  return { sku, name, qty, priceFen, category: categoryOf.get(sku)! };
}

/** An order before it has an id and a status: ids are numbered per day once all are placed. */
export interface DraftOrder {
  ext: string;
  placedAt: number;
  items: Order['items'];
  refundAt?: number;
}

/** The order history: baskets drawn from the menu, numbered and settled at the end. */
export class OrderBook {
  private readonly drafts: DraftOrder[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly cal: DemoCalendar,
  ) {}

  order(p: Person, placedAt: number, items: Order['items']): DraftOrder {
    const o: DraftOrder = { ext: p.ext, placedAt, items };
    this.drafts.push(o);
    return o;
  }

  placedOn(day: Day): number {
    return this.drafts.filter((o) => this.cal.dayOf(o.placedAt) === day).length;
  }

  /** A usual basket of one to three drinks; fruit-tea fans pick fruit tea twice as often. */
  basket(p: Person): Order['items'] {
    const { rng } = this;
    const n = rng.weighted([1, 2, 3], (x) => (x === 1 ? 50 : x === 2 ? 35 : 15));
    const out: Order['items'] = [];
    const used = new Set<string>();
    while (out.length < n) {
      const pr = rng.weighted(DEMO_PRODUCTS, (x) => (used.has(x.sku) ? 0 : x.popularity * (p.fruit && (x.attributes as { category: string }).category === '鲜果茶' ? 2 : 1)));
      used.add(pr.sku);
      const large = rng.chance(0.3);
      out.push(line(pr.sku, large ? `${pr.name}（大杯）` : pr.name, rng.chance(0.15) ? 2 : 1, pr.priceFen + (large ? 300 : 0)));
    }
    return out;
  }

  /** An office batch: 10–36 cups of two or three well-stocked drinks, at the group price from 20 cups. */
  officeBatch(): Order['items'] {
    const { rng } = this;
    const cups = rng.int(10, 36);
    const discount = cups >= 50 ? 0.85 : cups >= 20 ? 0.9 : 1;
    const kinds = rng.shuffle(DEMO_PRODUCTS.filter((x) => x.stock > 20)).slice(0, rng.int(2, 3));
    const qty = kinds.map(() => 3);
    for (let left = cups - 3 * kinds.length; left > 0; left--) qty[rng.int(0, kinds.length - 1)]++;
    return kinds.map((pr, i) => line(pr.sku, discount < 1 ? `${pr.name}（团购价）` : pr.name, qty[i], Math.round(pr.priceFen * discount)));
  }

  /**
   * The order rows, numbered per day in placing order, with the facts the order webhook would
   * have recorded (paid on placing, refunded when staff refunded) and counted by the webhook's own
   * rule (`countsFor`: payment on the placing day, refund on its day, same event ids), so a
   * rebuild from orders and a replayed webhook event agree with the seeded counters.
   * One delivery placed more than a day ago was never marked done: the order the "paid but not
   * fulfilled" alert finds (after 24 h by default).
   */
  rows(anchor: number, counters: CounterLog, reserved: ReadonlySet<string>): Order[] {
    const { rng, cal } = this;
    this.drafts.sort((a, b) => a.placedAt - b.placedAt || (a.ext < b.ext ? -1 : a.ext > b.ext ? 1 : 0));
    // not one of the recent conversations' orders: the missing cup's order was delivered
    const stuck = [...this.drafts].reverse().find((o) => o.placedAt <= anchor - UNFINISHED_AGE && o.refundAt === undefined && !reserved.has(o.ext));
    const seqByDay = new Map<Day, number>();
    return this.drafts.map((o) => {
      const d = cal.dayOf(o.placedAt);
      const n = (seqByDay.get(d) ?? 0) + 1;
      seqByDay.set(d, n);
      const id = orderId(d, n);
      const amountFen = o.items.reduce((sum, it) => sum + it.qty * it.priceFen, 0);
      const done = o.placedAt + rng.int(6, 25) * MIN;
      const refunded = o.refundAt !== undefined;
      const status: Order['status'] = refunded ? 'refunded' : done <= anchor && o !== stuck ? 'fulfilled' : 'paid';
      const updatedAt = status === 'refunded' ? o.refundAt! : status === 'fulfilled' ? done : o.placedAt;
      const row: Order = {
        id,
        merchantId: DEMO_MERCHANT_ID,
        externalUserId: o.ext,
        amountFen,
        status,
        items: o.items,
        placedAt: o.placedAt,
        updatedAt,
        customerRef: { externalUserId: o.ext },
        paidFen: amountFen,
        ...(refunded ? { refundedAt: o.refundAt } : {}),
      };
      for (const c of countsFor(row, { newPaid: true, newRefund: refunded })) counters.inc(c.name, c.at, c.eventId, 'amount' in c ? c.amount : undefined);
      return row;
    });
  }
}
