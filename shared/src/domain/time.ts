import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import type { Day } from './ids';

dayjs.extend(utc);
dayjs.extend(timezone);

/** The only source of "now" in the product; tests and the sandbox share one. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests (and the sandbox's control route) can move. */
export class ManualClock implements Clock {
  constructor(private t: number) {}
  now() {
    return this.t;
  }
  set(t: number) {
    this.t = t;
  }
  advance(ms: number) {
    this.t += ms;
  }
}

/** The calendar day of an instant in the merchant's time zone (never the process's). */
export function dayOf(instant: number, tz: string): Day {
  return dayjs(instant).tz(tz).format('YYYY-MM-DD');
}

/** The hour (0–23) of an instant on the merchant's clock: the hourly counter bucket. */
export function hourOf(instant: number, tz: string): number {
  return dayjs(instant).tz(tz).hour();
}

/** UTC ms of 00:00 of `day` in `tz`. */
export function startOfDay(day: Day, tz: string): number {
  return dayjs.tz(day, tz).valueOf();
}

export function addDays(day: Day, n: number): Day {
  return dayjs(day).add(n, 'day').format('YYYY-MM-DD');
}

/** Monday of the ISO week containing `day`. */
export function weekStart(day: Day): Day {
  const d = dayjs(day);
  const iso = (d.day() + 6) % 7; // Monday = 0
  return d.subtract(iso, 'day').format('YYYY-MM-DD');
}

export function monthOf(day: Day): string {
  return day.slice(0, 7);
}

/**
 * Real time plus an adjustable offset: the local host's clock, which the WeCom sandbox's
 * control route moves (token expiry, 20 s welcome codes, 48 h windows) without waiting.
 */
export class OffsetClock implements Clock {
  private offsetMs = 0;
  constructor(private base: Clock = systemClock) {}
  now() {
    return this.base.now() + this.offsetMs;
  }
  advance(ms: number) {
    this.offsetMs += ms;
  }
  set(t: number) {
    this.offsetMs = t - this.base.now();
  }
  get offset() {
    return this.offsetMs;
  }
}
