import { LIMITS } from './config';
import type { SandboxStore } from './store';
import { fail, type Handler } from './wx';

/**
 * Calls in flight per (corp, api), for WeCom's concurrency limit on the tag APIs (rule
 * tagConcurrency → 45033). Counted in this process: the host is the only process that serves the
 * sandbox API. A control route can hold an api's calls open (`/hold`), so a test makes calls
 * overlap for certain instead of hoping they do.
 */
export class InFlight {
  private counts = new Map<string, number>();
  private holds = new Map<string, { release: () => void; done: Promise<void>; timer: NodeJS.Timeout }>();

  count(corpId: string, api: string): number {
    return this.counts.get(`${corpId}|${api}`) ?? 0;
  }

  held(corpId: string, api: string): boolean {
    return this.holds.has(`${corpId}|${api}`);
  }

  /** Holds calls of api for corp until released (or HOLD_MAX_MS, so a forgotten hold frees its sockets). */
  hold(corpId: string, api: string): void {
    const key = `${corpId}|${api}`;
    if (this.holds.has(key)) return;
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    const timer = setTimeout(() => this.release(corpId, api), HOLD_MAX_MS);
    timer.unref();
    this.holds.set(key, { release, done, timer });
  }

  release(corpId: string, api: string): void {
    const key = `${corpId}|${api}`;
    const h = this.holds.get(key);
    if (!h) return;
    clearTimeout(h.timer);
    this.holds.delete(key);
    h.release();
  }

  releaseAll(): void {
    for (const key of [...this.holds.keys()]) {
      const [corpId, api] = key.split('|');
      this.release(corpId, api);
    }
  }

  /** Runs fn as one call in flight; over `cap` already in flight (and `limit` on) it is refused with 45033. */
  async run<T>(corpId: string, api: string, limit: boolean, fn: () => Promise<T>): Promise<T> {
    const key = `${corpId}|${api}`;
    const n = this.counts.get(key) ?? 0;
    if (limit && n >= LIMITS.tagConcurrency) fail('concurrentLimit', `${n} calls of ${api} already in flight`);
    this.counts.set(key, n + 1);
    try {
      const hold = this.holds.get(key);
      if (hold) await hold.done;
      return await fn();
    } finally {
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    }
  }
}
const HOLD_MAX_MS = 60_000;

/** One InFlight per sandbox (its store is shared by the API and the control routes). */
const bySandbox = new WeakMap<SandboxStore, InFlight>();
export function inFlightOf(store: SandboxStore): InFlight {
  let f = bySandbox.get(store);
  if (!f) bySandbox.set(store, (f = new InFlight()));
  return f;
}

/** A handler whose calls count against the per-corp concurrency limit (rule tagConcurrency). */
export function limited(store: SandboxStore, h: Handler): Handler {
  return { ...h, run: (ctx) => inFlightOf(store).run(ctx.merchant.wecom.corpId, ctx.api, ctx.rules.tagConcurrency, () => h.run(ctx)) };
}
