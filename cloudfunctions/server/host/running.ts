import fs from 'node:fs';
import path from 'node:path';
import type { Runtime } from '../composition';
import { baseUrlOf } from './login';

/**
 * How the CLI finds the host that serves its DATA_DIR, whatever PORT that host was started on:
 * the host writes `DATA_DIR/host.json` ({url, pid}) once it listens and removes it when it
 * stops; the CLI (`simulate`, `login-link`) reads it. A file left by a killed host names a
 * process that is gone and is ignored.
 */
const FILE = 'host.json';

interface RunningHost {
  url: string;
  pid: number;
}

export function announceHost(dataDir: string, url: string): void {
  try {
    fs.writeFileSync(path.join(dataDir, FILE), JSON.stringify({ url, pid: process.pid } satisfies RunningHost));
  } catch {
    // a read-only DATA_DIR: the CLI falls back to PORT, as before
  }
}

/** On a clean stop; only this process's own announcement (another host may have started since). */
export function withdrawHost(dataDir: string): void {
  const file = path.join(dataDir, FILE);
  if (readHost(dataDir)?.pid === process.pid) fs.rmSync(file, { force: true });
}

function readHost(dataDir: string): RunningHost | null {
  try {
    const v = JSON.parse(fs.readFileSync(path.join(dataDir, FILE), 'utf8')) as Partial<RunningHost>;
    return typeof v.url === 'string' && Number.isInteger(v.pid) ? { url: v.url, pid: v.pid! } : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is just not ours to signal
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The local URL of the host running on this DATA_DIR, or null. */
export function runningHostUrl(dataDir: string): string | null {
  const h = readHost(dataDir);
  return h && alive(h.pid) ? h.url : null;
}

/** Where the CLI calls the host (the sandbox's control routes): the running host's own address, else PORT. */
export function hostUrlForCli(rt: Runtime): string {
  return runningHostUrl(rt.config.dataDir) ?? baseUrlOf(rt, rt.config.port);
}

/** The base of the login links the CLI prints: PUBLIC_URL when set, else where the running host listens. */
export function linkBaseForCli(rt: Runtime): string {
  return rt.config.publicUrl ?? hostUrlForCli(rt);
}
