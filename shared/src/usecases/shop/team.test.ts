import type { Member } from '../../domain/member';
import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { callApi } from '../../api/dispatch';
import { createMerchant } from './merchants';
import { sessionAlive, startSession } from './sessions';
import { removeMember } from './team';

const SHOP = 'shop-t';
const OTHER = 'shop-u';
const DAY = 24 * 3600_000;
let deps: Deps & { clock: ManualClock };
let wall: number;

const member = (id: string, role: Member['role'], merchantId = SHOP): Member => ({ id, merchantId, openid: `o-${id}`, name: id, role, onDuty: true, createdAt: 0 });

beforeEach(async () => {
  const base = testDeps();
  wall = Date.now();
  // sessions run on wall time: a movable one, so "before" and "after" a removal are distinct instants
  deps = { ...base, timers: { ...base.timers, wallNow: () => wall } };
  await createMerchant(deps, { id: SHOP, name: '六号店', corpId: 'ww0000000000000061', token: 'tok', aesKey: 'k'.repeat(43) });
  for (const m of [member('boss', 'owner'), member('boss2', 'owner'), member('clerk', 'staff')]) await deps.storage.members.add(m);
});
afterEach(() => deps.storage.close());

describe('移出店铺 (members.remove)', () => {
  it('takes the member out at once: their very next call is refused and their sessions end', async () => {
    const session = await startSession(deps, 'o-clerk', DAY);
    expect((await callApi(deps, { openid: 'o-clerk' }, { action: 'dashboard.today', merchantId: SHOP })).action).toBe('dashboard.today');
    wall += 1;

    const res = await callApi(deps, { openid: 'o-boss' }, { action: 'members.remove', merchantId: SHOP, memberId: 'clerk' });
    expect(res.result).toEqual({ memberId: 'clerk', sessionsEnded: true });

    await expect(callApi(deps, { openid: 'o-clerk' }, { action: 'dashboard.today', merchantId: SHOP })).rejects.toMatchObject({ code: 'AUTH.FORBIDDEN', status: 403 });
    expect(await sessionAlive(deps, session.sid, 'o-clerk')).toBe(false);
    expect((await deps.storage.members.list(SHOP)).map((m) => m.id).sort()).toEqual(['boss', 'boss2']);
    const [entry] = await deps.storage.audit.list(SHOP, 1);
    expect(entry).toMatchObject({ actor: 'boss', action: 'members.remove', target: 'clerk', detail: { role: 'staff', sessionsEnded: true } });
  });

  it("keeps the sessions of someone who still works in another shop: those are that shop's", async () => {
    await createMerchant(deps, { id: OTHER, name: '七号店', corpId: 'ww0000000000000071', token: 'tok', aesKey: 'k'.repeat(43) });
    await deps.storage.members.add({ ...member('clerk-u', 'staff', OTHER), openid: 'o-clerk' });
    const session = await startSession(deps, 'o-clerk', DAY);
    wall += 1;
    expect(await removeMember(deps, { merchantId: SHOP, memberId: 'clerk', actorId: 'boss' })).toEqual({ memberId: 'clerk', sessionsEnded: false });
    expect(await sessionAlive(deps, session.sid, 'o-clerk')).toBe(true);
    await expect(callApi(deps, { openid: 'o-clerk' }, { action: 'dashboard.today', merchantId: SHOP })).rejects.toMatchObject({ code: 'AUTH.FORBIDDEN' });
    expect((await callApi(deps, { openid: 'o-clerk' }, { action: 'dashboard.today', merchantId: OTHER })).action).toBe('dashboard.today');
  });

  it('refuses removing oneself, a member of another shop, and is owner-only', async () => {
    await expect(removeMember(deps, { merchantId: SHOP, memberId: 'boss', actorId: 'boss' })).rejects.toMatchObject({
      code: 'CONFLICT.REMOVE_SELF',
      status: 409,
      message: '不能把自己移出店铺',
    });
    await createMerchant(deps, { id: OTHER, name: '七号店', corpId: 'ww0000000000000071', token: 'tok', aesKey: 'k'.repeat(43) });
    await deps.storage.members.add(member('stranger', 'staff', OTHER));
    await expect(removeMember(deps, { merchantId: SHOP, memberId: 'stranger', actorId: 'boss' })).rejects.toMatchObject({ code: 'NOT_FOUND.MEMBER', status: 404 });
    expect(await deps.storage.members.get(OTHER, 'stranger')).not.toBeNull();
    await expect(callApi(deps, { openid: 'o-clerk' }, { action: 'members.remove', merchantId: SHOP, memberId: 'boss2' })).rejects.toMatchObject({ code: 'AUTH.ROLE_REQUIRED' });
    expect(await deps.storage.members.get(SHOP, 'boss2')).not.toBeNull();
  });

  it('two owners removing each other at once leave one owner, never none', async () => {
    const results = await Promise.allSettled([
      removeMember(deps, { merchantId: SHOP, memberId: 'boss2', actorId: 'boss' }),
      removeMember(deps, { merchantId: SHOP, memberId: 'boss', actorId: 'boss2' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT.LAST_OWNER', message: '这是店里唯一的老板，不能移出' } });
    expect((await deps.storage.members.list(SHOP)).filter((m) => m.role === 'owner')).toHaveLength(1);
  });
});
