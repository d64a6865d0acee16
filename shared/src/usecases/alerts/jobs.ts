import { z } from 'zod';
import { alertSettingsOf } from '../../domain/alert';
import { Day } from '../../domain/ids';
import type { Merchant } from '../../domain/merchant';
import { addDays, dayOf, startOfDay, weekStart } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import type { NewJob } from '../../ports/storage';
import type { PushEnv } from '../reports/push';
import { localTimeAt, ON_TIME_MS } from '../reports/schedule';
import { slotStart, type JobDefinition } from '../scheduling/scheduler';
import { slowMoverAlert, stockAlerts, unfulfilledAlerts } from './raise';
import { pushPendingAlerts, raiseAlert } from './store';

/**
 * Alert jobs in the ledger (issue 12 §5–6), one kind with three slots per shop:
 * - `alert:stock:<merchant>:<day>` at 09:00 in the shop's time zone: products at a stock mark;
 * - `alert:slow:<merchant>:<monday>` on Mondays at 09:00: last week's slow movers;
 * - `alert:orders:<merchant>:<hour>` every hour: paid orders not fulfilled in time.
 * Each ends by pushing every alert not pushed yet (the webhook's big orders and refunds too).
 * Like the daily report, only the latest slot is planned, and never a catch-up of a slot from
 * before the shop existed.
 */
export const ALERT_KIND = 'alert';
export const ALERT_AT = '09:00';
const HOUR = 3600_000;
const ATTEMPTS = 6;
/** Orders read per run: a shop with more paid-and-waiting orders than this has bigger news. */
const ORDER_SCAN = 2_000;
const SLOW_SCAN = 10_000;

export const stockAlertKey = (merchantId: string, day: Day) => `alert:stock:${merchantId}:${day}`;
export const slowAlertKey = (merchantId: string, monday: Day) => `alert:slow:${merchantId}:${monday}`;
export const orderAlertKey = (merchantId: string, hourStart: number) => `alert:orders:${merchantId}:${new Date(hourStart).toISOString().slice(0, 13)}`;

const Payload = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stock'), day: Day }),
  z.object({ type: z.literal('slow'), day: Day }),
  z.object({ type: z.literal('orders'), at: z.number() }),
]);

/** The latest 09:00 at or before `now` (a Monday's, when `monday`), unless it is a catch-up from before the shop existed. */
export function latestMorningSlot(now: number, m: Pick<Merchant, 'timezone' | 'createdAt'>, monday = false): { day: Day; at: number } | null {
  const today = dayOf(now, m.timezone);
  let day = monday ? weekStart(today) : today;
  let at = localTimeAt(day, ALERT_AT, m.timezone);
  if (at > now) {
    day = addDays(day, monday ? -7 : -1);
    at = localTimeAt(day, ALERT_AT, m.timezone);
  }
  if (at < m.createdAt && now - at >= ON_TIME_MS) return null;
  return { day, at };
}

export function planAlerts(now: number, merchants: Merchant[]): NewJob[] {
  const out: NewJob[] = [];
  for (const m of merchants) {
    const base = { merchantId: m.id, kind: ALERT_KIND, maxAttempts: ATTEMPTS };
    if (alertSettingsOf(m).stock) {
      const s = latestMorningSlot(now, m);
      if (s) out.push({ ...base, key: stockAlertKey(m.id, s.day), runAt: s.at, payload: { type: 'stock', day: s.day } });
      const w = latestMorningSlot(now, m, true);
      if (w) out.push({ ...base, key: slowAlertKey(m.id, w.day), runAt: w.at, payload: { type: 'slow', day: w.day } });
    }
    const h = slotStart(now, HOUR);
    if (h >= m.createdAt || now - h < ON_TIME_MS) out.push({ ...base, key: orderAlertKey(m.id, h), runAt: h, payload: { type: 'orders', at: h } });
  }
  return out;
}

async function raiseAll(deps: Deps, merchant: Merchant, payload: z.infer<typeof Payload>): Promise<number> {
  const now = deps.clock.now();
  let alerts;
  if (payload.type === 'stock') {
    alerts = stockAlerts(await deps.storage.knowledge.listProducts(merchant.id), payload.day, now);
  } else if (payload.type === 'slow') {
    const from = startOfDay(addDays(payload.day, -7), merchant.timezone);
    const orders = await deps.storage.orders.listPlacedBetween(merchant.id, from, startOfDay(payload.day, merchant.timezone), SLOW_SCAN);
    const one = slowMoverAlert(await deps.storage.knowledge.listProducts(merchant.id), orders, payload.day, now);
    alerts = one ? [one] : [];
  } else {
    const hours = alertSettingsOf(merchant).unfulfilledHours;
    // orders placed in the two days before the cut-off: older ones were looked at by earlier runs
    const cutoff = payload.at - hours * HOUR;
    const orders = await deps.storage.orders.listPlacedBetween(merchant.id, cutoff - 48 * HOUR, cutoff + 1, ORDER_SCAN);
    alerts = unfulfilledAlerts(merchant, orders, payload.at);
  }
  let raised = 0;
  for (const a of alerts) if (await raiseAlert(deps, merchant.id, a)) raised++;
  return raised;
}

export function createAlertJob(env: PushEnv): JobDefinition {
  return {
    kind: ALERT_KIND,
    when: "hourly (orders), mornings in each shop's time zone (stock, slow sellers)",
    plan: planAlerts,
    async run(job, deps) {
      const payload = Payload.parse(job.payload);
      const merchant = await deps.storage.merchants.get(job.merchantId);
      if (!merchant) return { raised: 0, pushed: 0, skipped: 'no_merchant' };
      const raised = await raiseAll(deps, merchant, payload);
      return { raised, ...(await pushPendingAlerts(deps, env, merchant)) };
    },
  };
}
