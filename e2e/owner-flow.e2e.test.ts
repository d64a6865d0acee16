import fs from 'node:fs';
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { phone, ROOT, startHost, type HostProcess } from './helpers';

/**
 * The owner's day in the H5 app against a freshly started host (issue: owner app §4):
 * login link → 今日 with the demo shop's numbers and a drawn trend chart → the conversation
 * waiting for a person → reply as staff → the reply is in the WeCom sandbox's sent list →
 * teach it as a FAQ → 问问 AI answers that question (and so does `simulate`, another process) →
 * a reply WeCom refuses (the sandbox's fault route) is found under 没发出去 and resent once (重发).
 * Screenshots of every page at 390×844 go to .test-results/screenshots/.
 */

// page.evaluate bodies run in the browser; the backend tsconfig has no DOM lib
declare const document: any;
declare const window: any;

const SHOTS = path.join(ROOT, '.test-results', 'screenshots');
const M = 'demo-naicha';
const CUSTOMER = 'e2e-dog-owner';
// a question the demo knowledge base lacks, asked twice: the AI asks what they mean, then hands the
// second miss to a person — a gap that can be taught (a request for a person is handled, never taught)
const QUESTION = '能带狗狗进店吗？';
const FOLLOW_UP = '能带狗狗进店吗？我家是只小泰迪';
const TAUGHT_Q = '能带狗狗进店吗';
const REPLY = '可以的～小狗牵好绳就能进店，店里有狗狗喝的水碗';

let host: HostProcess & { dataDir: string };
let ctx: BrowserContext;
let page: Page;
let link: string;
let convIndex = -1;
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

/** The visible native input inside a Taro <Input>/<Textarea> with this class. */
const field = (cls: string) => page.locator(`${cls} input:visible, ${cls} textarea:visible, input${cls}:visible, textarea${cls}:visible`).first();

/** A canvas has been drawn on: some pixel is not fully transparent and not all pixels are the same. */
async function canvasDrawn(selector: string): Promise<boolean> {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel);
    if (!c || !c.width || !c.height) return false;
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    const first = `${data[0]},${data[1]},${data[2]},${data[3]}`;
    let varied = false;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0) painted++;
      if (!varied && `${data[i]},${data[i + 1]},${data[i + 2]},${data[i + 3]}` !== first) varied = true;
    }
    return painted > 50 && varied;
  }, selector);
}

beforeAll(async () => {
  host = await startHost({});
  link = (await host.waitFor(/Owner app: (\S+)/))[1];
  ctx = await phone();
  page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
});
afterAll(async () => {
  await ctx?.close();
  await host?.stop();
});

