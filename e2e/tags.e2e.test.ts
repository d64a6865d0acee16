import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { phone, ROOT, serveH5Build, startHost, type HostProcess } from './helpers';

/**
 * 标签和规则 in the built H5 app against a freshly started demo shop (issue 15 §3, §6): the owner
 * previews the 按消费分等级 template (the VIP count shown before anything is saved, equal to a
 * count made here from the customer list), turns it on with one tap, runs it with 立即执行, and
 * the VIP tag then shows exactly that many customers; the rule builder previews a condition
 * written in plain Chinese. Screenshots go to .test-results/screenshots/ (tags.png,
 * tag-rule.png). XIAOER_H5_DIR serves an H5 build written elsewhere (XIAOER_APP_OUT).
 */

// page.evaluate bodies run in the browser; the backend tsconfig has no DOM lib
declare const document: any;

const SHOTS = path.join(ROOT, '.test-results', 'screenshots');
const M = 'demo-naicha';
const TEMPLATE = 'milktea:spend';
/** The 奶茶 template's VIP band: ¥1000 up to, not including, ¥3000 (超级VIP). */
const VIP = { from: 100_000, below: 300_000 };

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

/** Opens a page as a fresh app start. */
async function go(route: string, ready: string) {
  await page.goto(`${host.url}/#${route}`);
  await page.reload();
  await page.waitForSelector(ready, { timeout: 30_000 });
}

async function shot(name: string) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** Customers on the VIP band, counted from the customer list itself. */
async function vipCountFromList(): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  do {
    const p = await api<{ items: { totalSpentFen: number | null }[]; nextCursor: string | null }>({ action: 'customers.list', limit: 100, ...(cursor ? { cursor } : {}) });
    n += p.items.filter((c) => c.totalSpentFen !== null && c.totalSpentFen >= VIP.from && c.totalSpentFen < VIP.below).length;
    cursor = p.nextCursor ?? undefined;
  } while (cursor);
  return n;
}

beforeAll(async () => {
  host = await startHost({});
  const link = (await host.waitFor(/Owner app: (\S+)/))[1]!;
  ctx = await phone();
  if (process.env.XIAOER_H5_DIR) await serveH5Build(ctx, host.url, path.resolve(process.env.XIAOER_H5_DIR));
  page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${String(e)}`));
  expect((await page.request.get(link, { maxRedirects: 0 })).status()).toBe(302);
  await go('/pages/today/index', '.shop-name');
  // the demo ships with this template on: switch its rules off so the owner can turn it on here
  const { rules } = await api<{ rules: { id: string; templateId: string | null }[] }>({ action: 'tags.rules.list' });
  for (const r of rules.filter((x) => x.templateId === TEMPLATE)) await api({ action: 'tags.rules.setEnabled', id: r.id, enabled: false });
});
afterAll(async () => {
  await ctx?.close();
  await host?.stop();
});

describe('标签和规则 on the demo shop', () => {
  it('previews the VIP template, turns it on with one tap, and 立即执行 tags that many customers', async () => {
    const expected = await vipCountFromList();
    expect(expected).toBeGreaterThan(0);

    // reached from 客户
    await go('/pages/customers/index', '.page-customers .tags-link');
    await page.click('.tags-link');
    await page.waitForSelector('.page-tags .templates-card', { timeout: 30_000 });

    const tpl = page.locator('.tpl', { hasText: '按消费分等级' });
    await expect(tpl.locator('.tpl-state').textContent()).resolves.toBe('没开启');
    expect(await tpl.locator('.tpl-enable').count()).toBe(0);
    await tpl.locator('.tpl-preview').click();
    const vipRow = tpl.locator('.tpl-rule', { has: page.locator('.tpl-rule-name', { hasText: /^VIP$/ }) });
    await vipRow.waitFor({ timeout: 30_000 });
    expect((await vipRow.locator('.tpl-rule-count').textContent())?.trim()).toBe(`${expected} 位客户`);
    await shot('tags-template-preview');

    await tpl.locator('.tpl-enable').click();
    await tpl.locator('.tpl-state', { hasText: '已开启' }).waitFor({ timeout: 30_000 });
    // the count stays in sight after turning it on
    expect((await vipRow.locator('.tpl-rule-count').textContent())?.trim()).toBe(`${expected} 位客户`);

    await page.click('.apply-now');
    await page.locator('.apply-hint', { hasText: '查了' }).waitFor({ timeout: 30_000 });
    const chip = page.locator('.tag-count', { hasText: /^VIP · / });
    await chip.waitFor({ timeout: 30_000 });
    expect((await chip.textContent())?.trim()).toBe(`VIP · ${expected} 人`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot('tags');

    // the tag opens 客户 with the VIP customers
    await chip.click();
    await page.waitForSelector('.page-customers .tag-chip-on', { timeout: 30_000 });
    await page.waitForFunction((n) => document.querySelectorAll('.page-customers .customer-item').length === Math.min(n, 20), expected, { timeout: 30_000 });
    expect(errors).toEqual([]);
  });

  it('a template rule opens in the builder from the list, its conditions in words', async () => {
    await go('/sub/tags/index', '.page-tags .rule-main');
    await page.locator('.rule-main', { hasText: 'VIP：累计消费满¥1000' }).click();
    await page.waitForFunction(() => (document.querySelector('.page-tag-rule .rule-name input') as { value?: string } | null)?.value === 'VIP：累计消费满¥1000', undefined, {
      timeout: 30_000,
    });
    expect(await page.locator('.page-tag-rule .cond-text').allTextContents()).toEqual(['累计消费 ≥ ¥1000', '累计消费 ≤ ¥2999.99']);
    expect(errors).toEqual([]);
  });

  it('the rule builder says the condition in plain Chinese and previews it before saving', async () => {
    await go('/sub/tag-rule/index', '.page-tag-rule .rule-preview');
    await page.fill('.rule-name input', '大客户');
    await page.fill('.rule-tags input', '大客户');
    await page.fill('.cond-spend .cond-amount input', '1000');
    await page.locator('.cond-spend .cond-text', { hasText: '累计消费 ≥ ¥1000' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('.rule-save').count()).toBe(0);
    await page.click('.rule-preview');
    await page.locator('.preview-count', { hasText: /现在有 \d+ 位客户符合/ }).waitFor({ timeout: 30_000 });
    expect(await page.locator('.preview-item').count()).toBeGreaterThan(0);
    expect(await page.locator('.rule-save').count()).toBe(1);
    await shot('tag-rule');
    expect(errors).toEqual([]);
  });
});
