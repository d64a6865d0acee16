import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../cloudfunctions/server/config';
import { createHostRuntime } from '../../cloudfunctions/server/runtime-host';
import type { Runtime } from '../../cloudfunctions/server/composition';
import { createLogger } from '../../cloudfunctions/server/logger';
import { createHostServer } from '../../cloudfunctions/server/host/server';
import { ManualClock } from '@xiaoer/shared/domain/time';

export interface TestHost {
  url: string;
  rt: Runtime;
  clock: ManualClock;
  dataDir: string;
  logs: string[];
  close(): Promise<void>;
}

/** A real host on 127.0.0.1:<random port> over a fresh DATA_DIR, with captured logs. */
export async function startTestHost(env: Record<string, string> = {}): Promise<TestHost> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-host-'));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'debug', ...env });
  const clock = new ManualClock(Date.UTC(2026, 10, 22, 4, 0, 0));
  const rt = await createHostRuntime({ config, clock, logger: createLogger('debug', sink) });
  const h5 = path.join(dataDir, 'h5');
  fs.mkdirSync(h5, { recursive: true });
  fs.writeFileSync(path.join(h5, 'index.html'), '<!doctype html><title>店小二</title>');
  const server = createHostServer(rt, { h5Dir: h5 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  rt.setHostBaseUrl(url);
  return {
    url,
    rt,
    clock,
    dataDir,
    logs,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await rt.close();
    },
  };
}

/** The sandbox's control routes of a host: GET `route`, or POST it with `body`; returns `data`. */
export function sandboxControl(url: string) {
  return async (route: string, body?: unknown) => {
    const res = await fetch(`${url}/sandbox/_control/${route}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
    return ((await res.json()) as { data: any }).data;
  };
}

/** Opens a login link like a browser would and returns the session cookie. */
export async function loginCookie(link: string): Promise<string> {
  const res = await fetch(link, { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`login failed: ${res.status}`);
  const cookie = res.headers.get('set-cookie') ?? '';
  return cookie.split(';')[0];
}

export async function api(url: string, cookie: string | null, body: unknown) {
  const res = await fetch(`${url}/fn/api`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { ok: boolean; data?: any; code?: string; message?: string } };
}

export const VECTOR_A = {
  corpId: 'wx5823bf96d3bd56c7',
  token: 'QDG6eK',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};
