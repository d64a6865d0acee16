import type { KvRepo } from '../../ports/storage';

/**
 * Read-modify-write of one kv key with compare-and-set, retried on a lost race. `change` gets
 * the current value (null when absent) and returns the next one, or `undefined` to leave it.
 * Returns the value that is stored when it returns.
 */
export async function updateKv<T>(
  kv: KvRepo,
  merchantId: string,
  ns: string,
  key: string,
  now: number,
  change: (current: T | null) => T | undefined,
  maxTries = 20,
): Promise<T | null> {
  for (let i = 0; i < maxTries; i++) {
    const cur = await kv.get<T>(merchantId, ns, key);
    const next = change(cur ? cur.value : null);
    if (next === undefined) return cur ? cur.value : null;
    if (await kv.set(merchantId, ns, key, next, cur ? cur.version : null, now)) return next;
  }
  throw new Error(`kv ${ns}/${key}: too much contention`);
}
