import type { Day } from '@xiaoer/shared/domain/ids';
import { addDays } from '@xiaoer/shared/domain/time';
import { HANDOFF_SCENARIOS } from './catalog';
import type { SessionPlan } from './chats';
import { isActive, type Person } from './customers';
import type { DraftOrder } from './orders';
import { ACTIVITY_DAYS, CHAT_HOURS, DAY, HOUR, MIN, OPEN_WINDOW, ORDER_HOURS, weekday } from './time';
import { ORDERISH, pickTopics } from './topics';
import { pickCustomer, type DemoWorld } from './world';

const chatWeight = (p: Person) => (p.regular ? 5 : 1) * (p.member ? 1.5 : 1);
const orderWeight = (p: Person) => (p.regular ? 7 : 1) * (p.member ? 1.6 : 1) * (p.corporate ? 0.4 : 1);

/** One day of the history; today ends shortly before the anchor. */
interface DayPlan {
  d: Day;
  start: number;
  isToday: boolean;
  chatUntil: number;
  orderUntil: number;
  wd: number;
  weekend: boolean;
}

/**
 * The last 30 days, day by day: new customers' first questions, office batch orders, everyday
 * questions (a few handed to a person), and the rest of the orders. Busier at the weekend.
 */
export function playHistory(w: DemoWorld): void {
  const corpDays = officeOrderDays(w);
  const newOnDay = new Map<Day, Person[]>();
  for (const p of w.people) {
    const d = w.cal.dayOf(p.createdAt);
    newOnDay.set(d, [...(newOnDay.get(d) ?? []), p]);
  }
  for (let k = ACTIVITY_DAYS - 1; k >= 0; k--) {
    const d = addDays(w.cal.today, -k);
    const start = w.cal.dayStart(d);
    const isToday = k === 0;
    const wd = weekday(d);
    const day: DayPlan = {
      d,
      start,
      isToday,
      chatUntil: isToday ? w.anchor - 20 * MIN : start + DAY,
      orderUntil: isToday ? w.anchor - 2 * MIN : start + DAY,
      wd,
      weekend: wd === 0 || wd === 6,
    };
    firstContacts(w, day, newOnDay.get(d) ?? []);
    officeOrders(w, day, corpDays.get(d) ?? []);
    everydayQuestions(w, day);
    otherOrders(w, day);
  }
}

/** Office buyers order a big batch once or twice a month, on a weekday afternoon. */
function officeOrderDays(w: DemoWorld): Map<Day, Person[]> {
  const corpDays = new Map<Day, Person[]>();
  for (const p of w.people.filter((x) => x.corporate)) {
    const n = w.rng.int(1, 2);
    for (let i = 0; i < n; i++) {
      const d = addDays(w.cal.today, -w.rng.int(1, ACTIVITY_DAYS - 1));
      const wd = weekday(d);
      if (wd === 0 || wd === 6) continue;
      corpDays.set(d, [...(corpDays.get(d) ?? []), p]);
    }
  }
  return corpDays;
}

const sessionsOn = (w: DemoWorld, day: DayPlan) => w.people.filter((p) => w.chats.chattedOn(p.ext, day.d)).length;

/** Some chats end in an order a few minutes later, while the shop is open. */
function maybeOrderAfter(w: DemoWorld, day: DayPlan, p: Person, end: number, chance: number): void {
  const t = end + w.rng.int(2, 12) * MIN;
  if (w.rng.chance(chance) && t < day.orderUntil && w.cal.inOpenHours(t) && w.cal.dayOf(t) === day.d) w.orders.order(p, t, w.orders.basket(p));
}

/** The day's new customers: those who came through 微信客服 write at once, about half of the others soon after adding. */
function firstContacts(w: DemoWorld, day: DayPlan, newcomers: Person[]): void {
  const { rng, cal, chats } = w;
  for (const p of newcomers) {
    const start = p.source === 'kf' ? p.createdAt : p.createdAt + rng.int(1, 20) * MIN;
    if (p.source !== 'kf' && !rng.chance(0.45)) continue;
    if (start >= day.chatUntil || cal.dayOf(start) !== day.d || chats.chattedOn(p.ext, day.d)) continue;
    const { end } = chats.session(p, start, { topics: pickTopics(rng, p, true), thanks: rng.chance(0.25) });
    maybeOrderAfter(w, day, p, end, 0.35);
  }
}

