import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { phone, ROOT, serveH5Build, startHost, type HostProcess } from './helpers';

/**
 * 渠道活码 in the built H5 app against a freshly started demo shop (issue 15 §5, §6): the owner
 * reaches it from 客户, makes a code for the counter (name, the staff member, a tag, its own
 * welcome), sees its QR picture, and the sandbox plays a customer adding the shop through that
 * code (control route `contact-way-add`): the customer gets the code's welcome text, its tag and
 * 渠道活码 · 门店柜台 as source, and the code's count shows 1. Screenshot:
 * .test-results/screenshots/channels.png. XIAOER_H5_DIR serves an H5 build written elsewhere.
 */

// page.evaluate bodies run in the browser; the backend tsconfig has no DOM lib
declare const document: any;

const SHOTS = path.join(ROOT, '.test-results', 'screenshots');
const M = 'demo-naicha';
const EXT = 'wmChannelE2E';
const WELCOME = '欢迎来柜台扫码！第一杯半价～';

let host: HostProcess & { dataDir: string };
let ctx: BrowserContext;
let page: Page;
const errors: string[] = [];

async function api<T = any>(body: Record<string, unknown>): Promise<T> {
  const res = (await (await page.request.post(`${host.url}/fn/api`, { data: { merchantId: M, ...body } })).json()) as { ok: boolean; data: T };
  if (!res.ok) throw new Error(`${String(body.action)} failed: ${JSON.stringify(res)}`);
  return res.data;
}

async function control<T = any>(route: string, body?: unknown): Promise<T> {
  const res = await fetch(
    `${host.url}/sandbox/_control/${route}`,
    body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  const json = (await res.json()) as { ok: boolean; data: T };
  if (!json.ok) throw new Error(`control ${route}: ${JSON.stringify(json)}`);
  return json.data;
}

async function go(route: string, ready: string) {
  await page.goto(`${host.url}/#${route}`);
  await page.reload();
  await page.waitForSelector(ready, { timeout: 30_000 });
}

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never happened: ${what}`);
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
});
afterAll(async () => {
  await ctx?.close();
  await host?.stop();
});

describe('渠道活码 on the demo shop', () => {
  it('makes a code, shows its picture, and a customer added through it gets its welcome, tag and source', async () => {
    await go('/pages/customers/index', '.page-customers .channels-link');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'customers-channels-link.png'), clip: { x: 0, y: 0, width: 390, height: 200 } });
    await page.click('.channels-link');
    await page.waitForSelector('.page-channels .channel-new', { timeout: 30_000 });

    await page.click('.channel-new');
    await page.fill('.channel-name-input input', '门店柜台');
    await page.locator('.member-chip').first().click();
    await page.fill('.channel-tags-input input', '柜台扫码');
    await page.fill('.channel-welcome-input textarea', WELCOME);
    await page.click('.channel-submit');
    const item = page.locator('.channel-item', { has: page.locator('.channel-name', { hasText: '门店柜台' }) });
    await item.waitFor({ timeout: 30_000 });
    // the picture is there and drawn
    await page.waitForFunction(
      () => {
        const img = document.querySelector('.channel-item .channel-qr img') ?? document.querySelector('.channel-item img');
        return Boolean(img && img.complete && img.naturalWidth > 0);
      },
      undefined,
      { timeout: 30_000 },
    );
    expect((await item.locator('.stat-added').textContent())?.trim()).toBe('扫码加好友 0 人');
    expect((await item.locator('.channel-tags').textContent())?.trim()).toBe('自动打标签：柜台扫码');

    // a customer scans it: the sandbox adds them through the code and calls the product back
    const { channels } = await api<{ channels: { id: string; qrCode: string }[] }>({ action: 'channels.list' });
    expect(channels).toHaveLength(1);
    const configId = channels[0]!.qrCode.match(/\/([0-9a-z]+)\.png$/)![1]!;
    await control('contact-way-add', { merchantId: M, configId, externalUserId: EXT, name: '扫码的小林' });
    await until(
      'the customer is stored with the tag',
      () => api<{ customer: { tags: string[] } }>({ action: 'customers.get', externalUserId: EXT }).catch(() => null),
      (r) => Boolean(r?.customer.tags.includes('柜台扫码')),
    );
    // the tag is stored before it is marked at WeCom: wait for the mark too
    const sent = await until(
      'the tag is marked at WeCom',
      () => control<{ api: string; text: string }[]>(`sent?merchantId=${M}`),
      (rows) => rows.some((s) => s.api === 'externalcontact/mark_tag'),
    );
    expect(sent.filter((s) => s.api === 'externalcontact/send_welcome_msg').map((s) => s.text)).toEqual([expect.stringContaining(WELCOME)]);

    await go('/sub/channels/index', '.page-channels .channel-item');
    await page.locator('.stat-added', { hasText: '扫码加好友 1 人' }).waitFor({ timeout: 30_000 });
    expect((await page.locator('.stat-friends').textContent())?.trim()).toBe('还是好友 1 人');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(SHOTS, 'channels.png') });

    // 客户资料: the tag, and where they came from in words
    await go(`/sub/customer/index?id=${EXT}`, '.page-customer');
    await page.locator('.page-customer', { hasText: '渠道活码 · 门店柜台' }).waitFor({ timeout: 30_000 });
    await page.locator('.page-customer', { hasText: '柜台扫码' }).waitFor({ timeout: 30_000 });
    expect(errors).toEqual([]);
  });
});