describe("the owner's flow in a real browser", () => {
  it('今日 shows the demo shop numbers and a drawn trend chart', async () => {
    await page.goto(link);
    await page.waitForSelector('.counter-consultations .counter-value', { timeout: 30_000 });
    const dash = await page.evaluate(
      async (merchantId) => (await (await fetch('/fn/api', { method: 'POST', body: JSON.stringify({ action: 'dashboard.today', merchantId }) })).json()) as any,
      M,
    );
    expect((await page.textContent('.counter-consultations .counter-value'))?.trim()).toBe(String(dash.data.today.consultations));
    await page.waitForSelector('.trend-card canvas', { timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector('.trend-card canvas')?.width > 0);
    // the chart draws after layout: give it a few frames
    await page.waitForTimeout(300);
    expect(await canvasDrawn('.trend-card canvas')).toBe(true);
    await shot('today');
  });

  it('a customer asks what the AI cannot answer, twice: the conversation waits in 会话 (待人工)', async () => {
    // the handoff notice goes out at once only while the shop is open: make the demo shop open
    // around the clock, or this test would depend on the hour it runs at (closed at night)
    const opened = await page.evaluate(
      async (merchantId) =>
        (await (await fetch('/fn/api', { method: 'POST', body: JSON.stringify({ action: 'settings.update', merchantId, businessHours: null }) })).json()) as { ok: boolean },
      M,
    );
    expect(opened.ok).toBe(true);
    const ask = async (text: string) => JSON.parse(await cli(['simulate', '--merchant', M, '--text', text, '--customer', CUSTOMER, '--json']));
    const first = await ask(QUESTION);
    const r = first.handoff ? first : await ask(FOLLOW_UP);
    expect(r.handoff).toBe(true);
    await go('/pages/conversations/index', '.page-conversations');
    await page.click('.filter-waiting');
    await page.waitForSelector('.conv-item.conv-state-waiting_human', { timeout: 15_000 });
    // where our customer's conversation sits in the 待人工 list, as the api orders it
    const list = await page.evaluate(
      async (merchantId) =>
        (await (await fetch('/fn/api', { method: 'POST', body: JSON.stringify({ action: 'conversations.list', merchantId, filter: 'waiting' }) })).json()) as any,
      M,
    );
    convIndex = list.data.items.findIndex((c: { externalUserId: string }) => c.externalUserId === CUSTOMER);
    expect(convIndex).toBeGreaterThanOrEqual(0);
    expect(await page.locator('.conv-item').count()).toBeGreaterThan(convIndex);
    expect(await page.locator('.conv-item').nth(convIndex).textContent()).toMatch(/等/);
    await shot('conversations');
  });

  it('replies as staff; the reply is in the sandbox sent list', async () => {
    await page.locator('.conv-item').nth(convIndex).click();
    await page.waitForSelector('.page-thread .reply-input', { timeout: 15_000 });
    await page.waitForTimeout(600); // the page slides in
    expect(await page.textContent('.page-thread')).toContain(QUESTION);
    await field('.reply-input').fill(REPLY);
    await page.click('.reply-send');
    await page.waitForSelector(`.msg-staff:has-text("${REPLY.slice(0, 6)}")`, { timeout: 15_000 });
    const sent = JSON.parse(await cli(['sandbox', 'sent', '--merchant', M, '--json'])) as { api: string; to: string; text: string; errcode: number }[];
    expect(sent.some((s) => s.api === 'kf/send_msg' && s.to === CUSTOMER && s.text === REPLY && s.errcode === 0)).toBe(true);
    // the handoff notice went to the owner's WeCom account through the app
    expect(sent.some((s) => s.api === 'message/send' && s.text.includes(QUESTION.slice(0, 8)))).toBe(true);
    await page.waitForSelector('.teach-btn', { timeout: 15_000 });
    await shot('thread');
  });

  it('teaches the reply as a FAQ; 问问 AI then answers that question', async () => {
    await page.click('.teach-btn');
    await page.waitForSelector('.page-teach .teach-save', { timeout: 15_000 });
    await page.waitForTimeout(600); // the page slides in
    await page.click('.teach-mode-new').catch(() => undefined);
    const q = field('.teach-question');
    await q.fill(TAUGHT_Q);
    const answer = await field('.teach-answer').inputValue();
    expect(answer).toContain(REPLY);
    await shot('teach');
    await page.click('.teach-save');
    await page.waitForFunction((q) => !document.querySelector('.page-teach')?.textContent?.includes(q) || !document.querySelector('.teach-save'), TAUGHT_Q, { timeout: 15_000 });

    await go('/sub/kb/index', '.page-kb .ask-input');
    await page.waitForSelector(`.faq-item:has-text("${TAUGHT_Q}")`, { timeout: 15_000 });
    await field('.ask-input').fill('可以带狗狗进店吗');
    await page.click('.ask-submit');
    await page.waitForSelector('.ask-result .ask-reply', { timeout: 15_000 });
    expect(await page.textContent('.ask-result .ask-reply')).toContain(REPLY);
    expect(await page.textContent('.ask-result .ask-knowledge')).toContain(TAUGHT_Q);
    await shot('kb');

    // another process (the CLI) answers it from the knowledge base too
    const r = JSON.parse(await cli(['simulate', '--merchant', M, '--text', '狗狗可以进店吗', '--customer', 'e2e-second', '--json']));
    expect(r).toMatchObject({ handoff: false });
    expect(r.reply).toContain(REPLY);
  });

  it('a reply WeCom refuses shows 没发出去, is found under 没发出去 in 会话, and 重发 sends it once', async () => {
    const LATE = '稍等，我问一下店长马上回您';
    const list = await page.evaluate(
      async (merchantId) =>
        (await (await fetch('/fn/api', { method: 'POST', body: JSON.stringify({ action: 'conversations.list', merchantId, filter: 'all', limit: 100 }) })).json()) as any,
      M,
    );
    const convId = list.data.items.find((c: { externalUserId: string }) => c.externalUserId === CUSTOMER).id as string;
    await go(`/sub/thread/index?id=${encodeURIComponent(convId)}`, '.page-thread .reply-input');
    // WeCom busy on the next 3 sends: the client's own 2 retries give up too, the reply fails
    const fault = await fetch(`${host.url}/sandbox/_control/fault`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api: 'kf/send_msg', errcode: -1, times: 3, merchantId: M }),
    });
    expect(fault.status).toBe(200);
    await field('.reply-input').fill(LATE);
    await page.click('.reply-send');
    await page.waitForSelector('.page-thread .action-error', { timeout: 15_000 });

    // 会话 · 没发出去 finds it, saying how many
    await go('/pages/conversations/index', '.page-conversations');
    await page.click('.filter-undelivered');
    const row = page.locator('.conv-item', { hasText: '条没发出去' }).first();
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain('1 条没发出去');
    await shot('conversations-undelivered');
    await row.click();
    const failed = page.locator(`.msg-staff:has-text("${LATE}")`);
    await failed.locator('.msg-failed').waitFor({ timeout: 15_000 });
    await page.waitForTimeout(600); // the page slides in
    await shot('thread-undelivered');

    await failed.locator('.msg-retry').click();
    await failed.locator('.msg-failed').waitFor({ state: 'detached', timeout: 15_000 });
    expect(await failed.locator('.msg-retry').count()).toBe(0);
    const sent = JSON.parse(await cli(['sandbox', 'sent', '--merchant', M, '--json'])) as { api: string; to: string; text: string; errcode: number }[];
    const attempts = sent.filter((s) => s.api === 'kf/send_msg' && s.to === CUSTOMER && s.text === LATE);
    expect(attempts.map((s) => s.errcode)).toEqual([-1, -1, -1, 0]);
    // and the 没发出去 list is empty again
    await go('/pages/conversations/index', '.page-conversations');
    await page.click('.filter-undelivered');
    await page.waitForSelector('.page-conversations .conv-empty', { timeout: 15_000 });
    expect(await page.textContent('.page-conversations')).toContain('消息都发出去了');
  });

  it('every other page renders at 390×844 in Chinese, with a screenshot', async () => {
    const pages: [string, string, string][] = [
      ['/pages/customers/index', '.page-customers .customer-item', 'customers'],
      ['/pages/marketing/index', '.page-marketing', 'marketing'],
      ['/pages/me/index', '.page-me .menu-settings', 'me'],
      ['/sub/trends/index', '.page-trends .echart', 'trends'],
      ['/sub/kb-edit/index', '.page-kb-edit .faq-save', 'kb-edit'],
      ['/sub/settings/index', '.page-settings .settings-save', 'settings'],
      ['/sub/staff/index', '.page-staff .member-item', 'staff'],
      ['/sub/setup/index', '.page-setup .setup-item', 'setup'],
    ];
    for (const [route, ready, name] of pages) {
      await go(route, ready);
      // charts animate in for about a second
      await page.waitForTimeout(name === 'trends' ? 1500 : 300);
      expect(await page.textContent('body')).toMatch(/[\u4e00-\u9fff]{2}/);
      await shot(name);
    }
    // a customer's profile from the list
    await go('/pages/customers/index', '.customer-item');
    await page.click('.customer-item');
    await page.waitForSelector('.page-customer', { timeout: 15_000 });
    await page.waitForTimeout(600); // the page slides in
    await shot('customer');
    // the ECharts trend page drew its chart
    await go('/sub/trends/index', '.page-trends .echart canvas');
    await page.waitForTimeout(500);
    expect(await canvasDrawn('.page-trends .echart canvas')).toBe(true);
    expect(errors).toEqual([]);
  });

  it('报表 from 今日: 周报 lists the week, its page draws the trend with ECharts, 导出 Excel downloads a workbook', async () => {
    // next Monday 09:00 in the shop's zone: the scheduler stores (and pushes) this week's report
    const shanghai = new Date(Date.now() + 8 * 3600_000);
    const nextMonday = new Date(Date.UTC(shanghai.getUTCFullYear(), shanghai.getUTCMonth(), shanghai.getUTCDate() + ((8 - shanghai.getUTCDay()) % 7 || 7)));
    const ran = JSON.parse(await cli(['jobs', 'run-due', '--at', `${nextMonday.toISOString().slice(0, 10)}T09:00:00+08:00`, '--json']));
    expect(ran.ran.map((r: { key: string }) => r.key)).toContainEqual(expect.stringMatching(new RegExp(`^report:weekly:${M}:`)));

    await go('/pages/today/index', '.reports-link');
    await page.click('.reports-link');
    await page.waitForSelector('.page-reports .reports-tab-weekly', { timeout: 15_000 });
    await page.click('.reports-tab-weekly');
    await page.waitForSelector('.report-row-weekly', { timeout: 15_000 });
    expect(await page.textContent('.report-row-weekly .report-period')).toMatch(/^\d+月\d+日–\d+月\d+日$/);
    expect(await page.textContent('.report-row-weekly .report-push-state')).toBe('已发送');
    await shot('reports');
    await page.click('.report-row-weekly');
    await page.waitForSelector('.page-report-weekly .report-chart .echart canvas', { timeout: 15_000 });
    await page.waitForTimeout(1500); // the chart animates in
    expect(await canvasDrawn('.page-report-weekly .report-chart .echart canvas')).toBe(true);
    await shot('report-weekly');

    const download = page.waitForEvent('download', { timeout: 15_000 });
    await page.click('.page-report-weekly .report-export');
    expect((await download).suggestedFilename()).toMatch(/-周报-\d{4}-\d{2}-\d{2}至\d{4}-\d{2}-\d{2}\.xlsx$/);
    expect(errors).toEqual([]);
  });

  it('fits phones 360–430 px wide with no sideways scrolling, and every tap target is at least 44 px', async () => {
    const routes = [
      '/pages/today/index',
      '/pages/conversations/index',
      '/pages/customers/index',
      '/pages/marketing/index',
      '/pages/me/index',
      '/sub/kb/index',
      '/sub/kb-edit/index',
      '/sub/teach/index',
      '/sub/trends/index',
      '/sub/settings/index',
      '/sub/staff/index',
      '/sub/setup/index',
      '/sub/reports/index',
    ];
    const problems: string[] = [];
    for (const width of [360, 430]) {
      await page.setViewportSize({ width, height: 844 });
      for (const r of routes) {
        await page.goto(`${host.url}/#${r}`);
        await page.reload();
        await page.waitForSelector('[class*="page-"]', { timeout: 15_000 });
        await page.waitForTimeout(400);
        const res = await page.evaluate(() => {
          const small: string[] = [];
          const targets =
            'taro-button-core, taro-switch-core, taro-picker-core, [class*="menu-"], .conv-item, .customer-item, .faq-item, .tag-chip, [class*="filter-"], .teach-item, .trend-7, .trend-30, .teach-link, .kb-link, .reports-link, .reports-tab, .report-row, .trend-more, .switch-shop';
          for (const el of document.querySelectorAll(targets)) {
            const b = el.getBoundingClientRect();
            if (b.width === 0 && b.height === 0) continue; // not on this page (hidden)
            if (b.height < 44 || b.width < 44) small.push(`${String(el.className).split(' ')[0]} ${Math.round(b.width)}×${Math.round(b.height)}`);
          }
          return { overflow: document.documentElement.scrollWidth - window.innerWidth, small };
        });
        if (res.overflow > 0) problems.push(`${width}px ${r}: ${res.overflow}px sideways`);
        for (const s of res.small) problems.push(`${width}px ${r}: ${s}`);
      }
    }
    await page.setViewportSize({ width: 390, height: 844 });
    expect(problems).toEqual([]);
  });

  it('商品和库存: the demo shop shows a 快没了 product; the owner changes its stock and it stays saved', async () => {
    await go('/pages/me/index', '.page-me .menu-products');
    await page.click('.menu-products');
    await page.waitForSelector('.page-products .product', { timeout: 30_000 });
    // the demo shop has two low products: 多肉葡萄 (yellow) and 芝芝莓莓 (red)
    const low = page.locator('.product', { has: page.locator('.level-yellow') }).first();
    expect((await low.locator('.product-level').textContent())?.trim()).toBe('快没了');
    const sku = await low.getAttribute('data-sku');
    await low.locator('.product-edit').click();
    await field('.product-editing .editor-stock').fill('50');
    await page.click('.product-editing .editor-save');
    const row = page.locator(`.product[data-sku="${sku}"]`);
    await row.locator('.product-stock', { hasText: '还剩 50 件' }).waitFor({ timeout: 15_000 });
    expect((await row.locator('.product-level').textContent())?.trim()).toBe('够');
    await shot('products');
    // saved on the server: a fresh load shows it, and so does the api
    await go('/sub/products/index', `.product[data-sku="${sku}"] .product-stock`);
    expect((await page.locator(`.product[data-sku="${sku}"] .product-stock`).textContent())?.trim()).toBe('还剩 50 件');
    const listed = await page.evaluate(
      async (merchantId) => (await (await fetch('/fn/api', { method: 'POST', body: JSON.stringify({ action: 'stock.list', merchantId, limit: 100 }) })).json()) as any,
      M,
    );
    expect(listed.data.items.find((p: { sku: string }) => p.sku === sku)).toMatchObject({ stock: 50, level: 'ok' });
    expect(errors).toEqual([]);
  });

  it('staff see only what their role allows', async () => {
    const staffLink = JSON.parse(await cli(['login-link', '--merchant', M, '--role', 'staff', '--json'])).url as string;
    const staff = await ctx
      .browser()!
      .newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
      .catch(() => null);
    // a persistent context has no browser handle: reuse this page, the staff cookie replaces the owner's
    const p = staff ? await staff.newPage() : page;
    await p.goto(staffLink);
    await p.waitForSelector('.counter-consultations .counter-value', { timeout: 30_000 });
    expect(await p.locator('.counter-revenueFen').count()).toBe(0);
    await p.goto(`${host.url}/#/pages/me/index`);
    await p.reload();
    await p.waitForSelector('.page-me .menu-kb', { timeout: 15_000 });
    expect(await p.locator('.menu-settings').count()).toBe(0);
    expect(await p.locator('.menu-staff').count()).toBe(0);
    expect(await p.locator('.menu-setup').count()).toBe(0);
    const api = await p.evaluate(
      async (merchantId) => (await (await fetch('/fn/api', { method: 'POST', body: JSON.stringify({ action: 'settings.get', merchantId }) })).json()) as any,
      M,
    );
    expect(api).toMatchObject({ ok: false, code: 'AUTH.ROLE_REQUIRED' });
    expect(errors).toEqual([]);
  });
});
