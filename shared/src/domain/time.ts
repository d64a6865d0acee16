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

// One formatter per time zone: dayjs's `.tz()` builds a new ICU formatter on every call, which
// was half the CPU of an order webhook (several counters, each a day and an hour).
const wallFormats = new Map<string, Intl.DateTimeFormat>();
/**
 * Every zone's offset has been a whole number of quarter hours since 1972, and offsets change (DST, a new law)
 * only on a local hour, so the local day and hour are the same across any quarter hour of UTC:
 * one answer per zone and quarter hour serves every instant in it (formatToParts costs ~20 µs).
 */
const QUARTER_MS = 15 * 60_000;
const lastWall = new Map<string, { quarter: number; wall: { day: Day; hour: number } }>();
function wallClock(instant: number, tz: string): { day: Day; hour: number } {
  const quarter = Math.floor(instant / QUARTER_MS);
  const hit = lastWall.get(tz);
  if (hit && hit.quarter === quarter) return hit.wall;
  const wall = formatWall(instant, tz);
  lastWall.set(tz, { quarter, wall });
  return wall;
}
function formatWall(instant: number, tz: string): { day: Day; hour: number } {
  let f = wallFormats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
    wallFormats.set(tz, f);
  }
  const p: Record<string, string> = {};
  for (const { type, value } of f.formatToParts(instant)) p[type] = value;
  return { day: `${p.year!.padStart(4, '0')}-${p.month}-${p.day}`, hour: Number(p.hour) % 24 };
}

/** The calendar day of an instant in the merchant's time zone (never the process's). */
export function dayOf(instant: number, tz: string): Day {
  return wallClock(instant, tz).day;
}

/** The hour (0–23) of an instant on the merchant's clock: the hourly counter bucket. */
export function hourOf(instant: number, tz: string): number {
  return wallClock(instant, tz).hour;
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

/** An instant on the merchant's clock as ISO 8601 with its offset (2026-12-08T09:00:00+08:00). */
export function localIso(instant: number, tz: string): string {
  return dayjs(instant).tz(tz).format();
}

/** An instant on the merchant's clock as the owner reads it: 2026-12-08 09:00. */
export function localMinute(instant: number, tz: string): string {
  return dayjs(instant).tz(tz).format('YYYY-MM-DD HH:mm');
}
