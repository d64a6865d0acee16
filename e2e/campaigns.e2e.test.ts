import fs from 'node:fs';
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { phone, ROOT, serveH5Build, startHost, type HostProcess } from './helpers';

/**
 * 营销 · 群发 in the built H5 app against a freshly started demo shop (issue 16 §6): the owner
 * builds a 群发 to the demo's 会员 customers and sees the live reach forecast equal to what
 * `campaigns.forecast` answers through the api, taps 确认发送 and confirms the dialog; then the
 * send job runs (`jobs run-due --at` the planned time, as an owner's scheduler would), the
 * sandbox plays each staff member confirming the task in WeCom (groupmsg-confirm), the tracking
 * job reads the results (`jobs run-due --at` ten minutes later), and the detail page shows what
 * was delivered. Screenshots go to .test-results/screenshots/ (marketing.png, campaign-edit.png,
 * campaign.png). XIAOER_H5_DIR serves an H5 build written elsewhere (XIAOER_APP_OUT).
 */

// page.evaluate bodies run in the browser; the backend tsconfig has no DOM lib
declare const document: any;

const SHOTS = path.join(ROOT, '.test-results', 'screenshots');
const M = 'demo-naicha';
const TAG = '会员';
const TEXT = '周三会员日第二杯半价，欢迎来店里坐坐～';

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

/** The admin CLI against the running host's data folder, as an owner would run it. */
function cli(args: string[]): Promise<any> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'cloudfunctions/server/cli/main.ts'), ...args, '--json'],
      { cwd: ROOT, env: { ...process.env, DATA_DIR: host.dataDir, PORT: new URL(host.url).port, LOG_LEVEL: 'warn' } },
      (err, stdout, stderr) => (err ? reject(new Error(`${args.join(' ')} failed: ${stderr || stdout}`)) : resolve(JSON.parse(stdout))),
    ),
  );
}

