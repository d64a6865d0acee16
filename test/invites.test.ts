import { ManualClock } from '@xiaoer/shared/domain/time';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { createInvite, createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { redeemInvite } from '@xiaoer/shared/usecases/shop/members';
import { callApi } from '@xiaoer/shared/api/dispatch';
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
    await expect(redeemInvite(deps, ownerInvite.code, 'oOPENID-thief')).rejects.toMatchObject({ code: 'INVITE.INVALID' });
    const me = await callApi(deps, { openid: 'oOPENID-owner' }, { action: 'me.get' });
    expect(me.result).toMatchObject({ merchants: [{ id: 'shop-a', role: 'owner' }] });
  });

  it('lets one person join several shops with different roles, and expires codes', async () => {
    await createMerchant(deps, { id: 'shop-a', name: '一号店', ...VECTOR_A });
    await createMerchant(deps, { id: 'shop-b', name: '二号店', ...VECTOR_A });
    await redeemInvite(deps, (await createInvite(deps, 'shop-a', 'owner')).code, 'o-1');
    await redeemInvite(deps, (await createInvite(deps, 'shop-b', 'staff')).code, 'o-1');
    const me = await callApi(deps, { openid: 'o-1' }, { action: 'me.get' });
    expect(me.result).toMatchObject({ merchants: [{ id: 'shop-a', role: 'owner' }, { id: 'shop-b', role: 'staff' }] });
    await expect(callApi(deps, { openid: 'o-1' }, { action: 'settings.get', merchantId: 'shop-b' })).rejects.toMatchObject({ code: 'AUTH.ROLE_REQUIRED' });
    const late = await createInvite(deps, 'shop-a', 'staff');
    clock.advance(8 * 24 * 3600_000);
    await expect(redeemInvite(deps, late.code, 'o-2')).rejects.toMatchObject({ code: 'INVITE.INVALID' });
  });
});
