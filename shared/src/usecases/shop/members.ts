import { AppError } from '../../domain/errors';
import type { Member, Role } from '../../domain/member';
import type { Deps } from '../../ports/deps';

/** The invite-code join flow: whoever holds a valid code becomes a member with its role. */
export async function redeemInvite(deps: Deps, code: string, openid: string, name = ''): Promise<Member> {
  const normalized = code.trim().toUpperCase();
  const invite = await deps.storage.invites.redeem(normalized, openid, deps.clock.now());
  if (!invite) throw new AppError('INVITE.INVALID', '邀请码不对、已经用过或者过期了，请找老板要一个新的');
  const existing = await deps.storage.members.findByOpenid(invite.merchantId, openid);
  if (existing) return existing;
  const member: Member = {
    id: deps.ids.id('mem'),
    merchantId: invite.merchantId,
    openid,
    name,
    role: invite.role,
    onDuty: true,
    createdAt: deps.clock.now(),
  };
  await deps.storage.members.add(member);
  return member;
}

/**
 * Local login links act as a fixed person per (merchant, role): `local:<merchant>:<role>`.
 * The member is created on first use, so `login-link --role staff` works on any shop.
 */
export async function ensureLocalMember(deps: Deps, merchantId: string, role: Role): Promise<Member> {
  const openid = `local:${merchantId}:${role}`;
  const found = await deps.storage.members.findByOpenid(merchantId, openid);
  if (found) return found;
  if (!(await deps.storage.merchants.get(merchantId))) throw new AppError('NOT_FOUND.MERCHANT', `没有 ${merchantId} 这家店`);
  const member: Member = {
    id: `local-${role}`,
    merchantId,
    openid,
    name: role === 'owner' ? '老板' : '店员',
    role,
    onDuty: true,
    createdAt: deps.clock.now(),
  };
  try {
    await deps.storage.members.add(member);
  } catch (err) {
    // the host and the CLI may race to create it; either copy is the same person
    if ((err as AppError).code !== 'CONFLICT.MEMBER_EXISTS') throw err;
  }
  return member;
}
