import { ManualClock } from '@xiaoer/shared/domain/time';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { createInvite, createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { redeemInvite } from '@xiaoer/shared/usecases/shop/members';
import { callApi } from '@xiaoer/shared/api/dispatch';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PLATFORM } from '@xiaoer/shared/domain/job';
import { JOIN_FAILURES_PER_SHOP, JOIN_PER_CALLER } from '@xiaoer/shared/usecases/shop/members';
import { openSqliteStorage } from '../cloudfunctions/server/storage/sqlite';
import { nodeTimers } from '../cloudfunctions/server/timers';
import { VECTOR_A } from './helpers/host';
import { testDeps } from './helpers/deps';

let deps: Deps;
let clock: ManualClock;
beforeEach(() => {
  deps = testDeps();
  clock = deps.clock as ManualClock;
});
afterEach(() => deps.storage.close());

describe('invite codes (the join path for a real OPENID)', () => {
  it('makes the first owner from the code merchant create printed, once', async () => {
    const { ownerInvite } = await createMerchant(deps, { id: 'shop-a', name: '一号店', ...VECTOR_A });
    expect(ownerInvite.code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    const owner = await redeemInvite(deps, ownerInvite.code.toLowerCase(), 'oOPENID-owner', '王老板');
    expect(owner).toMatchObject({ merchantId: 'shop-a', role: 'owner', openid: 'oOPENID-owner' });
    await expect(redeemInvite(deps, ownerInvite.code, 'oOPENID-thief')).rejects.toMatchObject({ code: 'INVITE.USED', status: 409 });
    // the same person pressing 加入 again is simply in
    expect(await redeemInvite(deps, ownerInvite.code, 'oOPENID-owner')).toMatchObject({ id: owner.id });
    const me = await callApi(deps, { openid: 'oOPENID-owner' }, { action: 'me.get' });
    expect(me.result).toMatchObject({ merchants: [{ id: 'shop-a', role: 'owner' }] });
  });

  it('lets one person join several shops with different roles, and expires codes', async () => {
    await createMerchant(deps, { id: 'shop-a', name: '一号店', ...VECTOR_A });
    await createMerchant(deps, { id: 'shop-b', name: '二号店', ...VECTOR_A });
    await redeemInvite(deps, (await createInvite(deps, 'shop-a', 'owner')).code, 'o-1');
    await redeemInvite(deps, (await createInvite(deps, 'shop-b', 'staff')).code, 'o-1');
    const me = await callApi(deps, { openid: 'o-1' }, { action: 'me.get' });
    expect(me.result).toMatchObject({
      merchants: [
        { id: 'shop-a', role: 'owner' },
        { id: 'shop-b', role: 'staff' },
      ],
    });
    await expect(callApi(deps, { openid: 'o-1' }, { action: 'settings.get', merchantId: 'shop-b' })).rejects.toMatchObject({ code: 'AUTH.ROLE_REQUIRED' });
    const late = await createInvite(deps, 'shop-a', 'staff');
    clock.advance(8 * 24 * 3600_000);
    await expect(redeemInvite(deps, late.code, 'o-2')).rejects.toMatchObject({ code: 'INVITE.EXPIRED', status: 410 });
  });
});

/** Deps whose wall clock stands still at `wall.t` (rate windows run on it), over `storage`. */
function atWall(base: Deps, wall: { t: number }, storage = base.storage): Deps {
  return { ...base, storage, timers: { ...nodeTimers, wallNow: () => wall.t } };
}
const failure = async (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: { code?: string; status?: number; message?: string }) => `${e.code} ${e.status}`,
  );

