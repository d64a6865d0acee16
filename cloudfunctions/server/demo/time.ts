import type { Day } from '@xiaoer/shared/domain/ids';
import { addDays, dayOf, startOfDay } from '@xiaoer/shared/domain/time';
import { DEMO_SHOP } from './catalog';
import type { Rng } from './prng';

export const TZ = DEMO_SHOP.timezone;
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** Chats and orders fill the last 30 days; customers were first seen over the last 90. */
export const ACTIVITY_DAYS = 30;
export const CUSTOMER_DAYS = 90;

/** Relative activity per local hour: chats happen round the clock (the AI answers), mostly at lunch and after work. */
export const CHAT_HOURS = [0.3, 0.1, 0, 0, 0, 0, 0, 0.3, 0.8, 1.5, 3, 4, 5, 5, 4, 4, 4, 5, 5, 5, 4, 3, 1.5, 0.8];
/** Orders only while open: 10:00 to the 21:45 last call. */
export const ORDER_HOURS = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 4, 6, 6, 4, 5, 4, 4, 5, 5, 4, 3, 0, 0];
export const OPEN_WINDOW: [number, number] = [10 * HOUR, 21 * HOUR + 45 * MIN];
const ALL_DAY: [number, number] = [0, DAY];

export const weekday = (day: Day) => new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday

/**
 * The seed's days in Asia/Shanghai: the domain's dayOf/startOfDay computed once per day of the
 * window, then looked up (dayOf costs ~50 µs a call, and the seed needs tens of thousands).
 * Also where instants are drawn, so every draw goes through the one seeded PRNG in order.
 */
export class DemoCalendar {
  readonly today: Day;
  private readonly days: Day[] = [];
  private readonly starts: number[];
  private readonly startOf: Map<Day, number>;

  constructor(
    anchor: number,
    private readonly rng: Rng,
  ) {
    this.today = dayOf(anchor, TZ);
    for (let k = CUSTOMER_DAYS + 2; k >= -2; k--) this.days.push(addDays(this.today, -k));
    this.starts = this.days.map((d) => startOfDay(d, TZ));
    this.startOf = new Map(this.days.map((d, i) => [d, this.starts[i]]));
  }

  dayStart(d: Day): number {
    return this.startOf.get(d) ?? startOfDay(d, TZ);
  }

  dayOf(t: number): Day {
    const { starts, days } = this;
    if (t < starts[0] || t >= starts[starts.length - 1]) return dayOf(t, TZ);
    let lo = 0;
    let hi = starts.length - 1; // starts[lo] <= t < starts[hi]
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= t) lo = mid;
      else hi = mid;
    }
    return days[lo];
  }

  /** Time since local midnight. */
  localOffset(t: number): number {
    return t - this.dayStart(this.dayOf(t));
  }

  inOpenHours(t: number): boolean {
    const off = this.localOffset(t);
    return off >= OPEN_WINDOW[0] && off < OPEN_WINDOW[1];
  }

  /** An instant on `day` before `until`, hour chosen by `weights`, inside [window) of the day. */
  sampleInstant(day: Day, weights: number[], until: number, window: [number, number] = ALL_DAY): number | null {
    const s = this.dayStart(day);
    const slots: { from: number; to: number; w: number }[] = [];
    for (let h = 0; h < 24; h++) {
      if (!weights[h]) continue;
      const from = s + Math.max(h * HOUR, window[0]);
      const to = Math.min(s + Math.min((h + 1) * HOUR, window[1]), until);
      if (to - from < MIN) continue;
      slots.push({ from, to, w: (weights[h] * (to - from)) / HOUR });
    }
    if (!slots.length) return null;
    const slot = this.rng.weighted(slots, (x) => x.w);
    return slot.from + Math.floor(this.rng.float() * (slot.to - slot.from));
  }

  /** Share of a day's activity (by `weights`) that lies before `until`. */
  shareBefore(day: Day, weights: number[], until: number, window: [number, number] = ALL_DAY): number {
    const s = this.dayStart(day);
    let done = 0;
    let total = 0;
    for (let h = 0; h < 24; h++) {
      const from = s + Math.max(h * HOUR, window[0]);
      const to = s + Math.min((h + 1) * HOUR, window[1]);
      if (to <= from) continue;
      const w = (weights[h] * (to - from)) / HOUR;
      total += w;
      done += (w * Math.min(Math.max(until - from, 0), to - from)) / (to - from);
    }
    return total ? done / total : 0;
  }
}
