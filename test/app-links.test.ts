import fs from 'node:fs';
import path from 'node:path';
import { noticeText } from '@xiaoer/shared/usecases/conversations/handoff-notify';
import { reportLink } from '@xiaoer/shared/usecases/reports/push';
import { alertsPage, reportPage } from '@xiaoer/shared/usecases/reports/subscribe-data';

/**
 * The links the product puts in WeCom notices and subscribe messages open pages of the owner
 * app: each must name a page in the app's route table (miniprogram/src/app.config.ts), in the
 * pinned shapes docs/ARCHITECTURE.md lists (§ H5 routes), with query keys the page reads.
 * A page moved or renamed in the app breaks the links already sitting in owners' WeCom.
 */

const APP = path.join(__dirname, '..', 'miniprogram', 'src');
const BASE = 'https://xiaoer.example.com';

interface AppConfig {
  pages: string[];
  subPackages: { root: string; pages: string[] }[];
  tabBar: { list: { pagePath: string }[] };
}

/** The app's own config, read the way Taro's build reads it (defineAppConfig is an identity). */
function appConfig(): AppConfig {
  const g = globalThis as { defineAppConfig?: (c: AppConfig) => AppConfig };
  g.defineAppConfig = (c) => c;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(path.join(APP, 'app.config.ts')) as { default: AppConfig }).default;
  } finally {
    delete g.defineAppConfig;
  }
}

const config = appConfig();
const ROUTES = new Set([...config.pages, ...config.subPackages.flatMap((s) => s.pages.map((p) => `${s.root}/${p}`))]);

/** A mini-program page path with its query, as the app's router would split it. */
function pageOf(link: string): { route: string; query: URLSearchParams } {
  const [route, q = ''] = link.split('?');
  return { route: route!, query: new URLSearchParams(q) };
}

/** An H5 link: the hash route after `/#/`. */
function h5PageOf(url: string): { route: string; query: URLSearchParams } {
  expect(url.startsWith(`${BASE}/#/`)).toBe(true);
  return pageOf(url.slice(`${BASE}/#/`.length));
}

/** The page's source reads this query key from its router params. */
function reads(route: string, key: string): boolean {
  const src = fs.readFileSync(path.join(APP, `${route}.tsx`), 'utf8');
  return new RegExp(`params\\??\\.${key}\\b|\\bp\\.${key}\\b|pageParams\\(\\)\\.${key}\\b`).test(src);
}

describe('the app route table', () => {
  it('keeps the pinned shapes: tabs at pages/<tab>/index, every other page at sub/<page>/index, a thread under sub/thread', () => {
    for (const r of config.pages) expect(r).toMatch(/^pages\/[a-z-]+\/index$/);
    expect(config.subPackages.map((s) => s.root)).toEqual(['sub']);
    for (const r of config.subPackages[0]!.pages) expect(r).toMatch(/^[a-z-]+\/index$/);
    expect(config.tabBar.list.map((t) => t.pagePath)).toEqual(config.pages);
    expect(ROUTES.has('sub/thread/index')).toBe(true);
    // every route is a page file
    for (const r of ROUTES) expect(fs.existsSync(path.join(APP, `${r}.tsx`))).toBe(true);
  });
});

describe('links the product builds open pages of the app', () => {
  it('the handoff notice links to the customer’s thread, on the shop it belongs to', () => {
    const text = noticeText({ conversationId: 'kf-wm/1 2', customerName: '王小姐', question: '能退款吗', reason: 'handoff:person' }, `${BASE}/`, 'shop-a');
    const url = text.match(/https:\/\/\S+/)![0];
    const { route, query } = h5PageOf(url);
    expect(ROUTES.has(route)).toBe(true);
    expect(route).toContain('thread');
    // the shop too: an owner of several shops opens it under the one the customer wrote to
    expect(Object.fromEntries(query)).toEqual({ id: 'kf-wm/1 2', merchant: 'shop-a' });
    for (const key of query.keys()) expect(reads(route, key)).toBe(true);
  });

  it('a report push links to its report, the H5 link and the mini-program page alike', () => {
    const h5 = h5PageOf(reportLink(BASE, 'shop-a', 'weekly', '2026-11-23')!);
    const mp = pageOf(reportPage('shop-a', 'weekly', '2026-11-23'));
    for (const { route, query } of [h5, mp]) {
      expect(ROUTES.has(route)).toBe(true);
      expect(Object.fromEntries(query)).toEqual({ merchant: 'shop-a', kind: 'weekly', date: '2026-11-23' });
      for (const key of query.keys()) expect(reads(route, key)).toBe(true);
    }
  });

  it('an alert push opens 提醒, on the shop it is about', () => {
    const { route, query } = pageOf(alertsPage('shop-a'));
    expect(ROUTES.has(route)).toBe(true);
    expect(Object.fromEntries(query)).toEqual({ merchant: 'shop-a' });
    for (const key of query.keys()) expect(reads(route, key)).toBe(true);
  });
});
