import type { Role } from '@xiaoer/shared/domain/member';
import { ensureLocalMember } from '@xiaoer/shared/usecases/shop/members';
import type { Runtime } from '../composition';

export const LOGIN_TTL_MS = 24 * 3600_000;
export const SESSION_TTL_MS = 30 * 24 * 3600_000;
export const SESSION_COOKIE = 'xe_session';

/** A signed, expiring login link for the local owner app (ARCHITECTURE §5). */
export async function makeLoginLink(rt: Runtime, merchantId: string, role: Role, baseUrl: string): Promise<string> {
  const member = await ensureLocalMember(rt.deps, merchantId, role);
  const token = rt.sessions.sign({ sub: member.openid!, typ: 'login', exp: rt.deps.clock.now() + LOGIN_TTL_MS });
  return `${baseUrl}/login?token=${encodeURIComponent(token)}`;
}

export function baseUrlOf(rt: Runtime, port: number): string {
  return rt.config.publicUrl ?? `http://${rt.config.host === '0.0.0.0' ? '127.0.0.1' : rt.config.host}:${port}`;
}
