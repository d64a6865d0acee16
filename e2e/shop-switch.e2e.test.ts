import fs from 'node:fs';
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { phone, ROOT, serveH5Build, startHost, type HostProcess } from './helpers';

/**
 * One person in two shops, in the built H5 app against a freshly started host (issue 14 §7): the
 * demo shop's owner joins a second shop with its owner invite (`me.join`), opens 今日, 会话 and
 * 客户 on the demo shop, switches shop with 今日's 切换店铺 — and every tab, the ones already
 * open behind 今日 included, shows the other shop's name, conversations, customers and 待人工
 * badge without a reload; then back. An alert push for the other shop opens its 提醒 and leaves
 * the app on that shop. Any uncaught script error fails. Screenshots go to
 * .test-results/screenshots/; XIAOER_H5_DIR serves an H5 build written elsewhere (XIAOER_APP_OUT).
 */

// page.evaluate bodies run in the browser; the backend tsconfig has no DOM lib
declare const document: any;
declare const window: any;

const SHOTS = path.join(ROOT, '.test-results', 'screenshots');
const A = 'demo-naicha';
const B = { id: 'e2e-flower-shop', name: '街角花店' };
/** Shop B's customers: names no demo customer has, each asking for a person so both wait in 待人工. */
const B_CUSTOMERS = [
  { ext: 'e2e-flower-li', nickname: '买花的李先生', text: '我要找老板' },
  { ext: 'e2e-flower-zhao', nickname: '订花束的赵女士', text: '我要找人工客服' },
];
const B_NAMES = B_CUSTOMERS.map((c) => c.nickname).sort();

/** The tab bar, in app.config.ts order. */
const TAB = { today: 1, conversations: 2, customers: 3 } as const;
const BADGE = `.weui-tabbar__item:nth-child(${TAB.conversations}) .taro-tabbar-badge`;

let host: HostProcess & { dataDir: string };
let ctx: BrowserContext;
let page: Page;
let aName = '';
/** What 会话 and 客户 listed for shop A before the switch, to find again after switching back. */
let aConversations: string[] = [];
let aCustomers: string[] = [];
const errors: string[] = [];

function cli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'cloudfunctions/server/cli/main.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, DATA_DIR: host.dataDir, PORT: new URL(host.url).port, LOG_LEVEL: 'warn' } },
      (err, stdout, stderr) => (err ? reject(new Error(`${args.join(' ')} failed: ${stderr || stdout}`)) : resolve(stdout.trim())),
    ),
  );
}

/** The api with the page's session cookie (the context's request client shares it). */
async function api<T = any>(body: Record<string, unknown>): Promise<T> {
  const res = (await (await page.request.post(`${host.url}/fn/api`, { data: body })).json()) as { ok: boolean; data: T };
  if (!res.ok) throw new Error(`${String(body.action)} failed: ${JSON.stringify(res)}`);
  return res.data;
}

async function shot(name: string) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** Opens a page as a fresh app start (a hash change alone would stack pages, hidden ones included). */
async function go(route: string, ready: string) {
  await page.goto(`${host.url}/#${route}`);
  await page.reload();
  await page.waitForSelector(ready, { timeout: 30_000 });
}

/** The texts of `sel` inside a page's root, shown or hidden behind another tab. */
const texts = (root: string, sel: string): Promise<string[]> =>
  page.evaluate(([r, s]) => Array.from(document.querySelectorAll(`${r} ${s}`)).map((e: any) => (e.textContent ?? '').trim()), [root, sel] as const);

/** Waits until a page's list shows exactly these names (in any order), without anyone touching it. */
async function listShows(root: string, sel: string, names: string[]) {
  const want = [...names].sort();
  await page
    .waitForFunction(
      ([r, s, w]) =>
        JSON.stringify(
          Array.from(document.querySelectorAll(`${r} ${s}`))
            .map((e: any) => (e.textContent ?? '').trim())
            .sort(),
        ) === w,
      [root, sel, JSON.stringify(want)] as const,
      { timeout: 15_000 },
    )
    .catch(async () => {
      throw new Error(`${root} shows ${JSON.stringify(await texts(root, sel))}, not ${JSON.stringify(want)}`);
    });
}

