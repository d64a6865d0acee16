import { callApi } from '@xiaoer/shared/api/dispatch';
import { ApiResults } from '@xiaoer/shared/contracts/api';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { ensureLocalMember } from '@xiaoer/shared/usecases/shop/members';
import { count } from '@xiaoer/shared/usecases/reports/counters';
import { FakeWecomApi } from '@xiaoer/shared/testing/fake-wecom-api';
import { createEngineAnswerer } from '@xiaoer/shared/usecases/answer/answerer';
import type { WecomContext } from '@xiaoer/shared/usecases/channel-wecom/context';
import type { Deps } from '@xiaoer/shared/ports/deps';
import type { ManualClock } from '@xiaoer/shared/domain/time';
import { VECTOR_A } from './helpers/host';
import { testDeps } from './helpers/deps';

/** reports.get takes weekly and monthly too: any day of the period names it; staff get no revenue. */
const sh = (local: string) => Date.parse(`${local}+08:00`);
let deps: Deps & { clock: ManualClock };
let channel: WecomContext;
const get = async (raw: Record<string, unknown>, openid = 'local:shop:owner') => {
  const { result } = await callApi(deps, { openid }, { action: 'reports.get', merchantId: 'shop', ...raw }, channel);
  expect(ApiResults['reports.get'].safeParse(result).success).toBe(true);
  return result as any;
};

beforeEach(async () => {
  deps = testDeps(sh('2026-11-20T10:00:00'));
  await createMerchant(deps, { id: 'shop', name: '茶小满', ...VECTOR_A });
  await ensureLocalMember(deps, 'shop', 'owner');
  await ensureLocalMember(deps, 'shop', 'staff');
  channel = { deps, wecom: new FakeWecomApi(), answerer: createEngineAnswerer(deps.storage.knowledge), appUrl: () => undefined };
  const m = (await deps.storage.merchants.get('shop'))!;
  await count(deps, m, [
    { name: 'orders', at: sh('2026-11-17T12:00:00'), eventId: 'o1' },
    { name: 'revenueFen', at: sh('2026-11-17T12:00:00'), eventId: 'r1', amount: 2500 },
    { name: 'consultations', at: sh('2026-11-18T12:00:00'), eventId: 'c1', amount: 3 },
  ]);
  deps.clock.set(sh('2026-11-24T10:00:00'));
});
afterEach(() => deps.storage.close());

describe('reports.get weekly and monthly', () => {
  it('answers the week and the month named by any of their days, in the contract', async () => {
    const week = await get({ kind: 'weekly', date: '2026-11-19' });
    expect(week).toMatchObject({
      kind: 'weekly',
      date: '2026-11-16',
      live: true,
      numbers: { revenueFen: 2500, orders: 1, consultations: 3, dailyRevenueFen: [0, 2500, 0, 0, 0, 0, 0] },
    });
    const month = await get({ kind: 'monthly', date: '2026-11-02' });
    expect(month).toMatchObject({ kind: 'monthly', date: '2026-11-01', numbers: { revenueFen: 2500, health: { score: expect.any(Number) } } });
    expect(month.details.suggestions).toHaveLength(3);
    // the daily report is still the default
    expect(await get({ date: '2026-11-17' })).toMatchObject({ kind: 'daily', numbers: { revenueFen: 2500 } });
  });

  it('staff get every number but revenue', async () => {
    const week = await get({ kind: 'weekly', date: '2026-11-16' }, 'local:shop:staff');
    expect(week.numbers).toMatchObject({ revenueFen: null, dailyRevenueFen: null, orders: 1 });
    expect(week.text).not.toContain('营业额');
    const month = await get({ kind: 'monthly', date: '2026-11-16' }, 'local:shop:staff');
    expect(month.numbers).toMatchObject({ revenueFen: null, monthBefore: { revenueFen: null } });
  });
});
