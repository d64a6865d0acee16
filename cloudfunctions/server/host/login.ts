import crypto from 'node:crypto';
import type { Role } from '@xiaoer/shared/domain/member';
import { ensureLocalMember } from '@xiaoer/shared/usecases/shop/members';
import { consumeLoginLink, endSession, sessionAlive, startSession } from '@xiaoer/shared/usecases/shop/sessions';
import type { Runtime } from '../composition';

export const LOGIN_TTL_MS = 24 * 3600_000;
export const SESSION_TTL_MS = 30 * 24 * 3600_000;
export const SESSION_COOKIE = 'xe_session';

/**
 * A signed, expiring, single-use login link for the local owner app (ARCHITECTURE §5). Expiry is
 * wall-clock time (`timers.wallNow`), never the product clock the sandbox can move.
 */
export async function makeLoginLink(rt: Runtime, merchantId: string, role: Role, baseUrl: string): Promise<string> {
  const member = await ensureLocalMember(rt.deps, merchantId, role);
  const token = rt.sessions.sign({ sub: member.openid!, typ: 'login', exp: rt.deps.timers.wallNow() + LOGIN_TTL_MS, jti: crypto.randomBytes(12).toString('base64url') });
  return `${baseUrl}/login?token=${encodeURIComponent(token)}`;
}

/** Opens a login link: a new session token for its person, or null when it is invalid, expired or used. */
export async function redeemLoginLink(rt: Runtime, token: string | undefined): Promise<{ token: string; maxAgeS: number } | null> {
  const claims = rt.sessions.verify(token, 'login', rt.deps.timers.wallNow());
  if (!claims?.jti || !(await consumeLoginLink(rt.deps, claims.jti, LOGIN_TTL_MS))) return null;
  const session = await startSession(rt.deps, claims.sub, SESSION_TTL_MS);
  return { token: rt.sessions.sign({ sub: claims.sub, typ: 'session', exp: session.exp, jti: session.sid }), maxAgeS: SESSION_TTL_MS / 1000 };
}

/** The person behind a session token, while its server-side record lives (logout and sign-out-everywhere end it). */
export async function sessionCaller(rt: Runtime, token: string | undefined): Promise<{ openid: string; sid: string } | null> {
  const claims = rt.sessions.verify(token, 'session', rt.deps.timers.wallNow());
  if (!claims?.jti || !(await sessionAlive(rt.deps, claims.jti, claims.sub))) return null;
  return { openid: claims.sub, sid: claims.jti };
}

/** Logout: the session's record goes, so a copy of the cookie is useless too. */
export async function endSessionOf(rt: Runtime, token: string | undefined): Promise<void> {
  const claims = rt.sessions.verify(token, 'session', rt.deps.timers.wallNow());
  if (claims?.jti) await endSession(rt.deps, claims.jti);
}

export function baseUrlOf(rt: Runtime, port: number): string {
  return rt.config.publicUrl ?? `http://${rt.config.host === '0.0.0.0' ? '127.0.0.1' : rt.config.host}:${port}`;
}
