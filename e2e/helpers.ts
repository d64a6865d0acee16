import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface HostProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  waitFor(re: RegExp, ms?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

/** Starts `npm start`'s entry as a separate process, the way an owner would run it. */
export async function startHost(env: Record<string, string>, dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-e2e-'))): Promise<HostProcess & { dataDir: string }> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  // node itself with tsx's loader, not the tsx CLI: the CLI runs the host in a grandchild, so
  // a kill -9 of the CLI would leave the real host running
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cloudfunctions/server/host/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b) => (out += b));
  child.stderr!.on('data', (b) => (out += b));
  const waitFor = (re: RegExp, ms = 120_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const started = Date.now();
      const t = setInterval(() => {
        const m = out.match(re);
        if (m) {
          clearInterval(t);
          resolve(m);
        } else if (child.exitCode !== null || Date.now() - started > ms) {
          clearInterval(t);
          reject(new Error(`host never printed ${re} (exit ${child.exitCode}):\n${out.slice(-3000)}`));
        }
      }, 25);
    });
  return {
    child,
    dataDir,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    waitFor,
    stop: async () => {
      // a host killed with a signal (the crash tests) has exited already: its 'exit' will not fire again
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** A phone-sized Chromium (390×844 @2x), started with the flags this machine needs. */
export async function phone(): Promise<BrowserContext> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium fonts-wqy-microhei (see README)`);
  return chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'chr-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    // a phone in China: times the app formats with the device clock read as the shop's
    timezoneId: 'Asia/Shanghai',
  });
}

/**
 * Serves another H5 build (`XIAOER_H5_DIR`, written with `XIAOER_APP_OUT`) for everything but the
 * host's own routes, so a change can be tried in the browser without rebuilding the shared
 * miniprogram/dist/h5. A redirected navigation is not routed: sign in with the page's request
 * client (maxRedirects 0) and then open the app, not by opening the login link in the page.
 */
export async function serveH5Build(c: BrowserContext, hostUrl: string, dir: string): Promise<void> {
  await c.route(`${hostUrl}/**`, async (route) => {
    const p = new URL(route.request().url()).pathname;
    if (/^\/(fn|login|logout|sandbox|wecom|webhook|healthz)\b/.test(p)) return route.continue();
    const file = path.join(dir, p === '/' ? 'index.html' : p);
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return route.fulfill({ path: file });
    return route.continue();
  });
}
