import { NS, PLATFORM, type Fault, type SandboxStore } from './store';

/** Consumes one injected fault of this api (control route `fault`); null when none. */
export async function takeFault(store: SandboxStore, api: string, merchantId: string | null): Promise<Fault | null> {
  const { value, changed } = await store.update<Fault>(PLATFORM, NS.fault, api, (f) => {
    if (!f || f.times <= 0) return undefined;
    if (f.merchantId && merchantId && f.merchantId !== merchantId) return undefined;
    return { ...f, times: f.times - 1 };
  });
  return changed && value ? value : null;
}

/** Counts a call in the clock minute; false when over the cap. */
export async function hit(store: SandboxStore, now: number, scope: string, key: string, cap: number, windowMs = 60_000): Promise<boolean> {
  const minute = Math.floor(now / windowMs);
  const { value } = await store.update<{ minute: number; n: number }>(scope, NS.rate, windowMs === 60_000 ? key : `${key}@${windowMs}`, (c) =>
    c && c.minute === minute ? { minute, n: c.n + 1 } : { minute, n: 1 },
  );
  return (value?.n ?? 0) <= cap;
}
