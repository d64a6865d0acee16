import { PLATFORM } from '../../domain/job';
import type { Deps } from '../../ports/deps';

/**
 * Server-side records behind the local host's signed cookies and login links, in kv so the host,
 * the CLI and other processes see one truth. The signature proves a token was issued; these
 * records say whether it still counts: a session until logout or "sign out everywhere", a login
 * link until it is opened once. All times are wall-clock (`timers.wallNow`): the sandbox moves
 * the product clock, and that must never revive an expired session.
 */
export const SESSION_NS = { session: 'auth.session', epoch: 'auth.signed-out', loginUsed: 'auth.login-used' } as const;

interface SessionRecord {
  sub: string;
  exp: number;
  createdAt: number;
}

interface Epoch {
  /** Sessions of this person created before this instant are dead. */
  notBefore: number;
}

const SWEEP = 100;

/** Records a new session for `sub`; its id goes into the signed cookie. */
export async function startSession(deps: Deps, sub: string, ttlMs: number): Promise<{ sid: string; exp: number }> {
  const now = deps.timers.wallNow();
  const sid = deps.ids.id('ses');
  const rec: SessionRecord = { sub, exp: now + ttlMs, createdAt: now };
  await deps.storage.kv.set(PLATFORM, SESSION_NS.session, sid, rec, null, now);
  // written once at creation: anything older than the ttl has expired
  await deps.storage.kv.prune(SESSION_NS.session, now - ttlMs, SWEEP);
  await deps.storage.kv.prune(SESSION_NS.epoch, now - ttlMs, SWEEP);
  return { sid, exp: rec.exp };
}

/** True while the session exists, belongs to `sub`, has not expired and was not signed out. */
export async function sessionAlive(deps: Deps, sid: string, sub: string): Promise<boolean> {
  const [rec, epoch] = await Promise.all([deps.storage.kv.get<SessionRecord>(PLATFORM, SESSION_NS.session, sid), deps.storage.kv.get<Epoch>(PLATFORM, SESSION_NS.epoch, sub)]);
  if (!rec || rec.value.sub !== sub || rec.value.exp <= deps.timers.wallNow()) return false;
  return !epoch || rec.value.createdAt >= epoch.value.notBefore;
}

/** Logout: this one session is gone. */
export async function endSession(deps: Deps, sid: string): Promise<void> {
  await deps.storage.kv.delete(PLATFORM, SESSION_NS.session, sid);
}

/** 退出所有设备: every session this person holds now stops working, wherever it was opened. */
export async function signOutEverywhere(deps: Deps, sub: string): Promise<{ signedOutAt: number }> {
  const notBefore = deps.timers.wallNow();
  for (let i = 0; i < 8; i++) {
    const cur = await deps.storage.kv.get<Epoch>(PLATFORM, SESSION_NS.epoch, sub);
    const value: Epoch = { notBefore: Math.max(notBefore, cur?.value.notBefore ?? 0) };
    if (await deps.storage.kv.set(PLATFORM, SESSION_NS.epoch, sub, value, cur?.version ?? null, notBefore)) return { signedOutAt: value.notBefore };
  }
  throw new Error('sign-out epoch kept changing under us');
}

/** Marks a login link used; true only for the first caller, across processes. */
export async function consumeLoginLink(deps: Deps, jti: string, keepMs: number): Promise<boolean> {
  const now = deps.timers.wallNow();
  const first = await deps.storage.kv.set(PLATFORM, SESSION_NS.loginUsed, jti, { usedAt: now }, null, now);
  // a used marker only matters while its link could still be valid
  if (first) await deps.storage.kv.prune(SESSION_NS.loginUsed, now - keepMs, SWEEP);
  return first;
}
