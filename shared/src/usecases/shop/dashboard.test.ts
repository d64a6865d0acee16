import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { count } from '../reports/counters';
import { createMerchant } from './merchants';
import { dashboardToday } from './dashboard';

const SHOP = 'dash-shop';
const at = (local: string) => Date.parse(`${local}+08:00`);
let deps: Deps & { clock: ManualClock };

beforeEach(async () => {
  deps = testDeps();
  await createMerchant(deps, { id: SHOP, name: '今日测试店', corpId: 'ww1122334455667788', token: 'Tok', aesKey: 'a'.repeat(43) });
});
afterEach(() => deps.storage.close());

const msg = (local: string) => ({ name: 'customerMessages' as const, at: at(local), eventId: `m:${local}` });
const paid = (local: string, fen: number) => ({ name: 'revenueFen' as const, at: at(local), eventId: `o:${local}`, amount: fen });

describe('dashboardToday', () => {
  it('compares today so far with yesterday and the same weekday last week up to the same hour', async () => {
    const m = { id: SHOP, timezone: 'Asia/Shanghai' };
    await count(deps, m, [
      // today (Sunday 2026-11-22), now 14:30
      msg('2026-11-22T09:10:00'),
      msg('2026-11-22T14:05:00'),
      paid('2026-11-22T10:00:00', 1200),
      // yesterday: two before or in the 14 o'clock hour, the evening rush after it
      msg('2026-11-21T08:00:00'),
      msg('2026-11-21T14:59:59'),
      msg('2026-11-21T15:00:00'),
      msg('2026-11-21T20:00:00'),
      paid('2026-11-21T11:00:00', 3000),
      paid('2026-11-21T19:00:00', 9000),
      // last Sunday: one in the morning, one at night; the Saturday before is neither
      msg('2026-11-15T00:00:00'),
      msg('2026-11-15T23:30:00'),
      msg('2026-11-14T10:00:00'),
      // a duplicate delivery counts once in its hour as in its day
      msg('2026-11-21T08:00:00'),
    ]);
    deps.clock.set(at('2026-11-22T14:30:00'));
    const d = await dashboardToday(deps, SHOP, 'owner');
    expect(d.day).toBe('2026-11-22');
    expect(d.throughHour).toBe(14);
    expect([d.today.customerMessages, d.yesterday.customerMessages, d.lastWeek.customerMessages]).toEqual([2, 2, 1]);
    expect([d.today.revenueFen, d.yesterday.revenueFen, d.lastWeek.revenueFen]).toEqual([1200, 3000, 0]);

    // late in the evening the whole of yesterday is in
    deps.clock.set(at('2026-11-22T23:10:00'));
    const late = await dashboardToday(deps, SHOP, 'owner');
    expect([late.yesterday.customerMessages, late.lastWeek.customerMessages, late.yesterday.revenueFen]).toEqual([4, 2, 12000]);
    // staff see the counts, not the money, in every column
    const staff = await dashboardToday(deps, SHOP, 'staff');
    expect([staff.yesterday.revenueFen, staff.lastWeek.revenueFen, staff.yesterday.customerMessages]).toEqual([0, 0, 4]);
  });
});
