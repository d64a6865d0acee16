import fs from 'node:fs';
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { phone, ROOT, startHost, type HostProcess } from './helpers';

// page.evaluate bodies run in the browser; the backend tsconfig has no DOM lib
declare const document: { createElement(tag: 'canvas'): { width: number; height: number; getContext(k: '2d'): any; toDataURL(): string } };

const SHOTS = path.join(ROOT, '.test-results', 'screenshots');

let host: HostProcess & { dataDir: string };
let ctx: BrowserContext;
let link: string;

beforeAll(async () => {
  host = await startHost({});
  await host.waitFor(/listening on/);
  link = (await host.waitFor(/Owner app: (\S+)/))[1];
  ctx = await phone();
});
afterAll(async () => {
  await ctx?.close();
  await host?.stop();
});

describe('owner app in a real browser, on a fresh start', () => {
  it('answers /healthz and refuses the api without a session', async () => {
    expect((await fetch(`${host.url}/healthz`)).status).toBe(200);
    const res = await fetch(`${host.url}/fn/api`, { method: 'POST', body: JSON.stringify({ action: 'me.get' }) });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ ok: false, code: 'AUTH.UNAUTHENTICATED' });
  });

  it('opens the login link and shows the demo shop on 今日, in Chinese', async () => {
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(link);
    await page.waitForSelector('.shop-name', { timeout: 30_000 });
    const shopName = (await page.textContent('.shop-name'))?.trim();
    // the name the backend has for the shop
    const me = await page.evaluate(async () => (await (await fetch('/fn/api', { method: 'POST', body: JSON.stringify({ action: 'me.get' }) })).json()) as any);
    expect(me.ok).toBe(true);
    expect(shopName).toBe(me.data.merchants[0].name);
    expect(shopName).toMatch(/[\u4e00-\u9fff]/);
    const dash = await page.evaluate(
      async (merchantId) => (await (await fetch('/fn/api', { method: 'POST', body: JSON.stringify({ action: 'dashboard.today', merchantId }) })).json()) as any,
      me.data.merchants[0].id,
    );
    const shown = (await page.textContent('.counter-consultations .counter-value'))?.trim();
    expect(shown).toBe(String(dash.data.today.consultations));
    expect(await page.textContent('.counter-consultations .counter-label')).toContain('咨询人数');

    // Chinese glyphs really render: '营' must not draw the same pixels as a missing-glyph box
    const cjkRenders = await page.evaluate(() => {
      const draw = (s: string) => {
        const c = document.createElement('canvas');
        c.width = 64;
        c.height = 64;
        const g = c.getContext('2d')!;
        g.font = '48px sans-serif';
        g.fillText(s, 4, 52);
        return c.toDataURL();
      };
      return draw('营') !== draw('\u{10FFFD}') && draw('营') !== draw('业');
    });
    expect(cjkRenders).toBe(true);

    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'today.png') });
    expect(errors).toEqual([]);
  });

  it('simulate on the demo shop right after a fresh start gets a grounded answer', async () => {
    const out = await new Promise<string>((resolve) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', path.join(ROOT, 'cloudfunctions/server/cli/main.ts'), 'simulate', '--merchant', 'demo-naicha', '--text', '你们几点开门？', '--json'],
        { cwd: ROOT, env: { ...process.env, DATA_DIR: host.dataDir, PORT: new URL(host.url).port } },
        (_e, stdout) => resolve(stdout.trim()),
      ),
    );
    const r = JSON.parse(out);
    expect(r).toMatchObject({ handoff: false, timedOut: false });
    // the demo shop's own FAQ answer about its hours
    expect(r.reply).toContain('10:00');
  });

  it('shuts down cleanly on SIGTERM', async () => {
    await ctx.close();
    await host.stop();
    expect(host.child.exitCode).toBe(0);
  });
});
