import { alertSettingsOf, type Alert, type AlertSettings } from '@xiaoer/shared/domain/alert';
import type { Order } from '@xiaoer/shared/domain/commerce';
import type { Day } from '@xiaoer/shared/domain/ids';
import type { StoredProduct } from '@xiaoer/shared/domain/knowledge';
import { addDays } from '@xiaoer/shared/domain/time';
import { orderAlerts, slowMoverAlert, stockAlerts, unfulfilledAlerts } from '@xiaoer/shared/usecases/alerts/raise';
import { DEMO_SHOP } from './catalog';
import { HOUR, weekday, type DemoCalendar } from './time';

/** The demo shop's 提醒设置: a big order is ¥200 (the office batches), the rest the defaults. */
export const DEMO_ALERTS: AlertSettings = { ...alertSettingsOf({}), bigOrderFen: 20_000 };

/**
 * The alert list a month of running would have left, raised by the live rules (`alerts/raise.ts`)
 * at the instant each would have fired: big orders and refunds as they came, the unfinished
 * delivery once it passed its hours, the latest 09:00 stock check and Monday slow-mover list.
 * All already pushed, so a fresh start announces nothing old.
 */
export function demoAlerts(cal: DemoCalendar, anchor: number, products: StoredProduct[], orders: Order[]): Alert[] {
  const shop = { timezone: DEMO_SHOP.timezone, alerts: DEMO_ALERTS };
  const out: Alert[] = [];
  for (const o of orders) {
    out.push(...orderAlerts(shop, o, { newPaid: true, newRefund: false }, o.placedAt));
    if (o.refundedAt !== undefined) out.push(...orderAlerts(shop, o, { newPaid: false, newRefund: true }, o.refundedAt));
    // the hourly check after it passed its hours
    const due = Math.ceil((o.placedAt + DEMO_ALERTS.unfulfilledHours * HOUR) / HOUR) * HOUR;
    if (due <= anchor) out.push(...unfulfilledAlerts(shop, [o], due));
  }
  const morning = (day: Day) => cal.dayStart(day) + 9 * HOUR;
  const check = morning(cal.today) <= anchor ? cal.today : addDays(cal.today, -1);
  out.push(...stockAlerts(products, check, morning(check)));
  const monday = addDays(check, -((weekday(check) + 6) % 7));
  const from = cal.dayStart(addDays(monday, -7));
  const lastWeek = orders.filter((o) => o.placedAt >= from && o.placedAt < cal.dayStart(monday));
  const slow = slowMoverAlert(products, lastWeek, monday, morning(monday));
  if (slow) out.push(slow);
  return out.map((a) => ({ ...a, pushed: true }));
}