/** A time for `jobs run-due --at`, on China's clock with its offset. */
const chinaIso = (t: number) => `${new Date(t + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;

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

const noSideScroll = async () => expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

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

describe('群发 on the demo shop', () => {
  let campaignId = '';

  it('builds a 群发 to 会员 with the forecast the api gives, and 确认发送 books it', async () => {
    const { tags } = await api<{ tags: { tag: string; count: number }[] }>({ action: 'tags.list' });
    expect(tags.find((t) => t.tag === TAG)?.count).toBeGreaterThan(0);
    const expected = await api<{ recipients: number; bySender: unknown[] }>({ action: 'campaigns.forecast', audience: TAG, texts: [TEXT] });
    expect(expected.recipients).toBeGreaterThan(0);

    await go('/pages/marketing/index', '.page-marketing .mk-new');
    await page.locator('.mk-empty').waitFor({ timeout: 30_000 });
    await page.click('.mk-new');
    await page.waitForSelector('.page-campaign-edit .ce-include .ce-tag', { timeout: 30_000 });

    await page.fill('.ce-name input', '会员日提醒');
    await page.locator('.ce-include .ce-tag', { hasText: new RegExp(`^${TAG} \\d+$`) }).click();
    await page.locator('.ce-text-0 textarea').fill(TEXT);
    await page.locator('.ce-audience-text', { hasText: `有「${TAG}」` }).waitFor({ timeout: 10_000 });
    await page.locator('.fc-count', { hasText: `能收到 ${expected.recipients} 人` }).waitFor({ timeout: 30_000 });
    // the forecast settles on the latest draft (the text's own forecast) with the staff rows
    await page.waitForFunction(() => !document.querySelector('.fc-stale'), undefined, { timeout: 30_000 });
    expect(await page.locator('.fc-sender').count()).toBe(expected.bySender.length);
    expect(await page.textContent('.fc-note')).toContain('店员要在企业微信里点确认');
    await noSideScroll();
    await page.locator('.ce-forecast').scrollIntoViewIfNeeded();
    await shot('campaign-edit');

    await page.click('.ce-send');
    const dialog = page.locator('.taro__modal .taro-modal__text');
    await dialog.waitFor({ timeout: 30_000 });
    expect(await dialog.textContent()).toContain(`会发给 ${expected.recipients} 位客户`);
    expect(await dialog.textContent()).toContain('店员要在企业微信里点确认');
    await page.click('.taro__modal .taro-model__confirm');

    await page.waitForSelector('.page-campaign .cp-status', { timeout: 30_000 });
    expect((await page.textContent('.page-campaign .cp-status'))?.trim()).toBe('已安排');
    const { campaigns } = await api<{ campaigns: { id: string; name: string; status: string; recipients: number }[] }>({ action: 'campaigns.list' });
    expect(campaigns).toHaveLength(1);
    expect(campaigns[0]).toMatchObject({ name: '会员日提醒', status: 'scheduled', recipients: expected.recipients });
    campaignId = campaigns[0]!.id;
    expect(errors).toEqual([]);
  });

  it('staff confirm in WeCom, the results are read back, and the detail page shows what was delivered', async () => {
    const before = await api<{ campaign: { sendAt: number } }>({ action: 'campaigns.get', id: campaignId });
    const sendAt = before.campaign.sendAt;

    // the send job at its time creates one task per staff member (the host's own timer may have run it already)
    // a minute past it: --at has whole seconds, the booked time has milliseconds
    await cli(['jobs', 'run-due', '--at', chinaIso(sendAt + 60_000)]);
    const sent = ((await (await page.request.get(`${host.url}/sandbox/_control/sent?merchantId=${M}`)).json()) as { data: { api: string; msgid: string; count?: number }[] }).data;
    const tasks = sent.filter((s) => s.api === 'externalcontact/add_msg_template');
    expect(tasks.length).toBeGreaterThan(0);

    await go(`/sub/campaign/index?id=${encodeURIComponent(campaignId)}`, '.page-campaign .cp-waiting');
    expect((await page.textContent('.cp-status'))?.trim()).toBe('发送中');
    expect(await page.textContent('.cp-waiting-title')).toMatch(/^还要这些店员在企业微信里点确认：/);

    for (const t of tasks) {
      const res = await page.request.post(`${host.url}/sandbox/_control/groupmsg-confirm`, { data: { merchantId: M, msgid: t.msgid } });
      expect(res.status()).toBe(200);
    }
    // the tracking job looks ten minutes after the send
    await cli(['jobs', 'run-due', '--at', chinaIso(sendAt + 11 * 60_000)]);

    const { stats } = await api<{ stats: { delivered: number; planned: number } }>({ action: 'campaigns.get', id: campaignId });
    expect(stats.delivered).toBeGreaterThan(0);
    await go(`/sub/campaign/index?id=${encodeURIComponent(campaignId)}`, '.page-campaign .cp-num-delivered');
    expect((await page.textContent('.cp-num-delivered .cp-num-value'))?.trim()).toBe(String(stats.delivered));
    expect((await page.textContent('.cp-num-planned .cp-num-value'))?.trim()).toBe(String(stats.planned));
    expect(await page.locator('.cp-waiting').count()).toBe(0);
    await noSideScroll();
    await shot('campaign');

    await go('/pages/marketing/index', '.page-marketing .mk-campaign');
    expect(await page.textContent('.mk-campaign-numbers')).toContain(`已送达 ${stats.delivered} 人`);
    await noSideScroll();
    // the settings' time pickers and the buttons are thumb-sized (owner-flow checks the same on every page)
    const small = await page.evaluate(
      () =>
        Array.from(document.querySelectorAll('.page-marketing taro-picker-core, .page-marketing taro-button-core, .page-marketing .mk-quota') as ArrayLike<any>)
          .map((el) => el.getBoundingClientRect())
          .filter((b) => b.height < 44 || b.width < 44).length,
    );
    expect(small).toBe(0);
    await shot('marketing');
    expect(errors).toEqual([]);
  });
});
