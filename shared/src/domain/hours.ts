import dayjs from 'dayjs';
import type { BusinessHours } from './merchant';
import { addDays, dayOf, startOfDay } from './time';

export type OpenState = { open: true } | { open: false; opensAt: number; label: string };

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const WEEKDAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const isoWeekday = (day: string) => ((dayjs(day).day() + 6) % 7) + 1;

/**
 * Whether the shop is open at `now` in its time zone, and if not, when it next opens with a label
 * a customer reads ("明天 10:00"). A shift whose close is earlier than its open ends the next day
 * and belongs to the day it starts (closed days included); open == close means all day. No hours
 * set, or every day closed, counts as open: then nothing is said about hours.
 */
export function openState(hours: BusinessHours | undefined, tz: string, now: number): OpenState {
  if (!hours) return { open: true };
  const closed = new Set(hours.closedDays);
  if (closed.size >= 7) return { open: true };
  const open = minutes(hours.open);
  const close = minutes(hours.close);
  const length = close > open ? close - open : close < open ? close + 1440 - open : 1440;
  const today = dayOf(now, tz);
  const shiftOf = (day: string) => {
    const start = startOfDay(day, tz) + open * 60_000;
    return { start, end: start + length * 60_000 };
  };
  // yesterday's overnight shift may still be running
  for (const day of [addDays(today, -1), today]) {
    if (closed.has(isoWeekday(day))) continue;
    const s = shiftOf(day);
    if (now >= s.start && now < s.end) return { open: true };
  }
  for (let k = 0; k <= 7; k++) {
    const day = addDays(today, k);
    if (closed.has(isoWeekday(day))) continue;
    const s = shiftOf(day);
    if (s.start > now) {
      const when = k === 0 ? '今天' : k === 1 ? '明天' : k === 2 ? '后天' : WEEKDAYS[isoWeekday(day)];
      return { open: false, opensAt: s.start, label: `${when} ${hours.open}` };
    }
  }
  return { open: true };
}
