import fs from 'node:fs';
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { phone, ROOT, startHost, type HostProcess } from './helpers';

/**
 * The built H5 app walked page by page as three people see it — the demo shop's owner, its staff,
 * and the owner of a brand-new empty shop — plus someone with no login at all (issue 14 §3–§7):
 * - no page shows a code or jargon (`waiting_human`, `userid`, `null`, "把握 84%" …) and no page
 *   throws an uncaught script error;
 * - the first visit and a used login link are phone-sized pages that say how to get in;
 * - the empty shop's 今日 shows the set-up checklist;
 * - multi-line fields show their whole content while editing.
 * Screenshots go to .test-results/screenshots/walk/.
 *
 * XIAOER_H5_DIR serves an H5 build written elsewhere (XIAOER_APP_OUT) instead of
 * miniprogram/dist/h5, so a change can be walked without rebuilding the shared dist.
 */

// page.evaluate bodies run in the browser; the backend tsconfig has no DOM lib
declare const document: any;
declare const window: any;

const SHOTS = path.join(ROOT, '.test-results', 'screenshots', 'walk');
const DEMO = 'demo-naicha';
const EMPTY = 'e2e-empty-shop';

/** What an owner must never read: codes, field names, programming values, raw percentages. */
const JARGON: RegExp[] = [
  /kf_msg_or_event/i,
  /contact_way/i,
  /external_?userid/i,
  /userid/i,
  /open_kfid/i,
  /campaign/i,
  /referral/i,
  /waiting_human/i,
  /human_in_wecom/i,
  /\bundefined\b/,
  /\bnull\b/,
  /\bNaN\b/,
  /把握\s*\d+\s*%/,
];

/**
 * Jargon found in pages another change is editing at the same time, each with the fix. The walk
 * passes over exactly these and fails if one is gone (then delete it here).
 */
const KNOWN: { route: RegExp; word: RegExp; fix: string }[] = [];
const knownSeen = new Set<number>();

let host: HostProcess & { dataDir: string };
let ctx: BrowserContext;
let page: Page;
let ownerLink: string;
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
const loginLink = async (merchant: string, role: 'owner' | 'staff') => JSON.parse(await cli(['login-link', '--merchant', merchant, '--role', role, '--json'])).url as string;

/** The api with the page's session cookie (the context's request client shares it), whatever the page is doing. */
async function api<T = any>(body: Record<string, unknown>): Promise<T> {
  return (await page.request.post(`${host.url}/fn/api`, { data: body })).json() as Promise<T>;
}

/** Serves another H5 build (XIAOER_H5_DIR) for everything but the host's own routes. */
async function serveBuild(c: BrowserContext, dir: string) {
  await c.route(`${host.url}/**`, async (route) => {
    const p = new URL(route.request().url()).pathname;
    if (/^\/(fn|login|logout|sandbox|wecom|webhook|healthz)\b/.test(p)) return route.continue();
    const file = path.join(dir, p === '/' ? 'index.html' : p);
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return route.fulfill({ path: file });
    return route.continue();
  });
}

/** Opens a route as a fresh app start and waits until it has loaded what it shows. */
async function open(route: string) {
  // the app may still have a navigation of its own in flight (a page it left after saving):
  // that one wins the race and interrupts ours, so go again until ours is the one that lands
  for (let attempt = 1; ; attempt++) {
    try {
      await page.goto(`${host.url}/#${route}`);
      await page.reload();
      if (page.url().endsWith(`#${route}`) || attempt >= 5) break;
    } catch (err) {
      if (attempt >= 5 || !/interrupted by another navigation/.test(String(err))) throw err;
      // let the navigation that won settle before going again (on a loaded machine it can win three times)
      await page.waitForLoadState('load').catch(() => undefined);
    }
  }
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(
    () => {
      const t = document.body.innerText as string;
      return t.trim().length > 0 && !/正在加载|加载中/.test(t);
    },
    undefined,
    { timeout: 30_000 },
  );
}