/** Office orders: a question late morning, the batch in the afternoon. */
function officeOrders(w: DemoWorld, day: DayPlan, buyers: Person[]): void {
  const { rng, chats } = w;
  const s = day.start;
  for (const p of buyers) {
    if (!isActive(p, s + 10 * HOUR) || chats.chattedOn(p.ext, day.d)) continue;
    const start = s + 10 * HOUR + 30 * MIN + rng.int(0, 120) * MIN;
    if (start >= day.chatUntil) continue;
    chats.session(p, start, { topics: rng.chance(0.5) ? ['group_order', 'invoice'] : ['group_order'] });
    const at = s + 14 * HOUR + 30 * MIN + rng.int(0, 90) * MIN;
    if (at < day.orderUntil) w.orders.order(p, at, w.orders.officeBatch());
  }
}

/** Everyday questions up to the day's number of sessions; about one in ten (in the daytime) needs a person. */
function everydayQuestions(w: DemoWorld, day: DayPlan): void {
  const { rng, cal, anchor } = w;
  let target = day.weekend ? rng.int(10, 15) : day.wd === 5 ? rng.int(8, 12) : rng.int(6, 10);
  if (day.isToday) target = Math.round(target * cal.shareBefore(day.d, CHAT_HOURS, day.chatUntil)) + sessionsOn(w, day);
  for (let i = sessionsOn(w, day); i < target; i++) {
    const t = cal.sampleInstant(day.d, CHAT_HOURS, day.chatUntil);
    if (t === null) break;
    const p = pickCustomer(w, t, true, chatWeight);
    if (!p) continue;
    let plan: SessionPlan = { topics: pickTopics(rng, p, false), thanks: rng.chance(0.2) };
    let before: DraftOrder | null = null;
    const canHandoff = t < anchor - HOUR && cal.localOffset(t) <= 20 * HOUR + 30 * MIN && cal.localOffset(t) >= 9 * HOUR;
    if (canHandoff && rng.chance(0.1)) ({ plan, before } = handoffPlan(w, day, p, t));
    const { end, staffAt } = w.chats.session(p, t, plan);
    if (before && plan.handoff?.order === 'refund' && staffAt !== undefined && cal.dayOf(staffAt) === day.d) before.refundAt = staffAt;
    if (!plan.handoff) maybeOrderAfter(w, day, p, end, plan.topics.some((x) => ORDERISH.has(x)) ? 0.5 : 0.12);
  }
}

/**
 * A question the AI hands to a person. Those about an order come after one: placed earlier that
 * day (refunded once staff reply) or minutes before; without such an order, another scenario.
 */
function handoffPlan(w: DemoWorld, day: DayPlan, p: Person, t: number): { plan: SessionPlan; before: DraftOrder | null } {
  const { rng, cal } = w;
  let before: DraftOrder | null = null;
  let h = rng.weighted(HANDOFF_SCENARIOS, (x) => (x.order === 'refund' ? 2 : 1));
  if (h.order) {
    const at = h.order === 'refund' ? t - rng.int(25, 70) * MIN : t - rng.int(3, 8) * MIN;
    if (cal.inOpenHours(at) && cal.dayOf(at) === day.d && isActive(p, at)) before = w.orders.order(p, at, w.orders.basket(p));
    else h = rng.pick(HANDOFF_SCENARIOS.filter((x) => !x.order));
  }
  return { plan: { topics: [], handoff: h }, before };
}

/** The rest of the day's orders (walk-ins who pay with their member account, the mini program…). */
function otherOrders(w: DemoWorld, day: DayPlan): void {
  const { rng, cal } = w;
  let orderTarget = day.weekend ? rng.int(15, 22) : day.wd === 5 ? rng.int(11, 15) : rng.int(9, 14);
  if (day.isToday) {
    const share = cal.shareBefore(day.d, ORDER_HOURS, day.orderUntil, OPEN_WINDOW);
    orderTarget = share > 0 ? Math.max(3, Math.round(orderTarget * share)) : 0;
  }
  for (let i = w.orders.placedOn(day.d); i < orderTarget; i++) {
    const t = cal.sampleInstant(day.d, ORDER_HOURS, day.orderUntil, OPEN_WINDOW);
    if (t === null) break;
    const p = pickCustomer(w, t, false, orderWeight);
    if (p) w.orders.order(p, t, w.orders.basket(p));
  }
}
