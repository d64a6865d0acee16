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

  it('around midnight and DST changes', () => {
    // 00:00 Shanghai is 16:00 UTC the day before; New York springs forward 2026-03-08 02:00
    expect([dayOf(Date.UTC(2026, 10, 21, 16), 'Asia/Shanghai'), hourOf(Date.UTC(2026, 10, 21, 16), 'Asia/Shanghai')]).toEqual(['2026-11-22', 0]);
    expect([dayOf(Date.UTC(2026, 10, 21, 15, 59, 59, 999), 'Asia/Shanghai'), hourOf(Date.UTC(2026, 10, 21, 15, 59, 59, 999), 'Asia/Shanghai')]).toEqual(['2026-11-21', 23]);
    expect(hourOf(Date.UTC(2026, 2, 8, 7), 'America/New_York')).toBe(3);
    expect(hourOf(Date.UTC(2026, 2, 8, 6, 59), 'America/New_York')).toBe(1);
  });
});