/**
 * Redeems a login link (the host answers with its session cookie and a redirect) and opens 今日
 * as a fresh start. The redirect is not followed in the page: a redirected request is not routed,
 * so with XIAOER_H5_DIR it would load the host's build.
 */
async function signIn(link: string, ready = '.shop-name') {
  const res = await page.request.get(link, { maxRedirects: 0 });
  expect(res.status()).toBe(302);
  await page.goto(`${host.url}/#/pages/today/index`);
  await page.reload();
  await page.waitForSelector(ready, { timeout: 30_000 });
}

const visibleText = () => page.evaluate(() => document.body.innerText as string);

async function shot(name: string) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** Every page an owner or staff member can open, with real ids from this shop. */
async function routes(merchantId: string): Promise<string[]> {
  const conv = await api({ action: 'conversations.list', merchantId, filter: 'all', limit: 5 });
  const customers = await api({ action: 'customers.list', merchantId, limit: 5 });
  const kb = await api({ action: 'kb.list', merchantId, limit: 1 });
  const reports = await api({ action: 'reports.list', merchantId, kind: 'daily', limit: 1 });
  // owners only: staff are refused, and walk the rule page without an id
  const rules = await api({ action: 'tags.rules.list', merchantId });
  const first = <T>(r: { ok: boolean; data?: { items?: T[]; faqs?: T[]; rules?: T[] } }) => (r.ok ? (r.data?.items ?? r.data?.faqs ?? r.data?.rules ?? [])[0] : undefined);
  const c = first<{ id: string }>(conv);
  const cu = first<{ externalUserId: string }>(customers);
  const f = first<{ id: string }>(kb);
  const rep = first<{ kind: string; date: string }>(reports);
  const rule = first<{ id: string }>(rules);
  // owners only: a draft 群发 (made here when the shop has none) so its detail page is walked too
  const listed = await api<{ ok: boolean; data?: { campaigns: { id: string }[] } }>({ action: 'campaigns.list', merchantId });
  let campaign = listed.ok ? listed.data!.campaigns[0] : undefined;
  if (listed.ok && !campaign) {
    const saved = await api<{ ok: boolean; data?: { campaign: { id: string } } }>({
      action: 'campaigns.save',
      merchantId,
      name: '会员日',
      audience: '会员',
      texts: ['{称呼}，周三会员日第二杯半价'],
    });
    campaign = saved.data?.campaign;
  }
  return [
    '/pages/today/index',
    '/pages/conversations/index',
    '/pages/customers/index',
    '/pages/marketing/index',
    '/pages/me/index',
    c && `/sub/thread/index?id=${encodeURIComponent(c.id)}`,
    cu && `/sub/customer/index?id=${encodeURIComponent(cu.externalUserId)}`,
    '/sub/kb/index',
    '/sub/kb-edit/index',
    f && `/sub/kb-edit/index?id=${encodeURIComponent(f.id)}`,
    '/sub/teach/index',
    '/sub/trends/index',
    '/sub/settings/index',
    '/sub/staff/index',
    '/sub/setup/index',
    '/sub/reports/index',
    rep && `/sub/report/index?merchant=${encodeURIComponent(merchantId)}&kind=${rep.kind}&date=${rep.date}`,
    '/sub/alerts/index',
    '/sub/products/index',
    '/sub/tags/index',
    '/sub/tag-rule/index',
    '/sub/channels/index',
    rule && `/sub/tag-rule/index?id=${encodeURIComponent(rule.id)}`,
    '/sub/campaign-edit/index',
    '/sub/followups/index',
    campaign && `/sub/campaign/index?id=${encodeURIComponent(campaign.id)}`,
    campaign && `/sub/campaign-edit/index?id=${encodeURIComponent(campaign.id)}`,
  ].filter((r): r is string => Boolean(r));
}

