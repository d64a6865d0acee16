import type { startHost } from '../../e2e/helpers';

/**
 * Waiting on and killing host processes (`npm start`'s entry, started with e2e/helpers.ts
 * `startHost`): the kill -9 suites share these.
 */
export type Host = Awaited<ReturnType<typeof startHost>>;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Still running (a SIGKILLed child has exitCode null and signalCode 'SIGKILL'). */
export const alive = (host: Host) => host.child.exitCode === null && host.child.signalCode === null;

/**
 * Polls `f` until `ok` (a generous wait, not a speed requirement); returns the last value. On
 * giving up, `explain` says what the last value still lacked.
 */
export async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 90_000, everyMs = 100, explain?: (v: T) => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}${v !== undefined && explain ? `: ${explain(v)}` : ''}`);
    await sleep(everyMs);
  }
}

/** The host answers HTTP (it is listening, its storage open). */
export async function healthy(host: Host, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (!alive(host)) throw new Error(`host exited (${host.child.exitCode ?? host.child.signalCode}):\n${host.output().slice(-3000)}`);
    const status = await fetch(`${host.url}/healthz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > end) throw new Error(`GET ${host.url}/healthz never answered 200:\n${host.output().slice(-3000)}`);
    await sleep(100);
  }
}

export async function kill9(host: Host): Promise<void> {
  if (!alive(host)) return;
  const exited = new Promise((r) => host.child.once('exit', r));
  host.child.kill('SIGKILL');
  await exited;
}
