import type { FollowupConfig, FollowupKind } from '../../domain/followup';
import type { Order } from '../../domain/commerce';
import { addDays, dayOf, startOfDay } from '../../domain/time';
import type { Day } from '../../domain/ids';
import type { Deps } from '../../ports/deps';
import type { CustomerFacts } from '../../ports/storage';
import { isPaid, isRefunded, withFacts } from '../orders/facts';

const DAY = 86_400_000;
/** A repurchase reminder goes out within this many days of the customer's own cycle coming round; later, it is the dormancy follow-up's. */
const REPURCHASE_WINDOW_DAYS = 3;
const ORDERS_PER_CUSTOMER = 20;
const ORDERS_PER_DAY = 5_000;

export interface Due {
  externalUserId: string;
  kind: FollowupKind;
  /** What this message is about: once per customer per period. */
  period: string;
}

/** Who one follow-up reaches on `day` (shop's calendar). Reads orders only for aftercare and repurchase. */
export async function dueOn(
  deps: Deps,
  merchant: { id: string; timezone: string },
  cfg: FollowupConfig,
  facts: CustomerFacts[],
  day: Day,
  cache = new Map<string, Order[]>(),
): Promise<Due[]> {
  const tz = merchant.timezone;
  const start = startOfDay(day, tz);
  const kind = cfg.kind;
  if (kind === 'dormant') {
    const n = cfg.params.dormantDays ?? 60;
    return facts
      .filter((f) => f.orderCount > 0 && f.lastOrderAt !== undefined && f.lastOrderAt < start - n * DAY + DAY)
      .map((f) => ({ externalUserId: f.externalUserId, kind, period: `last:${f.lastOrderAt}` }));
  }
  if (kind === 'birthday') {
    const target = addDays(day, cfg.params.daysBefore ?? 0);
    const [y, m, d] = [Number(target.slice(0, 4)), Number(target.slice(5, 7)), Number(target.slice(8, 10))];
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    // 2月29日 birthdays are kept on the 28th in other years
    const matches = (f: CustomerFacts) => f.birthdayMonth === m && (f.birthdayDay === d || (!leap && m === 2 && d === 28 && f.birthdayDay === 29));
    return facts.filter(matches).map((f) => ({ externalUserId: f.externalUserId, kind, period: `year:${y}` }));
  }
  if (kind === 'aftercare') {
    const out: Due[] = [];
    for (const after of cfg.params.afterDays ?? [1, 7, 30]) {
      const placed = addDays(day, -after);
      const orders = await deps.storage.orders.listPlacedBetween(merchant.id, startOfDay(placed, tz), startOfDay(addDays(placed, 1), tz), ORDERS_PER_DAY);
      for (const o of orders.map(withFacts))
        if (o.externalUserId && isPaid(o) && !isRefunded(o)) out.push({ externalUserId: o.externalUserId, kind, period: `order:${o.id}:${after}` });
    }
    return out;
  }
  // repurchase: the customer's own cycle (median days between their orders, at least 2 orders)
  const out: Due[] = [];
  for (const f of facts) {
    if (f.orderCount < 2 || f.lastOrderAt === undefined || f.firstOrderAt === undefined) continue;
    const avg = (f.lastOrderAt - f.firstOrderAt) / (f.orderCount - 1);
    const since = start - f.lastOrderAt;
    // only customers near their cycle read their orders
    if (avg <= 0 || since < avg * 0.5 || since > avg * 2 + REPURCHASE_WINDOW_DAYS * DAY) continue;
    let orders = cache.get(f.externalUserId);
    if (!orders) {
      orders = (await deps.storage.orders.listByCustomer(merchant.id, f.externalUserId, ORDERS_PER_CUSTOMER)).map(withFacts).filter((o) => isPaid(o) && !isRefunded(o));
      cache.set(f.externalUserId, orders);
    }
    const cycle = medianGap(orders.map((o) => o.placedAt));
    if (cycle === null) continue;
    const dueDay = dayOf(f.lastOrderAt + cycle, tz);
    if (day >= dueDay && day < addDays(dueDay, REPURCHASE_WINDOW_DAYS)) out.push({ externalUserId: f.externalUserId, kind, period: `last:${f.lastOrderAt}` });
  }
  return out;
}

/** Median gap between consecutive purchases (ms); null under two purchases. */
export function medianGap(times: number[]): number | null {
  const t = [...times].sort((a, b) => a - b);
  if (t.length < 2) return null;
  const gaps = t
    .slice(1)
    .map((x, i) => x - t[i]!)
    .sort((a, b) => a - b);
  const mid = Math.floor(gaps.length / 2);
  return gaps.length % 2 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
}
