import { openState } from './hours';

const tz = 'Asia/Shanghai';
// 2026-11-23 is a Monday; Shanghai is UTC+8
const at = (local: string) => Date.parse(`${local}+08:00`);

describe('openState', () => {
  const hours = { open: '10:00', close: '22:00', closedDays: [] as number[] };

  it('is open inside the shift and closed outside, with when it opens next', () => {
    expect(openState(hours, tz, at('2026-11-23T12:00:00'))).toEqual({ open: true });
    expect(openState(hours, tz, at('2026-11-23T08:30:00'))).toEqual({ open: false, opensAt: at('2026-11-23T10:00:00'), label: '今天 10:00' });
    expect(openState(hours, tz, at('2026-11-23T22:00:00'))).toEqual({ open: false, opensAt: at('2026-11-24T10:00:00'), label: '明天 10:00' });
  });

  it('skips closed days (ISO weekdays) and names the weekday further out', () => {
    const h = { ...hours, closedDays: [2, 3] }; // closed Tuesday and Wednesday
    expect(openState(h, tz, at('2026-11-23T23:00:00'))).toMatchObject({ open: false, label: '周四 10:00', opensAt: at('2026-11-26T10:00:00') });
    expect(openState(h, tz, at('2026-11-24T12:00:00'))).toMatchObject({ open: false, label: '后天 10:00' });
  });

  it('handles a shift crossing midnight, which belongs to the day it starts', () => {
    const night = { open: '18:00', close: '02:00', closedDays: [1] }; // not on Monday evenings
    expect(openState(night, tz, at('2026-11-22T01:30:00'))).toEqual({ open: true }); // Saturday's shift
    expect(openState(night, tz, at('2026-11-24T01:00:00'))).toMatchObject({ open: false, label: '今天 18:00' }); // Monday closed
    expect(openState(night, tz, at('2026-11-23T01:00:00'))).toEqual({ open: true }); // Sunday's shift, into Monday
  });

  it('counts no hours, all-day hours and a week of closed days as open', () => {
    expect(openState(undefined, tz, at('2026-11-23T03:00:00'))).toEqual({ open: true });
    expect(openState({ open: '00:00', close: '00:00', closedDays: [] }, tz, at('2026-11-23T03:00:00'))).toEqual({ open: true });
    expect(openState({ ...hours, closedDays: [1, 2, 3, 4, 5, 6, 7] }, tz, at('2026-11-23T03:00:00'))).toEqual({ open: true });
  });
});
