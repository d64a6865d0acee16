import { alertSettingsOf, BAD_REVIEW_MAX_STARS, stockLevel, type Alert } from '../../domain/alert';
import type { Order } from '../../domain/commerce';
import type { Day } from '../../domain/ids';
import type { StoredProduct } from '../../domain/knowledge';
import type { Merchant } from '../../domain/merchant';
import { addDays, dayOf } from '../../domain/time';

/**
 * What each alert says and under which key, as pure functions (the jobs and ingest do the I/O).
 * Keys are deterministic: one per order and kind, one per product and day, one per week.
 */

const yuan = (fen: number) => (fen / 100).toFixed(fen % 100 === 0 ? 0 : 2);

/** Alerts an order's new facts raise: a big payment, a refund. Keyed by the order, dated by its placing day. */
export function orderAlerts(merchant: Pick<Merchant, 'timezone' | 'alerts'>, o: Order, facts: { newPaid: boolean; newRefund: boolean }, now: number): Alert[] {
  const settings = alertSettingsOf(merchant);
  const day = dayOf(o.placedAt, merchant.timezone);
  const out: Alert[] = [];
  if (facts.newPaid && settings.bigOrderFen !== undefined && (o.paidFen ?? 0) >= settings.bigOrderFen) {
    out.push({ key: `order:big:${o.id}`, kind: 'bigOrder', day, text: `来了一笔大单：订单 ${o.id}，${yuan(o.paidFen!)} 元`, at: now, pushed: false });
  }
  if (facts.newRefund)
    out.push({ key: `order:refund:${o.id}`, kind: 'refund', day, text: `订单 ${o.id} 退款了（${yuan(o.paidFen ?? o.amountFen)} 元），看看是什么原因`, at: now, pushed: false });
  return out;
}

/** A paid order still not fulfilled `unfulfilledHours` after it was placed (cancelled, refunded or fulfilled ones are fine). */
export function unfulfilledAlerts(merchant: Pick<Merchant, 'timezone' | 'alerts'>, orders: Order[], now: number): Alert[] {
  const hours = alertSettingsOf(merchant).unfulfilledHours;
  return orders
    .filter((o) => o.status === 'paid' && o.refundedAt === undefined && now - o.placedAt >= hours * 3600_000)
    .map((o) => ({
      key: `order:unfulfilled:${o.id}`,
      kind: 'unfulfilled' as const,
      day: dayOf(o.placedAt, merchant.timezone),
      text: `订单 ${o.id} 付款超过 ${hours} 小时还没发货/出餐，记得处理`,
      at: now,
      pushed: false,
    }));
}

/** The 09:00 check: each product at or below a mark, once per product per day (red and yellow share the key). */
export function stockAlerts(products: StoredProduct[], day: Day, now: number): Alert[] {
  const out: Alert[] = [];
  for (const p of products) {
    const level = stockLevel(p);
    if (level === 'ok') continue;
    const text = p.stock <= 0 ? `${p.name} 卖完了，记得补货` : level === 'red' ? `${p.name} 只剩 ${p.stock} 件，快卖完了，尽快补货` : `${p.name} 剩 ${p.stock} 件，该准备补货了`;
    out.push({ key: `stock:${p.sku}`, kind: level === 'red' ? 'stockRed' : 'stockYellow', day, text, at: now, pushed: false });
  }
  return out;
}

/** At most this many names in the weekly list. */
export const SLOW_MOVERS_MAX = 10;

/** Products in stock that sold nothing in the 7 days before `monday` (orders paid and not refunded). */
export function slowMoverAlert(products: StoredProduct[], orders: Order[], monday: Day, now: number): Alert | null {
  const sold = new Set<string>();
  for (const o of orders) if ((o.paidFen !== undefined || o.status !== 'cancelled') && o.refundedAt === undefined) for (const it of o.items) sold.add(it.sku);
  const slow = products.filter((p) => p.stock > 0 && !sold.has(p.sku)).sort((a, b) => b.stock - a.stock || a.sku.localeCompare(b.sku));
  if (!slow.length) return null;
  const names = slow.slice(0, SLOW_MOVERS_MAX).map((p) => `${p.name}（剩 ${p.stock}）`);
  const more = slow.length > SLOW_MOVERS_MAX ? ` 等 ${slow.length} 样` : '';
  return {
    key: 'slow',
    kind: 'slowMovers',
    day: monday,
    text: `上周（${addDays(monday, -7)} 起）一件没卖出去的：${names.join('、')}${more}。可以做个活动或少进点货`,
    at: now,
    pushed: false,
  };
}

/**
 * A review of `BAD_REVIEW_MAX_STARS` stars or fewer: one alert per order (keyed by the order,
 * dated by its placing day), however often the review is delivered or changed.
 */
export function reviewAlert(
  merchant: Pick<Merchant, 'timezone'>,
  o: { orderNo: string; placedAt: number; review?: { rating: number; text?: string | undefined } | undefined },
  customerName: string | null,
  now: number,
): Alert | null {
  if (!o.review || o.review.rating > BAD_REVIEW_MAX_STARS) return null;
  const who = customerName ? `客户「${customerName}」` : '有位客户';
  const said = o.review.text ? `，评价说：“${Array.from(o.review.text).slice(0, 200).join('')}”` : '，没写评价内容';
  return {
    key: `order:review:${o.orderNo}`,
    kind: 'badReview',
    day: dayOf(o.placedAt, merchant.timezone),
    text: `差评：${who}给订单 ${o.orderNo} 打了 ${o.review.rating} 星${said}。尽快联系客户问问情况`,
    at: now,
    pushed: false,
  };
}