/** Walks every route; returns "who route: word" for every piece of jargon on screen. */
async function walk(who: string, merchantId: string): Promise<string[]> {
  const found: string[] = [];
  for (const route of await routes(merchantId)) {
    await open(route);
    const text = await visibleText();
    for (const re of JARGON) {
      const m = text.match(re);
      const known = KNOWN.findIndex((k) => k.route.test(route) && k.word.test(m?.[0] ?? ''));
      if (m && known >= 0) knownSeen.add(known);
      else if (m) found.push(`${who} ${route}: "${m[0]}" in …${text.slice(Math.max(0, m.index! - 30), m.index! + 30).replace(/\s+/g, ' ')}…`);
    }
    // charts animate in: let them finish before the picture
    if (/trends|today/.test(route)) await page.waitForTimeout(1500);
    await shot(`${who}-${route.replace(/^\/|\/index.*$/g, '').replace(/\//g, '-')}${route.includes('?') ? '-item' : ''}`);
  }
  return found;
}

beforeAll(async () => {
  host = await startHost({});
  ownerLink = (await host.waitFor(/Owner app: (\S+)/))[1]!;
  ctx = await phone();
  if (process.env.XIAOER_H5_DIR) await serveBuild(ctx, path.resolve(process.env.XIAOER_H5_DIR));
  page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${String(e)}`));
});
afterAll(async () => {
  await ctx?.close();
  await host?.stop();
});

describe('the app before any login', () => {
  it('a first visit says how to get in, on a phone-sized page, not "登录已过期"', async () => {
    await page.goto(`${host.url}/#/pages/today/index`);
    await page.waitForSelector('.state-first-visit', { timeout: 30_000 });
    const text = await visibleText();
    expect(text).toContain('欢迎使用店小二');
    expect(text).toMatch(/邀请链接/);
    expect(text).not.toContain('过期');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot('first-visit');
  });

  it('a used login link gets a styled phone-sized page that says what to do', async () => {
    const used = await loginLink(DEMO, 'owner');
    await signIn(used);
    await page.goto(used); // a second time: used
    expect(await page.textContent('h1')).toContain('登录链接用不了');
    expect(await visibleText()).toContain('只能打开一次');
    const layout = await page.evaluate(() => ({
      width: document.documentElement.scrollWidth,
      font: parseFloat(window.getComputedStyle(document.querySelector('p')).fontSize),
      viewport: document.querySelector('meta[name=viewport]')?.getAttribute('content') ?? '',
    }));
    expect(layout.width).toBeLessThanOrEqual(390);
    expect(layout.font).toBeGreaterThanOrEqual(14);
    expect(layout.viewport).toContain('width=device-width');
    await shot('login-link-used');
  });
});