describe('invite failures: a 4xx with its own code, never a 500', () => {
  it('tells unknown, used, expired and mistyped codes apart', async () => {
    const { ownerInvite } = await createMerchant(deps, { id: 'shop-a', name: '一号店', ...VECTOR_A });
    const staff = await createInvite(deps, 'shop-a', 'staff');
    await redeemInvite(deps, ownerInvite.code, 'o-owner');
    expect(await failure(redeemInvite(deps, 'ABCD2345', 'o-x'))).toBe('INVITE.NOT_FOUND 404');
    expect(await failure(redeemInvite(deps, ownerInvite.code, 'o-x'))).toBe('INVITE.USED 409');
    expect(await failure(redeemInvite(deps, 'abc', 'o-x'))).toBe('INVITE.BAD_FORMAT 400');
    expect(await failure(redeemInvite(deps, '好的好的好的好的', 'o-x'))).toBe('INVITE.BAD_FORMAT 400');
    clock.advance(8 * 24 * 3600_000);
    expect(await failure(redeemInvite(deps, staff.code, 'o-x'))).toBe('INVITE.EXPIRED 410');
    // spaces and dashes a person might type are fine
    const spaced = await createInvite(deps, 'shop-a', 'staff');
    const typed = `${spaced.code.slice(0, 4)} - ${spaced.code.slice(4)}`.toLowerCase();
    expect(await redeemInvite(deps, typed, 'o-y')).toMatchObject({ merchantId: 'shop-a', role: 'staff' });
  });

  it('limits each person across processes (the count lives in storage) and opens again next window', async () => {
    await createMerchant(deps, { id: 'shop-a', name: '一号店', ...VECTOR_A });
    const dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-rate-')), 'db');
    const [s1, s2] = [openSqliteStorage(dbFile), openSqliteStorage(dbFile)];
    const wall = { t: Date.UTC(2026, 10, 22, 4, 0, 10) };
    const [p1, p2] = [atWall(deps, wall, s1), atWall(deps, wall, s2)];
    try {
      const got: string[] = [];
      for (let i = 0; i < JOIN_PER_CALLER.max + 2; i++) got.push(await failure(redeemInvite(i % 2 ? p1 : p2, 'ZZZZ2345', 'o-guesser')));
      expect(got.slice(0, JOIN_PER_CALLER.max)).toEqual(Array(JOIN_PER_CALLER.max).fill('INVITE.NOT_FOUND 404'));
      expect(got.slice(JOIN_PER_CALLER.max)).toEqual(['RATE.LIMITED 429', 'RATE.LIMITED 429']);
      // another person is not affected; the guesser is again a minute later
      expect(await failure(redeemInvite(p1, 'ZZZZ2345', 'o-other'))).toBe('INVITE.NOT_FOUND 404');
      wall.t += 60_000;
      expect(await failure(redeemInvite(p2, 'ZZZZ2345', 'o-guesser'))).toBe('INVITE.NOT_FOUND 404');
      // the sandbox's clock moving back does not reopen a window: it runs on wall time
      wall.t -= 60_000;
      clock.advance(-3600_000);
      expect(await failure(redeemInvite(p2, 'ZZZZ2345', 'o-guesser'))).toBe('RATE.LIMITED 429');
    } finally {
      await s1.close();
      await s2.close();
    }
  });

  it('stops answering for a shop whose codes keep failing, even for a right code, for a minute', async () => {
    const { ownerInvite } = await createMerchant(deps, { id: 'shop-a', name: '一号店', ...VECTOR_A });
    const good = await createInvite(deps, 'shop-a', 'staff');
    const wall = { t: Date.UTC(2026, 10, 22, 4, 0, 10) };
    const d = atWall(deps, wall);
    await redeemInvite(d, ownerInvite.code, 'o-owner');
    // many people (one try each) replaying a used code of the shop
    for (let i = 0; i < JOIN_FAILURES_PER_SHOP.max; i++) expect(await failure(redeemInvite(d, ownerInvite.code, `o-${i}`))).toBe('INVITE.USED 409');
    expect(await failure(redeemInvite(d, good.code, 'o-new'))).toBe('RATE.LIMITED 429');
    const stored = await deps.storage.kv.list(PLATFORM, JOIN_PER_CALLER.ns, 100);
    expect(stored.length).toBeGreaterThan(0); // the per-person counts are in kv too
    wall.t += 60_000;
    expect(await redeemInvite(d, good.code, 'o-new')).toMatchObject({ merchantId: 'shop-a', role: 'staff' });
  });
});
