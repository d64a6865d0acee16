import crypto from 'node:crypto';
import { z } from 'zod';
import { deriveKey } from './secret-box';

/** `jti`: the login link's single-use id, or the session's server-side record id. */
const Claims = z.object({ sub: z.string().min(1), typ: z.enum(['login', 'session']), exp: z.number(), jti: z.string().min(1).max(64).optional() });
export type Claims = z.infer<typeof Claims>;

/**
 * Signed, expiring tokens (HMAC-SHA256) for the local transport: a login link carries a
 * short-lived `login` token; opening it sets a `session` cookie. `sub` is the person's openid,
 * so local sessions and CloudBase callers are authorized by the same rule.
 */
export class SessionSigner {
  private key: Buffer;
  constructor(master: Buffer) {
    this.key = deriveKey(master, 'sessions');
  }
  sign(claims: Claims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }
  /**
   * The claims when the signature is valid, the type matches and it has not expired at `now`
   * (wall-clock time: callers pass Date.now(), never the sandbox's movable clock); else null.
   */
  verify(token: string | undefined, typ: Claims['typ'], now: number): Claims | null {
    if (!token || token.length > 2048) return null;
    const [body, sig] = token.split('.');
    if (!body || !sig) return null;
    const want = Buffer.from(this.mac(body));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !crypto.timingSafeEqual(want, got)) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    const claims = Claims.safeParse(parsed);
    if (!claims.success || claims.data.typ !== typ || claims.data.exp <= now) return null;
    return claims.data;
  }
  private mac(body: string) {
    return crypto.createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
