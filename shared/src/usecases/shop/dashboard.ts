import { type Counters, sumCounters } from '../../domain/counters';
import type { Role } from '../../domain/member';
import type { Day } from '../../domain/ids';
import { addDays, dayOf, hourOf } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { countTeachItems } from '../knowledge/teach';
import { readStatus } from '../channel-wecom/channel-status';
import { wecomProblems } from '../channel-wecom/config-problems';
import { requireMerchant } from './require-merchant';
import { hasOrders } from '../orders/link';

// revenue is the owner's business: staff see the other counters with revenue zeroed
const shownTo = (role: Role, c: Counters): Counters => (role === 'owner' ? c : { ...c, revenueFen: 0 });

/**
 * 今日: today's counters in the shop's time zone beside yesterday's and the same weekday last
 * week's up to the same hour (today is still running: a whole earlier day would make every
 * morning look bad), how many wait for a person and, for owners (who can fix them), the WeCom
 * configuration problems real calls ran into.
 */
export async function dashboardToday(deps: Deps, merchantId: string, role: Role) {
  const m = await requireMerchant(deps, merchantId);
  const now = deps.clock.now();
  const day = dayOf(now, m.timezone);
  const hour = hourOf(now, m.timezone);
  const yesterday = addDays(day, -1);
  const lastWeekDay = addDays(day, -7);
  // two single-day reads rather than a week of hours: each is at most 24 × counters rows
  const [days, yHours, wHours] = await Promise.all([
    deps.storage.counters.days(m.id, day, day),
    deps.storage.counters.hours(m.id, yesterday, yesterday),
    deps.storage.counters.hours(m.id, lastWeekDay, lastWeekDay),
  ]);
  // hours 0..hour inclusive: the current hour is running today too
  const sameTime = (hours: Counters[] | undefined) => sumCounters((hours ?? []).slice(0, hour + 1));
  const waitingHuman = await deps.storage.conversations.countByState(m.id, 'waiting_human');
  return {
    merchant: { id: m.id, name: m.name, timezone: m.timezone },
    role,
    day,
    today: shownTo(role, days[day]),
    throughHour: hour,
    yesterday: shownTo(role, sameTime(yHours[yesterday])),
    lastWeek: shownTo(role, sameTime(wHours[lastWeekDay])),
    waitingHuman,
    revenueFen: role === 'owner' ? days[day].revenueFen : null,
    hasOrders: await hasOrders(deps, m.id),
    wecomProblems: role === 'owner' ? wecomProblems(await readStatus(deps, m.id), m) : [],
  };
}

/** The counters of the last `days` days, today included, oldest first (trend charts). */
export async function dashboardTrends(deps: Deps, merchantId: string, role: Role, days: number) {
  const m = await requireMerchant(deps, merchantId);
  const today = dayOf(deps.clock.now(), m.timezone);
  const from = addDays(today, -(days - 1));
  const counters = await deps.storage.counters.days(m.id, from, today);
  const out: { day: Day; counters: Counters }[] = [];
  for (let d = from; d <= today; d = addDays(d, 1)) out.push({ day: d, counters: shownTo(role, counters[d]!) });
  return { days: out, revenueShown: role === 'owner' };
}

/** What needs a person: the tab bar badge and the 今日 queue link. */
export async function badges(deps: Deps, merchantId: string) {
  return {
    waitingHuman: await deps.storage.conversations.countByState(merchantId, 'waiting_human'),
    unanswered: await countTeachItems(deps, merchantId),
  };
}
