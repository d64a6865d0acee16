import { ACTION_POLICY, ApiRequest, type ApiResult, type ApiAction } from '../contracts/api';
import { parseInput, type Envelope } from '../contracts/envelope';
import { AppError, forbidden, ownerOnly } from '../domain/errors';
import type { Member } from '../domain/member';
import type { Deps } from '../ports/deps';
import type { WecomContext } from '../usecases/channel-wecom/context';
import type { KbFileParser } from '../ports/kb-files';
import type { OrderTableParser } from '../usecases/orders/import';
import type { XlsxWriter } from '../ports/spreadsheet';
import { handlers } from './handlers';
import type { FollowupDrafter } from '../usecases/followups/draft';

/** Who is calling, as the transport proved it (session cookie locally, OPENID on CloudBase). */
export interface Caller {
  openid: string;
}

/**
 * The `api` use case: validate, authorize against ACTION_POLICY, run the handler. Every
 * merchant-scoped action requires the caller to be a member of the merchant it names.
 */
export async function callApi(
  deps: Deps,
  caller: Caller,
  raw: unknown,
  channel?: WecomContext,
  kbFiles?: KbFileParser,
  orderFiles?: OrderTableParser,
  xlsx?: XlsxWriter,
  drafter?: FollowupDrafter,
): Promise<{ action: ApiAction | null; result: unknown }> {
  const req = parseInput(ApiRequest, raw);
  const policy = ACTION_POLICY[req.action];
  let member: Member | null;
  if (policy.scope === 'join') {
    member = null;
  } else if (policy.scope === 'self') {
    const mine = await deps.storage.members.listByOpenid(caller.openid);
    member = mine[0] ?? null;
    if (!member) throw forbidden();
  } else {
    member = await deps.storage.members.findByOpenid((req as { merchantId: string }).merchantId, caller.openid);
    if (!member) throw forbidden();
    if (policy.role === 'owner' && member.role !== 'owner') throw ownerOnly();
  }
  const handler = handlers[req.action] as (ctx: unknown, r: unknown) => Promise<ApiResult<ApiAction>>;
  // only `join` actions run without a membership; their handlers must not read ctx.member
  return { action: req.action, result: await handler({ deps, channel, openid: caller.openid, member, kbFiles, orderFiles, xlsx, ...(drafter ? { drafter } : {}) }, req) };
}

/** Maps any outcome to the envelope; unexpected errors are reported to `onUnexpected` and hidden. */
export async function callApiEnveloped(
  deps: Deps,
  caller: Caller,
  raw: unknown,
  onUnexpected: (err: unknown) => void,
  channel?: WecomContext,
  kbFiles?: KbFileParser,
  orderFiles?: OrderTableParser,
  xlsx?: XlsxWriter,
  drafter?: FollowupDrafter,
): Promise<{ status: number; body: Envelope<unknown> }> {
  try {
    const { result } = await callApi(deps, caller, raw, channel, kbFiles, orderFiles, xlsx, drafter);
    return { status: 200, body: { ok: true, data: result } };
  } catch (err) {
    return errorEnvelope(err, onUnexpected);
  }
}

export function errorEnvelope(err: unknown, onUnexpected: (err: unknown) => void): { status: number; body: Envelope<never> } {
  if (err instanceof AppError) {
    return { status: err.status, body: { ok: false, code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
  }
  onUnexpected(err);
  return { status: 500, body: { ok: false, code: 'INTERNAL.ERROR', message: '系统出了点问题，请稍后再试' } };
}
