import { AppError, forbidden, notFound } from '../../domain/errors';
import type { Invite, Member, Role } from '../../domain/member';
import type { Deps } from '../../ports/deps';
import { withCustomerLease } from '../channel-wecom/lease';
import { recordAudit } from './audit';
import { createInvite } from './merchants';
import { signOutEverywhere } from './sessions';

export function listMembers(deps: Deps, merchantId: string): Promise<Member[]> {
  return deps.storage.members.list(merchantId);
}

export interface MemberChange {
  onDuty?: boolean;
  name?: string;
  /** Where handoff notices go; an empty string clears it. */
  wecomUserId?: string;
}

/** 店员和邀请码: on duty or not, name, WeCom account. Audited without the account itself. */
export async function updateMember(deps: Deps, input: { merchantId: string; memberId: string; actorId: string } & MemberChange): Promise<Member> {
  const cur = await deps.storage.members.get(input.merchantId, input.memberId);
  if (!cur) throw notFound('member');
  const next: Member = { ...cur };
  if (input.onDuty !== undefined) next.onDuty = input.onDuty;
  if (input.name !== undefined) next.name = input.name;
  if (input.wecomUserId !== undefined) {
    if (input.wecomUserId) next.wecomUserId = input.wecomUserId;
    else delete next.wecomUserId;
  }
  await deps.storage.members.save(next);
  await recordAudit(deps, {
    merchantId: input.merchantId,
    actor: input.actorId,
    action: 'members.update',
    target: cur.id,
    detail: { onDuty: input.onDuty, wecomUserId: input.wecomUserId !== undefined },
  });
  return next;
}

/** A new invite code for the role (owner or staff). Audited. */
export async function inviteMember(deps: Deps, input: { merchantId: string; role: Role; actorId: string }): Promise<Invite> {
  const invite = await createInvite(deps, input.merchantId, input.role);
  await recordAudit(deps, { merchantId: input.merchantId, actor: input.actorId, action: 'invites.create', target: input.role });
  return invite;
}

/** The lease key for changes to a shop's team ('#' never occurs in the external_userids leased under the same namespace). */
const TEAM_LEASE = '#team';

/**
 * 移出店铺 (owner): the member is gone from this shop at once — the api checks membership on every
 * call, so their very next one is refused — and, unless they still belong to another shop, every
 * session they hold ends as well (their other shops' sessions are not this owner's to end). An
 * owner cannot remove themself, nor the last owner: the shop would have nobody to run it. One
 * team change at a time per shop, so two owners removing each other at once leave one. Audited.
 */
export async function removeMember(deps: Deps, input: { merchantId: string; memberId: string; actorId: string }): Promise<{ memberId: string; sessionsEnded: boolean }> {
  if (input.memberId === input.actorId) throw new AppError('CONFLICT.REMOVE_SELF', '不能把自己移出店铺', 409);
  return withCustomerLease(deps, input.merchantId, TEAM_LEASE, 10_000, async () => {
    const target = await deps.storage.members.get(input.merchantId, input.memberId);
    if (!target) throw notFound('member');
    // reached when two owners remove each other at once: the second finds itself the last one left
    if (target.role === 'owner' && (await deps.storage.members.list(input.merchantId)).filter((m) => m.role === 'owner').length <= 1) {
      throw new AppError('CONFLICT.LAST_OWNER', '这是店里唯一的老板，不能移出', 409);
    }
    // the api checked the caller before waiting for the lease; an owner removed meanwhile removes nobody
    const actor = await deps.storage.members.get(input.merchantId, input.actorId);
    if (!actor || actor.role !== 'owner') throw forbidden();
    await deps.storage.members.remove(input.merchantId, target.id);
    const sessionsEnded = Boolean(target.openid) && (await deps.storage.members.listByOpenid(target.openid!)).length === 0;
    if (sessionsEnded) await signOutEverywhere(deps, target.openid!);
    await recordAudit(deps, {
      merchantId: input.merchantId,
      actor: input.actorId,
      action: 'members.remove',
      target: target.id,
      detail: { role: target.role, name: target.name, sessionsEnded },
    });
    return { memberId: target.id, sessionsEnded };
  });
}