async function tab(which: keyof typeof TAB, ready: string) {
  await page.click(`.weui-tabbar__item:nth-child(${TAB[which]})`);
  await page.waitForSelector(ready, { state: 'visible', timeout: 15_000 });
}

async function switchTo(name: string) {
  await page.click('.page-today .shop-switch');
  await page.locator('.taro-actionsheet__cell', { hasText: name }).click();
}

/** The 会话 tab's 待人工 badge ('' when there is none). */
const badge = async () => ((await page.locator(BADGE).count()) ? ((await page.locator(BADGE).textContent()) ?? '').trim() : '');

beforeAll(async () => {
  host = await startHost({});
  const link = (await host.waitFor(/Owner app: (\S+)/))[1]!;
  ctx = await phone();
  if (process.env.XIAOER_H5_DIR) await serveH5Build(ctx, host.url, path.resolve(process.env.XIAOER_H5_DIR));
  page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${String(e)}`));
  expect((await page.request.get(link, { maxRedirects: 0 })).status()).toBe(302);
  // the first start remembers the demo shop, the only one yet, as the shop this phone works on
  await go('/pages/today/index', '.shop-name');
  aName = (await api<{ merchants: { id: string; name: string }[] }>({ action: 'me.get' })).merchants.find((m) => m.id === A)!.name;
  expect(aName).not.toBe(B.name);

  // a second shop (the way an operator adds one), joined by the same person with its owner invite
  const created = JSON.parse(
    await cli([
      'merchant',
      'create',
      '--id',
      B.id,
      '--name',
      B.name,
      '--corp-id',
      'ww00e2e0f10e500b',
      '--token',
      'FlowerShopToken',
      '--aes-key',
      'b'.repeat(43),
      '--kf-secret',
      'flower-shop-kf-secret',
      '--json',
    ]),
  ) as { ownerInvite: { code: string } };
  expect((await api<{ merchant: { id: string } }>({ action: 'me.join', code: created.ownerInvite.code })).merchant.id).toBe(B.id);
  const shops = (await api<{ merchants: { id: string; role: string }[] }>({ action: 'me.get' })).merchants;
  expect(shops.map((m) => [m.id, m.role]).sort()).toEqual([
    [A, 'owner'],
    [B.id, 'owner'],
  ]);

  // shop B's customers write through the WeCom sandbox, as WeCom would deliver them
  for (const c of B_CUSTOMERS) {
    const res = await fetch(`${host.url}/sandbox/_control/customer-message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ merchantId: B.id, externalUserId: c.ext, nickname: c.nickname, text: c.text }),
    });
    expect(res.status).toBe(200);
  }
  let waiting: string[] = [];
  for (let i = 0; i < 100 && waiting.length < B_CUSTOMERS.length; i++) {
    const list = await api<{ items: { customerName: string | null }[] }>({ action: 'conversations.list', merchantId: B.id, filter: 'waiting', limit: 20 });
    waiting = list.items.map((c) => c.customerName ?? '').sort();
    if (waiting.length < B_CUSTOMERS.length) await page.waitForTimeout(200);
  }
  expect(waiting).toEqual(B_NAMES);
}, 240_000);
afterAll(async () => {
  await ctx?.close();
  await host?.stop();
});