describe('every page in plain words', () => {
  it('the demo shop’s owner: no codes or jargon on any page, no script errors', async () => {
    await signIn(ownerLink);
    expect(await walk('owner', DEMO)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('the demo shop’s staff: the same', async () => {
    await signIn(await loginLink(DEMO, 'staff'));
    expect(await walk('staff', DEMO)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a new empty shop: the set-up checklist on 今日, and no jargon on any page', async () => {
    await cli(['merchant', 'create', '--id', EMPTY, '--name', '新开的小店', '--corp-id', 'ww0000000000000001', '--token', 'EmptyShopToken', '--aes-key', 'a'.repeat(43)]);
    await signIn(await loginLink(EMPTY, 'owner'), '.setup-checklist');
    expect(await page.textContent('.setup-progress')).toMatch(/^0\/4/);
    expect(await page.locator('.setup-step').count()).toBe(4);
    expect(await visibleText()).not.toContain('AI 都答上来了');
    await shot('empty-today-checklist');
    expect(await walk('empty', EMPTY)).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('known findings', () => {
  it('each is still there (remove it from KNOWN once fixed)', () => {
    expect(KNOWN.filter((_, i) => !knownSeen.has(i)).map((k) => k.fix)).toEqual([]);
  });
});

describe('editing text', () => {
  const LONG = Array.from({ length: 12 }, (_, i) => `第 ${i + 1} 行：珍珠奶茶大杯 15 元，少冰少糖都可以，外卖满 30 元免配送费。`).join('\n');

  /** The real <textarea> inside a Taro <Textarea>: its content fits, nothing scrolls out of sight. */
  const fits = (cls: string) =>
    page.evaluate((c) => {
      const ta = document.querySelector(`${c} textarea`) ?? document.querySelector(`textarea${c}`);
      return { scroll: ta.scrollHeight as number, client: ta.clientHeight as number };
    }, cls);

  it('the FAQ answer grows with what is typed, and shows a long saved answer whole', async () => {
    await signIn(await loginLink(DEMO, 'owner'));
    await open('/sub/kb-edit/index');
    const field = page.locator('.faq-answer textarea').first();
    const before = (await fits('.faq-answer')).client;
    await field.fill(LONG);
    await page.waitForTimeout(100); // one frame for the height to follow
    const typed = await fits('.faq-answer');
    expect(typed.client).toBeGreaterThan(before * 3);
    expect(typed.scroll).toBeLessThanOrEqual(typed.client + 2);

    await page.fill('.faq-question input', '外卖怎么收费？');
    await page.click('.faq-save');
    let saved: { id: string; answer: string } | undefined;
    for (let i = 0; i < 50 && !saved; i++) {
      const kb = await api<{ data: { faqs: { id: string; answer: string }[] } }>({ action: 'kb.list', merchantId: DEMO, limit: 200 });
      saved = kb.data.faqs.find((f) => f.answer === LONG);
      if (!saved) await page.waitForTimeout(200);
    }
    if (!saved) throw new Error('the FAQ was not saved');
    await open(`/sub/kb-edit/index?id=${encodeURIComponent(saved.id)}`);
    await page.waitForFunction(() => (document.querySelector('.faq-answer textarea')?.value ?? '').length > 100);
    await page.waitForTimeout(100);
    const opened = await fits('.faq-answer');
    expect(opened.scroll).toBeLessThanOrEqual(opened.client + 2);
    await shot('kb-edit-long-answer');
  });

  it('the 教 AI form opened from a link (a thread, a notice) is scrolled into view and grows with the answer', async () => {
    // a question the demo knowledge base lacks, asked twice: the second miss goes to a person and can be taught
    const customer = 'e2e-walk-teach';
    const ask = async (text: string) => JSON.parse(await cli(['simulate', '--merchant', DEMO, '--text', text, '--customer', customer, '--json']));
    const first = await ask('能带狗狗进店吗？');
    if (!first.handoff) expect((await ask('能带狗狗进店吗？我家是只小泰迪')).handoff).toBe(true);
    const list = await api<{ data: { items: { id: string; externalUserId: string; teachable?: boolean }[] } }>({ action: 'teach.list', merchantId: DEMO });
    const item = list.data.items.find((i) => i.externalUserId === customer && i.teachable !== false)!;
    expect(item).toBeDefined();

    await open(`/sub/teach/index?item=${encodeURIComponent(item.id)}`);
    await page.waitForSelector('#teach-open .teach-answer textarea');
    await page.waitForFunction(
      () => {
        const r = document.querySelector('#teach-open .teach-form').getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight - 100;
      },
      undefined,
      { timeout: 5_000 },
    );
    const before = (await fits('#teach-open .teach-answer')).client;
    await page.locator('#teach-open .teach-answer textarea').fill(LONG);
    await page.waitForTimeout(100);
    const typed = await fits('#teach-open .teach-answer');
    expect(typed.client).toBeGreaterThan(before * 3);
    expect(typed.scroll).toBeLessThanOrEqual(typed.client + 2);
    await shot('teach-open-from-link');
    expect(errors).toEqual([]);
  });
});
