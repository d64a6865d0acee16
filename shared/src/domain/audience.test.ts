import { AppError } from './errors';
import { audienceText, inAudience, MAX_AUDIENCE_DEPTH, parseAudience } from './audience';
import { afterQuietHours, quotaPeriod } from './marketing-settings';

const refusal = (raw: unknown) => {
  try {
    parseAudience(raw);
  } catch (err) {
    return { code: (err as AppError).code, path: ((err as AppError).details as { path: string }[])[0]!.path };
  }
  throw new Error('accepted');
};

describe('audience expressions', () => {
  it('accept a tag, all, any and not, nested, and match customers by their tags', () => {
    const a = parseAudience({ all: ['会员', { any: ['爱喝果茶', '常客'] }, { not: '沉睡' }] });
    expect(inAudience(a, new Set(['会员', '常客']))).toBe(true);
    expect(inAudience(a, new Set(['会员', '常客', '沉睡']))).toBe(false);
    expect(inAudience(a, new Set(['会员']))).toBe(false);
    expect(inAudience(parseAudience(' VIP '), new Set(['VIP']))).toBe(true);
    expect(audienceText(a)).toBe('有「会员」且（有「爱喝果茶」或有「常客」）且没有「沉睡」');
  });

  it('refuse anything else with INPUT.INVALID naming the part', () => {
    expect(refusal({ all: ['会员', { some: ['x'] }] })).toEqual({ code: 'INPUT.INVALID', path: 'audience.all.1' });
    expect(refusal({ any: [] })).toEqual({ code: 'INPUT.INVALID', path: 'audience.any' });
    expect(refusal({ all: ['a'], any: ['b'] })).toEqual({ code: 'INPUT.INVALID', path: 'audience' });
    expect(refusal(['VIP'])).toEqual({ code: 'INPUT.INVALID', path: 'audience' });
    expect(refusal({ not: 3 })).toEqual({ code: 'INPUT.INVALID', path: 'audience.not' });
    expect(refusal('')).toEqual({ code: 'INPUT.INVALID', path: 'audience' });
    expect(refusal('x'.repeat(31))).toEqual({ code: 'INPUT.INVALID', path: 'audience' });
    let deep: unknown = 'VIP';
    for (let i = 0; i < MAX_AUDIENCE_DEPTH; i++) deep = { not: deep };
    expect(refusal(deep).code).toBe('INPUT.INVALID');
    expect(() => parseAudience({ not: { not: { not: { not: 'VIP' } } } })).not.toThrow();
  });
});

describe('quota periods and quiet hours (Shanghai)', () => {
  const tz = 'Asia/Shanghai';
  const at = (iso: string) => Date.parse(`${iso}+08:00`);

  it('count per calendar month by its days, per ISO week, or per day', () => {
    expect(quotaPeriod('monthDays', at('2026-02-14T10:00:00'), tz)).toEqual({ start: at('2026-02-01T00:00:00'), end: at('2026-03-01T00:00:00'), limit: 28 });
    expect(quotaPeriod('monthDays', at('2026-12-31T23:59:00'), tz)).toEqual({ start: at('2026-12-01T00:00:00'), end: at('2027-01-01T00:00:00'), limit: 31 });
    // 2026-12-06 is a Sunday: its week began on Monday the 30th
    expect(quotaPeriod('week7', at('2026-12-06T12:00:00'), tz)).toEqual({ start: at('2026-11-30T00:00:00'), end: at('2026-12-07T00:00:00'), limit: 7 });
    expect(quotaPeriod('day1', at('2026-12-06T00:30:00'), tz)).toEqual({ start: at('2026-12-06T00:00:00'), end: at('2026-12-07T00:00:00'), limit: 1 });
  });

  it('move a send out of 21:00–09:00 to 09:00, and leave one outside alone', () => {
    const q = { from: '21:00', to: '09:00' };
    expect(afterQuietHours(at('2026-12-06T22:15:00'), q, tz)).toBe(at('2026-12-07T09:00:00'));
    expect(afterQuietHours(at('2026-12-06T03:00:00'), q, tz)).toBe(at('2026-12-06T09:00:00'));
    expect(afterQuietHours(at('2026-12-06T21:00:00'), q, tz)).toBe(at('2026-12-07T09:00:00'));
    expect(afterQuietHours(at('2026-12-06T09:00:00'), q, tz)).toBe(at('2026-12-06T09:00:00'));
    expect(afterQuietHours(at('2026-12-06T20:59:00'), q, tz)).toBe(at('2026-12-06T20:59:00'));
    // a same-day stretch (12:00–14:00 午休)
    expect(afterQuietHours(at('2026-12-06T12:30:00'), { from: '12:00', to: '14:00' }, tz)).toBe(at('2026-12-06T14:00:00'));
    expect(afterQuietHours(at('2026-12-06T15:00:00'), { from: '12:00', to: '14:00' }, tz)).toBe(at('2026-12-06T15:00:00'));
  });
});