describe('one person in two shops: switching shop updates every tab', () => {
  it('今日, 会话 and 客户 open on the first shop', async () => {
    await go('/pages/today/index', '.shop-switch');
    expect(await page.textContent('.shop-name')).toBe(aName);
    // a mark in this page load: a reload would lose it
    await page.evaluate(() => (window.__sameLoad = true));

    await tab('conversations', '.page-conversations .conv-item');
    const waiting = await api<{ items: { customerName: string | null }[] }>({ action: 'conversations.list', merchantId: A, filter: 'waiting', limit: 20 });
    aConversations = waiting.items.map((c) => c.customerName || '客户');
    await listShows('.page-conversations', '.conv-name', aConversations);

    await tab('customers', '.page-customers .customer-item');
    aCustomers = await texts('.page-customers', '.customer-name');
    expect(aCustomers.length).toBeGreaterThan(0);
    for (const n of B_NAMES) expect(aCustomers).not.toContain(n);
    const badges = await api<{ waitingHuman: number }>({ action: 'badges.get', merchantId: A });
    await page.locator(BADGE, { hasText: new RegExp(`^${badges.waitingHuman}$`) }).waitFor({ timeout: 15_000 });

    await tab('today', '.page-today .shop-name');
    expect(await page.evaluate(() => window.__sameLoad)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('切换店铺 on 今日: 今日, and 会话 and 客户 behind it, show the second shop, without a reload', async () => {
    await switchTo(B.name);
    await page.locator('.page-today .shop-name', { hasText: B.name }).waitFor({ timeout: 15_000 });
    // the tabs already open, still hidden behind 今日, follow on their own
    expect(await page.locator('.page-conversations').isVisible()).toBe(false);
    expect(await page.locator('.page-customers').isVisible()).toBe(false);
    await listShows('.page-conversations', '.conv-name', B_NAMES);
    await listShows('.page-customers', '.customer-name', B_NAMES);
    await page.locator(BADGE, { hasText: new RegExp(`^${B_CUSTOMERS.length}$`) }).waitFor({ timeout: 15_000 });
    await shot('shop-switch-today');

    await tab('conversations', '.page-conversations .conv-item');
    await listShows('.page-conversations', '.conv-name', B_NAMES);
    await shot('shop-switch-conversations');
    await tab('customers', '.page-customers .customer-item');
    await listShows('.page-customers', '.customer-name', B_NAMES);
    await shot('shop-switch-customers');
    expect(await badge()).toBe(String(B_CUSTOMERS.length));
    expect(await page.evaluate(() => window.__sameLoad)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('and back: every tab shows the first shop again', async () => {
    await tab('today', '.page-today .shop-switch');
    await switchTo(aName);
    await page.locator('.page-today .shop-name', { hasText: aName }).waitFor({ timeout: 15_000 });
    await listShows('.page-conversations', '.conv-name', aConversations);
    await listShows('.page-customers', '.customer-name', aCustomers);
    const badges = await api<{ waitingHuman: number }>({ action: 'badges.get', merchantId: A });
    await page.locator(BADGE, { hasText: new RegExp(`^${badges.waitingHuman}$`) }).waitFor({ timeout: 15_000 });
    await tab('conversations', '.page-conversations .conv-item');
    await tab('customers', '.page-customers .customer-item');
    for (const n of B_NAMES) expect(await texts('.page-customers', '.customer-name')).not.toContain(n);
    expect(await page.evaluate(() => window.__sameLoad)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('an alert push for the other shop opens that shop’s 提醒, and the app stays on it', async () => {
    // the link an alert push carries (reports/subscribe-data.ts alertsPage), opened as the push opens it: a fresh start
    // the demo shop has a month of alerts, the new shop none yet: the page tells them apart
    const [aAlerts, bAlerts] = await Promise.all([A, B.id].map((m) => api<{ items: unknown[] }>({ action: 'alerts.list', merchantId: m, limit: 100 })));
    expect(aAlerts.items.length).toBeGreaterThan(0);
    expect(bAlerts.items).toEqual([]);
    await go(`/sub/alerts/index?merchant=${encodeURIComponent(B.id)}`, '.page-alerts .alert-item, .page-alerts .state-title');
    expect(await page.locator('.page-alerts .alert-item').count()).toBe(0);
    expect(await page.textContent('.page-alerts .state-title')).toBe('暂时没有提醒');
    await shot('shop-switch-alerts');
    await go('/pages/today/index', '.page-today .shop-name');
    expect(await page.textContent('.page-today .shop-name')).toBe(B.name);
    expect(errors).toEqual([]);
  });
});
