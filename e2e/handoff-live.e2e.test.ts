import fs from 'node:fs';
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { phone, ROOT, serveH5Build, startHost, type HostProcess } from './helpers';

/**
 * The 待人工 flow live, in the built H5 app against a freshly started host (issue 14 §1–§2): the
 * page stays open while customers write through the WeCom sandbox's customer-message control
 * route, the way WeCom delivers them (encrypted callback, sync_msg):
 * - a new waiting customer shows up in 会话 · 待人工 and on the tab's badge without a reload;
 * - a reply from the thread stops the wait (已回复), and 交还给 AI takes the conversation out of 待人工;
 * - 转企业微信人工 picks from the members who have a WeCom account, and transfers;
 * - a long thread opens at its newest message, above the reply box;
 * - the CLI finds the host's random PORT through DATA_DIR alone.
 * Screenshots go to .test-results/screenshots/. XIAOER_H5_DIR serves an H5 build written
 * elsewhere (XIAOER_APP_OUT), as in app-walk.
 */

// page.evaluate bodies run in the browser; the backend tsconfig has no DOM lib
declare const document: any;
declare const window: any;

const SHOTS = path.join(ROOT, '.test-results', 'screenshots');
const M = 'demo-naicha';
const WAITING = { ext: 'e2e-live-wait', nickname: '林小姐', text: '我要找老板' };
const TRANSFER = { ext: 'e2e-live-transfer', nickname: '周先生', text: '我要找人工客服' };
const REPLY = '您好，我是店长，请问有什么可以帮您？';
/** The app polls every 4 s; a callback is answered within a second or two. */
const LIVE_MS = 15_000;

let host: HostProcess & { dataDir: string };
let ctx: BrowserContext;
let page: Page;
const errors: string[] = [];

/** The admin CLI on the host's DATA_DIR and nothing else: it finds the host's random PORT itself. */
function cli(args: string[]): Promise<string> {
  const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: host.dataDir, LOG_LEVEL: 'warn' };
  delete env.PORT;
  delete env.PUBLIC_URL;
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cloudfunctions/server/cli/main.ts'), ...args], { cwd: ROOT, env }, (err, stdout, stderr) =>
      err ? reject(new Error(`${args.join(' ')} failed: ${stderr || stdout}`)) : resolve(stdout.trim()),
    ),
  );
}

/** The api with the page's session cookie (the context's request client shares it). */
async function api<T = any>(body: Record<string, unknown>): Promise<T> {
  const res = (await (await page.request.post(`${host.url}/fn/api`, { data: { merchantId: M, ...body } })).json()) as { ok: boolean; data: T };
  if (!res.ok) throw new Error(`${String(body.action)} failed: ${JSON.stringify(res)}`);
  return res.data;
}

/** A customer writes to the shop's 微信客服, as WeCom would deliver it. */
async function customerSays(c: { ext: string; nickname?: string; text: string }) {
  const res = await fetch(`${host.url}/sandbox/_control/customer-message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ merchantId: M, externalUserId: c.ext, text: c.text, ...(c.nickname ? { nickname: c.nickname } : {}) }),
  });
  expect(res.status).toBe(200);
}

type Sent = { api: string; to: string; text: string; errcode: number };
async function sentTo(ext: string): Promise<Sent[]> {
  const res = (await (await fetch(`${host.url}/sandbox/_control/sent?merchantId=${M}`)).json()) as { data: Sent[] };
  return res.data.filter((s) => s.api === 'kf/send_msg' && s.to === ext && s.errcode === 0);
}

async function conversationOf(ext: string): Promise<{ id: string; state: string }> {
  const list = await api<{ items: { id: string; externalUserId: string; state: string }[] }>({ action: 'conversations.list', filter: 'all', limit: 100 });
  const c = list.items.find((i) => i.externalUserId === ext);
  if (!c) throw new Error(`no conversation for ${ext}`);
  return c;
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

/** The visible native input inside a Taro <Textarea> with this class. */
const field = (cls: string) => page.locator(`${cls} textarea:visible, textarea${cls}:visible`).first();

/** The 会话 tab's badge (the second tab), as the tab bar shows it ('' when there is none). */
const BADGE = '.weui-tabbar__item:nth-child(2) .taro-tabbar-badge';
const badge = async () => ((await page.locator(BADGE).count()) ? ((await page.locator(BADGE).textContent()) ?? '').trim() : '');

beforeAll(async () => {
  host = await startHost({});
  const link = (await host.waitFor(/Owner app: (\S+)/))[1]!;
  ctx = await phone();
  if (process.env.XIAOER_H5_DIR) await serveH5Build(ctx, host.url, path.resolve(process.env.XIAOER_H5_DIR));
  page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${String(e)}`));
  // the login link sets the session cookie and redirects; the app then opens as a fresh start
  expect((await page.request.get(link, { maxRedirects: 0 })).status()).toBe(302);
  await go('/pages/today/index', '.shop-name');
  // handoff notices and replies do not depend on the hour the test runs at
  await api({ action: 'settings.update', businessHours: null });
});
afterAll(async () => {
  await ctx?.close();
  await host?.stop();
});

