import fc from 'fast-check';
import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import { dayOf, hourOf } from './time';

dayjs.extend(utc);
dayjs.extend(timezone);

describe('dayOf / hourOf (cached formatters) agree with dayjs', () => {
  const zones = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC'];

  it('on any instant from 1970 to 2100, in zones with DST and odd offsets', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }), fc.constantFrom(...zones), (t, tz) => {
        expect(dayOf(t, tz)).toBe(dayjs(t).tz(tz).format('YYYY-MM-DD'));
        expect(hourOf(t, tz)).toBe(dayjs(t).tz(tz).hour());
      }),
      { numRuns: 3000 },
    );
  });

  it('every five minutes through DST changes and midnights (instants that share the quarter-hour cache)', () => {
    const starts: [string, number][] = [
      ['America/New_York', Date.UTC(2026, 2, 7, 20)],
      ['America/New_York', Date.UTC(2026, 10, 1, 0)],
      ['Australia/Lord_Howe', Date.UTC(2026, 3, 4, 6)],
      ['Australia/Lord_Howe', Date.UTC(2026, 9, 3, 8)],
      ['Pacific/Chatham', Date.UTC(2026, 3, 4, 6)],
      ['Asia/Kathmandu', Date.UTC(2026, 5, 1, 12)],
      ['Asia/Shanghai', Date.UTC(2026, 10, 21, 10)],
    ];
    for (const [tz, start] of starts) {
      for (let t = start; t < start + 24 * 3600_000; t += 5 * 60_000 + 7) {
        expect([tz, t, dayOf(t, tz), hourOf(t, tz)]).toEqual([tz, t, dayjs(t).tz(tz).format('YYYY-MM-DD'), dayjs(t).tz(tz).hour()]);
      }
    }
  });

  it('around midnight and DST changes', () => {
    // 00:00 Shanghai is 16:00 UTC the day before; New York springs forward 2026-03-08 02:00
    expect([dayOf(Date.UTC(2026, 10, 21, 16), 'Asia/Shanghai'), hourOf(Date.UTC(2026, 10, 21, 16), 'Asia/Shanghai')]).toEqual(['2026-11-22', 0]);
    expect([dayOf(Date.UTC(2026, 10, 21, 15, 59, 59, 999), 'Asia/Shanghai'), hourOf(Date.UTC(2026, 10, 21, 15, 59, 59, 999), 'Asia/Shanghai')]).toEqual(['2026-11-21', 23]);
    expect(hourOf(Date.UTC(2026, 2, 8, 7), 'America/New_York')).toBe(3);
    expect(hourOf(Date.UTC(2026, 2, 8, 6, 59), 'America/New_York')).toBe(1);
  });
});
