import { notFound } from '../../domain/errors';
import type { Invite, Member, Role } from '../../domain/member';
import type { Deps } from '../../ports/deps';
import { recordAudit } from './audit';
import { createInvite } from './merchants';

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
