import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { FakeEngine } from './cloudbase-fake/engine';
import { startFakeCloudbase } from './cloudbase-fake/server';
import { createSecretBox, parseMasterKey } from '../cloudfunctions/server/security/secret-box';
import { CHART_FONT_FILE, createChartRenderer } from '../cloudfunctions/server/charts/renderer';
import { SAMPLE_WEEK } from '../cloudfunctions/server/charts/sample';

/**
 * The deployable cloud functions: `npm run build:functions` output, copied alone into an empty
 * folder (no node_modules anywhere above it), loaded with require() and run in a child process
 * with only the settings CloudBase would give it, against the CloudBase test double.
 */
const root = path.resolve(__dirname, '..');
// its own build folder: the release build (npm test's builds lane) writes build/cloudfunctions meanwhile
const BUILD = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-bundles-'));
const OUT = path.join(BUILD, 'cloudfunctions');
const FUNCTIONS = ['api', 'wecom', 'scheduler', 'webhook'] as const;
type Fn = (typeof FUNCTIONS)[number];
const FORBIDDEN = /libsql|better-sqlite3|storage\/sqlite|server\/host\/|server\/cli\/|\/test\/|\/e2e\/|miniprogram\//;
const OPENID = 'o-test-openid';

/** The documents api's `me.get` reads: one shop and the caller's membership in it. Adjust here if the layout changes. */
function seedMembership(engine: FakeEngine) {
  const now = Date.UTC(2026, 0, 1);
  engine.insert('merchants', { _id: 'shop-a', id: 'shop-a', name: '一号店', timezone: 'Asia/Shanghai', createdAt: now, schemaVersion: 1 });
  engine.insert('members', {
    _id: 'shop-a:mem-owner',
    merchantId: 'shop-a',
    id: 'mem-owner',
    openid: OPENID,
    name: '老板',
    role: 'owner',
    onDuty: true,
    createdAt: now,
    schemaVersion: 1,
  });
}

interface Meta {
  bytes: number;
  dependencies: Record<string, string>;
  /** Files copied beside index.js: resvg's binary and the chart font, for functions that draw charts. */
  assets: string[];
  metafile: { inputs: Record<string, unknown>; outputs: Record<string, { imports: { path: string; external?: boolean }[] }> };
}
let meta: Record<Fn, Meta>;
let fake: Awaited<ReturnType<typeof startFakeCloudbase>>;
let sandbox: string;

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build-functions.mjs'], { cwd: root, stdio: 'pipe', env: { ...process.env, XIAOER_FUNCTIONS_OUT: OUT } });
  meta = JSON.parse(fs.readFileSync(path.join(BUILD, 'meta.json'), 'utf8'));
  fake = await startFakeCloudbase();
  seedMembership(fake.engine);
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-functions-'));
}, 60_000);
afterAll(async () => {
  await fake?.close();
  if (sandbox) fs.rmSync(sandbox, { recursive: true, force: true });
});

/**
 * Copies the function's folder into an empty directory and runs `main(event)` there in a fresh
 * node. The answer is taken as soon as `main` settles, as CloudBase does; the child is then
 * stopped, because the SDK's fire-and-forget lookups of Tencent's metadata host can hold a
 * finished process open for seconds where that host does not resolve (as here).
 */