describe('待人工, live', () => {
  it('a new waiting customer appears in 会话 and on the 待人工 badge without a reload', async () => {
    await go('/pages/conversations/index', '.page-conversations .filter-waiting.filter-on');
    await page.waitForSelector('.page-conversations .conv-item, .page-conversations .conv-empty', { timeout: 30_000 });
    const waitingBefore = (await api<{ waitingHuman: number }>({ action: 'badges.get' })).waitingHuman;
    if (waitingBefore > 0) await page.locator(BADGE, { hasText: new RegExp(`^${waitingBefore}$`) }).waitFor({ timeout: LIVE_MS });
    else expect(await badge()).toBe('');
    // a mark in this page load: a reload would lose it
    await page.evaluate(() => (window.__sameLoad = true));

    await customerSays(WAITING);
    const row = page.locator('.conv-item', { hasText: WAITING.nickname });
    await row.waitFor({ timeout: LIVE_MS });
    expect(await page.evaluate(() => window.__sameLoad)).toBe(true);
    expect(await row.locator('.conv-question').textContent()).toBe(`客户问：${WAITING.text}`);
    expect(await row.locator('.conv-waited').textContent()).toMatch(/^(刚刚开始等|等了 \d+ 分钟)$/);
    await page.locator(BADGE, { hasText: new RegExp(`^${waitingBefore + 1}$`) }).waitFor({ timeout: LIVE_MS });
    expect(await badge()).toBe(String(waitingBefore + 1));
    expect(errors).toEqual([]);
    await shot('conversations-live');
  });

  it('a reply from the thread stops the wait and shows 已回复; 交还给 AI takes it out of 待人工', async () => {
    await page.locator('.conv-item', { hasText: WAITING.nickname }).click();
    await page.waitForSelector('.page-thread .reply-input', { timeout: 15_000 });
    await page.waitForTimeout(600); // the page slides in
    expect(await page.locator('.page-thread .thread-name').textContent()).toBe(WAITING.nickname);
    expect(await page.textContent('.page-thread .thread-waited')).toMatch(/^(刚刚开始等|等了 \d+ 分钟)$/);
    await field('.reply-input').fill(REPLY);
    await page.click('.reply-send');
    await page.waitForSelector('.page-thread .action-replied', { timeout: 15_000 });
    expect(await page.textContent('.page-thread .action-replied')).toContain('已回复');
    // the head stops counting the wait too
    expect(await page.textContent('.page-thread .thread-replied')).toBe('已回复');
    expect(await page.locator('.page-thread .thread-waited').count()).toBe(0);
    expect((await sentTo(WAITING.ext)).map((s) => s.text)).toContain(REPLY);
    await shot('thread-replied');

    // the list: no wait counting any more, 已回复 and the one-tap 交还给 AI
    await go('/pages/conversations/index', '.page-conversations .filter-waiting.filter-on');
    const row = page.locator('.conv-item', { hasText: WAITING.nickname });
    await row.locator('.conv-replied').waitFor({ timeout: 15_000 });
    expect(await row.locator('.conv-replied').textContent()).toBe('已回复');
    expect(await row.locator('.conv-waited').count()).toBe(0);
    await shot('conversations-replied');
    await row.locator('.conv-hand-back').click();
    await row.waitFor({ state: 'detached', timeout: 15_000 });
    expect((await conversationOf(WAITING.ext)).state).toBe('ai');
    await page.click('.filter-ai');
    await page.locator('.conv-item', { hasText: WAITING.nickname }).waitFor({ timeout: 15_000 });
    expect(errors).toEqual([]);
  });

  it('转企业微信人工 lists the members who have a WeCom account and transfers to the one picked', async () => {
    // a colleague without a WeCom account yet (the staff login makes the member)
    await cli(['login-link', '--merchant', M, '--role', 'staff', '--json']);
    const members = (await api<{ members: { id: string; name: string; role: string; wecomUserId: string | null }[] }>({ action: 'members.list' })).members;
    const staff = members.find((m) => m.role === 'staff' && !m.wecomUserId)!;
    expect(staff).toBeDefined();
    const withAccount = members.filter((m) => m.wecomUserId).map((m) => m.name);
    expect(withAccount.length).toBeGreaterThan(0);

    await customerSays(TRANSFER);
    let conv = { id: '', state: '' };
    for (let i = 0; i < 50 && conv.state !== 'waiting_human'; i++) {
      conv = await conversationOf(TRANSFER.ext).catch(() => conv);
      if (conv.state !== 'waiting_human') await page.waitForTimeout(200);
    }
    expect(conv.state).toBe('waiting_human');

    const openPicker = async () => {
      await go(`/sub/thread/index?id=${encodeURIComponent(conv.id)}`, '.page-thread .transfer-btn');
      await page.click('.transfer-btn');
      await page.waitForSelector('.transfer-person', { timeout: 15_000 });
      return page.locator('.transfer-person').allTextContents();
    };
    // only the members with a WeCom account; the new colleague is not one yet
    expect((await openPicker()).map((t) => t.replace(/在班$/, ''))).toEqual(withAccount);

    // the owner gives the colleague their WeCom account (店员 page): now they can be picked
    await api({ action: 'members.update', memberId: staff.id, name: '小李', wecomUserId: 'XiaoLi' });
    const people = (await openPicker()).map((t) => t.replace(/在班$/, ''));
    expect(people.sort()).toEqual([...withAccount, '小李'].sort());
    await page.locator('.transfer-person', { hasText: '小李' }).click();
    await page.waitForSelector('.transfer-person-on:has-text("小李")');
    await shot('thread-transfer');
    await page.click('.transfer-confirm');
    await page.waitForSelector('.page-thread .action-readonly', { timeout: 15_000 });
    expect(await page.textContent('.page-thread .action-readonly')).toContain('在企业微信里由同事接待');
    const thread = await api<{ conversation: { state: string }; messages: { event?: string; detail?: { servicerUserId?: string } }[] }>({
      action: 'conversations.get',
      conversationId: conv.id,
    });
    expect(thread.conversation.state).toBe('human_in_wecom');
    expect(thread.messages.filter((m) => m.event === 'transfer_to_wecom').map((m) => m.detail?.servicerUserId)).toEqual(['XiaoLi']);
    expect(errors).toEqual([]);
  });

  it('the CLI reaches this host on its own PORT through DATA_DIR alone: a login link and simulate', async () => {
    const link = JSON.parse(await cli(['login-link', '--merchant', M, '--role', 'staff', '--json'])).url as string;
    expect(link.startsWith(`${host.url}/login?token=`)).toBe(true);
    const r = JSON.parse(await cli(['simulate', '--merchant', M, '--text', '你们几点开门？', '--customer', 'e2e-live-cli', '--json']));
    expect(r).toMatchObject({ handoff: false, timedOut: false });
    expect(r.reply).toContain('10:00');
  });

  it('a long thread opens at its newest message, above the reply box', async () => {
    // the demo shop's longest conversation: several screens of messages
    const list = await api<{ items: { id: string }[] }>({ action: 'conversations.list', filter: 'all', limit: 50 });
    let longest = { id: '', count: 0 };
    for (const c of list.items) {
      const t = await api<{ messages: unknown[] }>({ action: 'conversations.get', conversationId: c.id });
      if (t.messages.length > longest.count) longest = { id: c.id, count: t.messages.length };
    }
    expect(longest.count).toBeGreaterThanOrEqual(20);
    await go(`/sub/thread/index?id=${encodeURIComponent(longest.id)}`, '.page-thread .action-bar');
    // the page scrolls inside Taro's page element, not the document
    const where = () =>
      page.evaluate(() => {
        const msgs = document.querySelectorAll('.page-thread .msg');
        const first = msgs[0].getBoundingClientRect();
        const last = msgs[msgs.length - 1].getBoundingClientRect();
        const bar = document.querySelector('.page-thread .action-bar').getBoundingClientRect();
        const scroller = document.querySelector('.page-thread').closest('.taro_page');
        return { tall: scroller.scrollHeight > 2 * scroller.clientHeight, firstBottom: first.bottom, lastTop: last.top, lastBottom: last.bottom, barTop: bar.top };
      });
    await page.waitForFunction(
      () => {
        const msgs = document.querySelectorAll('.page-thread .msg');
        const last = msgs[msgs.length - 1].getBoundingClientRect();
        return last.top >= 0 && last.bottom <= document.querySelector('.page-thread .action-bar').getBoundingClientRect().top;
      },
      undefined,
      { timeout: 10_000 },
    );
    const w = await where();
    expect(w.tall).toBe(true);
    // the newest message in full above the reply box, the oldest scrolled out of sight above
    expect(w.lastTop).toBeGreaterThanOrEqual(0);
    expect(w.lastBottom).toBeLessThanOrEqual(w.barTop);
    expect(w.firstBottom).toBeLessThan(0);
    await shot('thread-newest');
    expect(errors).toEqual([]);
  });
});
