import { AppError } from '../../domain/errors';
import type { Member, Role } from '../../domain/member';
import type { Deps } from '../../ports/deps';
import { PLATFORM } from '../../domain/job';
import { checkRate, hitRate, type RateRule } from '../lib/rate-limit';
import { requireMerchant } from './require-merchant';

/** Invite attempts per person a minute (a typo or two is fine; guessing codes is not). */
export const JOIN_PER_CALLER: RateRule = { ns: 'rate.join.caller', max: 10, windowMs: 60_000 };
/** Failed attempts (used or expired codes) against one shop a minute, whoever makes them. */
export const JOIN_FAILURES_PER_SHOP: RateRule = { ns: 'rate.join.shop', max: 30, windowMs: 60_000 };

const CODE_FORMAT = /^[A-Z2-9]{8}$/;

/** Invite failures, each with its own code and status (README "Invite codes"). */
const inviteError = {
  badFormat: () => new AppError('INVITE.BAD_FORMAT', '邀请码是 8 位字母和数字，请核对一下再输入', 400),
  notFound: () => new AppError('INVITE.NOT_FOUND', '没有这个邀请码，请核对一下，或者找老板要一个新的', 404),
  used: () => new AppError('INVITE.USED', '这个邀请码已经用过了，请找老板要一个新的', 409),
  expired: () => new AppError('INVITE.EXPIRED', '这个邀请码过期了（7 天内有效），请找老板要一个新的', 410),
};

/**
 * The invite-code join flow: whoever holds a valid code becomes a member with its role.
 * Rate-limited per person and, for failures, per shop, in kv so all processes share the count.
 */
export async function redeemInvite(deps: Deps, code: string, openid: string, name = ''): Promise<Member> {
  await hitRate(deps, PLATFORM, JOIN_PER_CALLER, openid);
  const normalized = code.replace(/[\s-]/g, '').toUpperCase();
  if (!CODE_FORMAT.test(normalized)) throw inviteError.badFormat();
  const found = await deps.storage.invites.find(normalized);
  if (!found) throw inviteError.notFound();
  // a shop whose codes are being hammered stops answering for a minute, even for the right code
  await checkRate(deps, found.merchantId, JOIN_FAILURES_PER_SHOP, found.merchantId);
  const invite = await deps.storage.invites.redeem(normalized, openid, deps.clock.now());
  if (!invite) {
    const now = (await deps.storage.invites.find(normalized)) ?? found;
    // the same person pressing 加入 twice: they are in already
    const mine = now.usedBy === openid ? await deps.storage.members.findByOpenid(now.merchantId, openid) : null;
    if (mine) return mine;
    await hitRate(deps, now.merchantId, JOIN_FAILURES_PER_SHOP, now.merchantId);
    throw now.usedAt !== undefined ? inviteError.used() : inviteError.expired();
  }
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
  await requireMerchant(deps, merchantId);
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