function runFunction(fn: Fn, event?: unknown, env: Record<string, string> = {}): Promise<any> {
  const dir = path.join(sandbox, fn);
  fs.cpSync(path.join(OUT, fn), dir, { recursive: true });
  const script = `
    const { main } = require('./index.js');
    Promise.resolve(main(...(process.argv[1] ? [JSON.parse(process.argv[1])] : []))).then(
      (r) => process.stdout.write('\\n@@result ' + JSON.stringify(r === undefined ? null : r) + '\\n'),
      (e) => { console.error('main rejected', e); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script, ...(event === undefined ? [] : [JSON.stringify(event)])], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      APP_RUNTIME: 'cloudbase',
      CLOUDBASE_ENV_ID: 'test-env',
      TENCENTCLOUD_SECRETID: 'AKIDtest',
      TENCENTCLOUD_SECRETKEY: 'test',
      APP_MASTER_KEY: 'ab'.repeat(32),
      CLOUDBASE_SERVICE_URL: fake.url,
      SILENCE: 'true',
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      const m = /^@@result (.*)\n/m.exec(stdout);
      if (!m) return;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(JSON.parse(m[1]));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${fn} ended (${code ?? signal}) without a result\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    });
  });
}

describe('cloud function bundles', () => {
  it('contain no SQLite, local-host, CLI, test or app code', () => {
    for (const fn of FUNCTIONS) {
      const inputs = Object.keys(meta[fn].metafile.inputs);
      expect(inputs.filter((i) => FORBIDDEN.test(`/${i}`))).toEqual([]);
      expect(inputs.some((i) => i.includes('node_modules/@cloudbase/node-sdk/'))).toBe(true);
    }
    expect(Object.keys(meta.api.metafile.inputs).some((i) => i.includes('node_modules/wx-server-sdk/'))).toBe(true);
  });

  it('are self-contained: only Node built-ins and the files copied beside index.js stay outside, nothing to install', () => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    for (const fn of FUNCTIONS) {
      const dir = path.join(OUT, fn);
      const external = Object.values(meta[fn].metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
      expect(external.filter((p) => !builtins.has(p) && !meta[fn].assets.includes(p.replace(/^\.\//, '')))).toEqual([]);
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      expect(pkg).toMatchObject({ main: 'index.js', dependencies: meta[fn].dependencies });
      expect(pkg.dependencies).toEqual({});
      const files =
        fn === 'scheduler'
          ? ['config.json', 'fonts', 'index.js', 'package.json', 'resvgjs.linux-x64-gnu.node']
          : fn === 'api'
            ? ['config.json', 'index.js', 'kb-parse-worker.js', 'package.json']
            : ['index.js', 'package.json'];
      expect(fs.readdirSync(dir).sort()).toEqual(files);
    }
    // the scheduler draws the weekly chart: resvg's Linux binary and the CJK font ship with it
    expect(meta.scheduler.assets.sort()).toEqual(['fonts/wqy-microhei-chart.ttf', 'resvgjs.linux-x64-gnu.node']);
    expect(fs.readFileSync(path.join(OUT, 'scheduler/fonts/wqy-microhei-chart.ttf'))).toEqual(fs.readFileSync(CHART_FONT_FILE));
    const trigger = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const fn of ['scheduler', 'api']) expect(trigger(path.join(OUT, fn, 'config.json'))).toEqual(trigger(path.join(root, 'cloudfunctions', fn, 'config.json')));
  });

  it('run from an empty folder with no node_modules above it', () => {
    for (let dir = sandbox; ; dir = path.dirname(dir)) {
      expect(fs.existsSync(path.join(dir, 'node_modules'))).toBe(false);
      if (path.dirname(dir) === dir) break;
    }
  });

  it('api: me.get answers for the WeChat caller from CloudBase', async () => {
    const before = fake.engine.log.length;
    const out = await runFunction('api', { action: 'me.get' }, { WX_CONTEXT_KEYS: 'WX_OPENID,WX_APPID', WX_OPENID: OPENID, WX_APPID: 'wx-test' });
    expect(out).toEqual({ ok: true, data: { memberId: 'mem-owner', merchants: [{ id: 'shop-a', name: '一号店', role: 'owner' }] } });
    expect(fake.engine.log.length).toBeGreaterThan(before);
  });

  it('api: without a WeChat identity the caller is refused', async () => {
    const out = await runFunction('api', { action: 'me.get' });
    expect(out).toMatchObject({ ok: false, code: 'AUTH.UNAUTHENTICATED' });
  });

  it('api: kb.import parses the file in the bundled worker thread', async () => {
    const wx = { WX_CONTEXT_KEYS: 'WX_OPENID,WX_APPID', WX_OPENID: OPENID, WX_APPID: 'wx-test' };
    const content = 'id,question,answer\nb1,几点开门,早上九点\n';
    const out = await runFunction('api', { action: 'kb.import', merchantId: 'shop-a', format: 'csv', content }, wx);
    expect(out).toMatchObject({ ok: true, data: { added: 1, updated: 0, errors: [] } });
    const tooMany = await runFunction('api', { action: 'kb.import', merchantId: 'shop-a', format: 'csv', content: `id,question,answer\n${'x,q,a\n'.repeat(10_001)}` }, wx);
    expect(tooMany).toMatchObject({ ok: false, code: 'INPUT.TOO_MANY_ROWS' });
  });

  it('api: reports.export writes the workbook with the bundled exceljs', async () => {
    const wx = { WX_CONTEXT_KEYS: 'WX_OPENID,WX_APPID', WX_OPENID: OPENID, WX_APPID: 'wx-test' };
    const out = await runFunction('api', { action: 'reports.export', merchantId: 'shop-a', kind: 'weekly', date: '2025-01-08' }, wx);
    expect(out).toMatchObject({ ok: true, data: { filename: '一号店-周报-2025-01-06至2025-01-12.xlsx' } });
    // an .xlsx is a zip: PK\x03\x04
    expect(Buffer.from(out.data.base64, 'base64').subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  });

  it('scheduler: a tick runs a job and records it in the job ledger', async () => {
    const report = await runFunction('scheduler');
    expect(report).toMatchObject({ planned: expect.any(Number), claimed: expect.any(Number), done: expect.any(Number) });
    expect(report.done).toBeGreaterThanOrEqual(1);
    const jobs = fake.engine.find('jobs');
    expect(jobs.length).toBeGreaterThanOrEqual(1);
    expect(jobs.some((j) => j.status === 'done')).toBe(true);
  });

  it('scheduler: draws the sample chart from the bundle alone, byte for byte as the host does', async () => {
    const local = await createChartRenderer().renderTrend(SAMPLE_WEEK);
    const out = await runFunction('scheduler', { check: 'chart' });
    expect(out).toMatchObject({ ok: true, width: local.width, height: local.height, bytes: local.png.length });
    expect(out.sha256).toBe(crypto.createHash('sha256').update(local.png).digest('hex'));
    // two renders, one in a cold child process loading a 7 MB bundle and resvg: slow on a loaded machine
  }, 90_000);

  it('wecom: an HTTP event for an unknown shop is rejected with an error envelope', async () => {
    const out = await runFunction('wecom', { path: '/wecom/callback/nobody', httpMethod: 'GET', queryStringParameters: {}, headers: {}, body: '', isBase64Encoded: false });
    expect([400, 404]).toContain(out.statusCode);
    expect(out.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(out.body)).toMatchObject({ ok: false, code: expect.any(String), message: expect.any(String) });
  });

  it('webhook: a signed order event is stored and counted once in CloudBase; a forged one is refused', async () => {
    // the shop's webhook secret, sealed with the functions' APP_MASTER_KEY as `webhook secret` would
    const key = 'whsec_bundle-test';
    const sealed = createSecretBox(parseMasterKey('ab'.repeat(32))).seal(key);
    fake.engine.insert('kv', {
      _id: 'shop-a:webhook:secret',
      merchantId: 'shop-a',
      ns: 'webhook',
      key: 'secret',
      value: { sealed, rotatedAt: 1 },
      version: 1,
      updatedAt: 1,
      schemaVersion: 1,
    });
    const body = JSON.stringify({
      orderNo: 'CB-1',
      status: 'paid',
      amountFen: 2500,
      items: [{ sku: 'T1', name: '杨枝甘露', qty: 1, priceFen: 2500 }],
      placedAt: Date.UTC(2026, 0, 5, 4),
      updatedAt: Date.UTC(2026, 0, 5, 4),
    });
    const event = (signature?: string) => {
      const ts = String(Math.floor(Date.now() / 1000));
      const sig = signature ?? crypto.createHmac('sha256', key).update(`${ts}.${body}`).digest('hex');
      return {
        path: '/webhook/orders/shop-a',
        httpMethod: 'POST',
        queryStringParameters: {},
        headers: { 'Content-Type': 'application/json', 'X-Xiaoer-Timestamp': ts, 'X-Xiaoer-Signature': sig },
        body: Buffer.from(body).toString('base64'),
        isBase64Encoded: true,
      };
    };
    const first = await runFunction('webhook', event());
    expect(first.statusCode).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ ok: true, data: { orderNo: 'CB-1', outcome: 'created', matched: false } });
    expect(JSON.parse((await runFunction('webhook', event())).body)).toMatchObject({ ok: true, data: { outcome: 'duplicate' } });
    const forged = await runFunction('webhook', event('0'.repeat(64)));
    expect(forged.statusCode).toBe(401);
    expect(JSON.parse(forged.body)).toMatchObject({ ok: false, code: 'WEBHOOK.BAD_SIGNATURE' });
    expect(fake.engine.find('orders').filter((o) => o.id === 'CB-1')).toHaveLength(1);
    const revenue = fake.engine.find('counters').filter((c) => c.merchantId === 'shop-a' && c.name === 'revenueFen');
    expect(revenue.reduce((sum, c) => sum + Number(c.value), 0)).toBe(2500);
    const lost = await runFunction('webhook', { ...event(), path: '/webhook/elsewhere' });
    expect(lost.statusCode).toBe(404);
  });
});
