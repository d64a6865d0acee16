import type { Order } from '@xiaoer/shared/domain/commerce';
import type { Day } from '@xiaoer/shared/domain/ids';
import { DEMO_MERCHANT_ID, DEMO_PRODUCTS } from './catalog';
import type { CounterLog } from './counters';
import type { Person } from './customers';
import { orderId } from './ids';
import type { Rng } from './prng';
import { MIN, type DemoCalendar } from './time';

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
      out.push({
        sku: pr.sku,
        name: large ? `${pr.name}（大杯）` : pr.name,
        qty: rng.chance(0.15) ? 2 : 1,
        priceFen: pr.priceFen + (large ? 300 : 0),
      });
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
    return kinds.map((pr, i) => ({
      sku: pr.sku,
      name: discount < 1 ? `${pr.name}（团购价）` : pr.name,
      qty: qty[i],
      priceFen: Math.round(pr.priceFen * discount),
    }));
  }

  /** The order rows, numbered per day in placing order; each order's revenue (and refund) counted. */
  rows(anchor: number, counters: CounterLog): Order[] {
    const { rng, cal } = this;
    this.drafts.sort((a, b) => a.placedAt - b.placedAt || (a.ext < b.ext ? -1 : a.ext > b.ext ? 1 : 0));
    const seqByDay = new Map<Day, number>();
    return this.drafts.map((o) => {
      const d = cal.dayOf(o.placedAt);
      const n = (seqByDay.get(d) ?? 0) + 1;
      seqByDay.set(d, n);
      const id = orderId(d, n);
      const amountFen = o.items.reduce((sum, it) => sum + it.qty * it.priceFen, 0);
      const done = o.placedAt + rng.int(6, 25) * MIN;
      const status: Order['status'] = o.refundAt !== undefined ? 'refunded' : done <= anchor ? 'fulfilled' : 'paid';
      const updatedAt = status === 'refunded' ? o.refundAt! : status === 'fulfilled' ? done : o.placedAt;
      counters.inc('orders', o.placedAt, `demo:order:${id}`);
      counters.inc('revenueFen', o.placedAt, `demo:paid:${id}`, amountFen);
      if (status === 'refunded') {
        counters.inc('refunds', updatedAt, `demo:refund:${id}`);
        counters.inc('revenueFen', updatedAt, `demo:refund:${id}`, -amountFen);
      }
      return { id, merchantId: DEMO_MERCHANT_ID, externalUserId: o.ext, amountFen, status, items: o.items, placedAt: o.placedAt, updatedAt };
    });
  }
}
