import { AppError } from '../../domain/errors';
import type { Deps } from '../../ports/deps';
import { NS } from './context';

interface LeaseValue {
  owner: string;
  until: number;
}

export interface Lease {
  owner: string;
  release(): Promise<void>;
}

/**
 * A per-customer lease in kv (compare-and-set): one worker at a time processes a customer's
 * messages, in order. It is short and renewed while its holder works (a heartbeat every third of
 * its length), so a crashed worker's lease lapses within seconds while a slow answer keeps its
 * own. It expires on the injected clock. Returns null when someone else holds it.
 */
export async function tryAcquireLease(deps: Deps, merchantId: string, key: string, ms: number): Promise<Lease | null> {
  const now = deps.clock.now();
  const owner = deps.ids.id('lease');
  const cur = await deps.storage.kv.get<LeaseValue>(merchantId, NS.lease, key);
  if (cur && cur.value.owner && cur.value.until > now) return null;
  const ok = await deps.storage.kv.set(merchantId, NS.lease, key, { owner, until: now + ms }, cur ? cur.version : null, now);
  if (!ok) return null;
  let stopped = false;
  let cancel = () => {};
  const renew = async () => {
    const held = await deps.storage.kv.get<LeaseValue>(merchantId, NS.lease, key);
    if (stopped || !held || held.value.owner !== owner) return;
    if (await deps.storage.kv.set(merchantId, NS.lease, key, { owner, until: deps.clock.now() + ms }, held.version, deps.clock.now())) beat();
  };
  const beat = () => {
    cancel = deps.timers.after(Math.max(250, Math.floor(ms / 3)), () => void renew().catch(() => undefined));
  };
  beat();
  return {
    owner,
    release: async () => {
      stopped = true;
      cancel();
      const held = await deps.storage.kv.get<LeaseValue>(merchantId, NS.lease, key);
      if (held && held.value.owner === owner) await deps.storage.kv.set(merchantId, NS.lease, key, { owner: '', until: 0 }, held.version, deps.clock.now());
    },
  };
}

/** When the current holder's lease runs out (0 when free). */
export async function leaseRemainingMs(deps: Deps, merchantId: string, key: string): Promise<number> {
  const cur = await deps.storage.kv.get<LeaseValue>(merchantId, NS.lease, key);
  return cur && cur.value.owner ? Math.max(0, cur.value.until - deps.clock.now()) : 0;
}

/**
 * Runs `fn` under the customer's lease, waiting up to `waitMs` (wall time) for a busy worker —
 * for people's actions from the app (a staff reply, a transfer) that must not race the bot.
 */
export async function withCustomerLease<T>(deps: Deps, merchantId: string, key: string, leaseMs: number, fn: () => Promise<T>, waitMs = 5_000): Promise<T> {
  const step = 100;
  for (let waited = 0; ; waited += step) {
    const lease = await tryAcquireLease(deps, merchantId, key, leaseMs);
    if (lease) {
      try {
        return await fn();
      } finally {
        await lease.release();
      }
    }
    if (waited >= waitMs) throw new AppError('CONFLICT.BUSY', '正在处理这位客户的消息，请稍后再试', 409);
    await deps.timers.sleep(step);
  }
}
