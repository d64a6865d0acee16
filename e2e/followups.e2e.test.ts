import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { phone, ROOT, serveH5Build, startHost, type HostProcess } from './helpers';

/**
 * 营销 · 自动跟进 in the built H5 app against a freshly started demo shop (issue 16 §4, §6), on a
 * 375 px phone: the owner opens 自动跟进 from 营销, sees the dormant follow-up's weekly count equal
 * to what `followups.preview` answers through the api (and again after picking other days, before
 * saving), says no to the confirm once (nothing saved, the switch stays off), then turns it on
 * with the exact text in the dialog, and after a reload it is still on with that text approved.
 * Screenshot: .test-results/screenshots/followups.png. XIAOER_H5_DIR serves an H5 build written
 * elsewhere (XIAOER_APP_OUT).
 */

// page.evaluate bodies run in the browser; the backend tsconfig has no DOM lib
declare const document: any;

const SHOTS = path.join(ROOT, '.test-results', 'screenshots');
const M = 'demo-naicha';

type Followup = { kind: string; enabled: boolean; approved: boolean; texts: string[]; params: { dormantDays?: number } };

let host: HostProcess & { dataDir: string };
let ctx: BrowserContext;
let page: Page;
const errors: string[] = [];

/** The api with the page's session cookie (the context's request client shares it). */
async function api<T = any>(body: Record<string, unknown>): Promise<T> {
  const res = (await (await page.request.post(`${host.url}/fn/api`, { data: { merchantId: M, ...body } })).json()) as { ok: boolean; data: T };
  if (!res.ok) throw new Error(`${String(body.action)} failed: ${JSON.stringify(res)}`);
  return res.data;
}

const dormant = async () => (await api<{ followups: Followup[] }>({ action: 'followups.list' })).followups.find((f) => f.kind === 'dormant')!;
const previewCount = async (params?: { dormantDays: number }) =>
  (await api<{ previews: { count: number }[] }>({ action: 'followups.preview', kind: 'dormant', ...(params ? { params } : {}) })).previews[0]!.count;

/** Opens a page as a fresh app start. */
async function go(route: string, ready: string) {
  await page.goto(`${host.url}/#${route}`);
  await page.reload();
  await page.waitForSelector(ready, { timeout: 30_000 });
}

const card = () => page.locator('.fu-dormant');
const switchInput = () => card().locator('.fu-switch input');

beforeAll(async () => {
  host = await startHost({});
  const link = (await host.waitFor(/Owner app: (\S+)/))[1]!;
  ctx = await phone();
  if (process.env.XIAOER_H5_DIR) await serveH5Build(ctx, host.url, path.resolve(process.env.XIAOER_H5_DIR));
  page = await ctx.newPage();
  await page.setViewportSize({ width: 375, height: 812 });
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${String(e)}`));
  expect((await page.request.get(link, { maxRedirects: 0 })).status()).toBe(302);
  await go('/pages/today/index', '.shop-name');
});
afterAll(async () => {
  await ctx?.close();
  await host?.stop();
});

describe('自动跟进 on the demo shop', () => {
  it('previews the dormant follow-up as the api does, and turns it on only after the owner confirms its text', async () => {
    const before = await dormant();
    expect(before.enabled).toBe(false);
    const expected = await previewCount();
    expect(expected).toBeGreaterThan(0);

    await go('/pages/marketing/index', '.page-marketing .mk-followups');
    await page.click('.mk-followups');
    await page.waitForSelector('.page-followups .fu-dormant .fu-preview-count', { timeout: 30_000 });
    expect(await page.locator('.fu-card').count()).toBe(4);
    expect((await card().locator('.fu-preview-count').textContent())?.trim()).toBe(`这周会发给 ${expected} 人`);
    expect(await card().locator('.fu-sample-item').count()).toBe(Math.min(expected, 10));
    expect((await card().locator('.fu-state').textContent())?.trim()).toBe('没打开，一条都不会发');

    // other days: the preview follows before anything is saved
    const other = before.params.dormantDays === 90 ? 60 : 90;
    const otherCount = await previewCount({ dormantDays: other });
    await card().locator(`.fu-dormant-${other}`).click();
    await card()
      .locator('.fu-preview-count', { hasText: `这周会发给 ${otherCount} 人` })
      .waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => !document.querySelector('.fu-dormant .fu-preview-stale'), undefined, { timeout: 30_000 });
    expect((await dormant()).params.dormantDays).toBe(before.params.dormantDays);
    await card().locator(`.fu-dormant-${before.params.dormantDays}`).click();
    await card()
      .locator('.fu-preview-count', { hasText: `这周会发给 ${expected} 人` })
      .waitFor({ timeout: 30_000 });

    // no to the confirm: nothing saved, the switch back off
    const dialog = page.locator('.taro__modal .taro-modal__text');
    await switchInput().click();
    await dialog.waitFor({ timeout: 30_000 });
    await page.click('.taro__modal .taro-model__cancel');
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector('.fu-dormant .fu-switch input')?.checked === false, undefined, { timeout: 10_000 });
    expect((await dormant()).enabled).toBe(false);

    // yes: the dialog quotes the exact text, and saving it approves it
    await switchInput().click();
    await dialog.waitFor({ timeout: 30_000 });
    const said = (await dialog.textContent()) ?? '';
    expect(said).toContain('打开后，每天上午 10 点会按这段话发给符合条件的客户，每人每段时间只发一次');
    expect(said).toContain(before.texts[0]!);
    await page.click('.taro__modal .taro-model__confirm');
    await card().locator('.fu-state', { hasText: '已打开' }).waitFor({ timeout: 30_000 });
    const on = await dormant();
    expect(on).toMatchObject({ enabled: true, approved: true, texts: before.texts });

    // still on after a reload
    await go('/sub/followups/index', '.page-followups .fu-dormant .fu-preview-count');
    expect((await card().locator('.fu-state').textContent())?.trim()).toBe('已打开，每天上午 10 点发');
    expect(await switchInput().isChecked()).toBe(true);
    expect(await card().locator('.fu-approved').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'followups.png') });
    expect(errors).toEqual([]);
  });
});
