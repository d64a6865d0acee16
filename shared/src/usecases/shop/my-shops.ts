import type { Role } from '../../domain/member';
import type { Deps } from '../../ports/deps';
import { redeemInvite } from './members';
import { requireMerchant } from './require-merchant';

export interface MyShop {
  id: string;
  name: string;
  role: Role;
}

/** The shops this person belongs to (a membership whose shop is gone is skipped). */
export async function myShops(deps: Deps, openid: string): Promise<MyShop[]> {
  const shops: MyShop[] = [];
  for (const mem of await deps.storage.members.listByOpenid(openid)) {
    const m = await deps.storage.merchants.get(mem.merchantId);
    if (m) shops.push({ id: m.id, name: m.name, role: mem.role });
  }
  return shops;
}

/** 输入邀请码: the code makes this person a member; the shop they joined. */
export async function joinShop(deps: Deps, input: { code: string; openid: string; name?: string }): Promise<MyShop> {
  const member = await redeemInvite(deps, input.code, input.openid, input.name ?? '');
  const m = await requireMerchant(deps, member.merchantId);
  return { id: m.id, name: m.name, role: member.role };
}
