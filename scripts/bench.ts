/**
 * `npm run bench -- --out <file.json> [--quick]`: JSON array of {name, unit, value, conditions}.
 * Throughput of the host is measured beside a raw node:http echo server in the same run, with
 * the same load generator, so the numbers can be compared on whatever machine runs them.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, phone, ROOT, startHost } from '../e2e/helpers';
import zlib from 'node:zlib';
import { loadConfig } from '../cloudfunctions/server/config';
import { createHostRuntime } from '../cloudfunctions/server/runtime-host';
import { createLogger } from '../cloudfunctions/server/logger';
import { makeLoginLink } from '../cloudfunctions/server/host/login';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { createOfflineEngine } from '@xiaoer/shared/usecases/answer/engine';
import { createEngineAnswerer } from '@xiaoer/shared/usecases/answer/answerer';
import { checkReply } from '@xiaoer/shared/usecases/answer/safety';
import type { Message } from '@xiaoer/shared/domain/conversation';

interface Entry {
  name: string;
  unit: string;
  value: number;
  conditions: Record<string, unknown>;
}

const { values } = parseArgs({ options: { out: { type: 'string' }, quick: { type: 'boolean' } } });
if (!values.out) {
  console.error(JSON.stringify({ ok: false, code: 'INPUT.INVALID', message: '用法: npm run bench -- --out <file.json> [--quick]' }));
  process.exit(1);
}
const seconds = values.quick ? 3 : 10;
const concurrency = 32;
const machine = { cores: os.cpus().length, node: process.version, cpu: os.cpus()[0]?.model };

/** Closed-loop load: `concurrency` keep-alive clients for `seconds`; returns req/s and latencies. */
async function load(url: string, init: { method: string; headers?: Record<string, string>; body?: string }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const u = new URL(url);
  const lat: number[] = [];
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const t = performance.now();
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: init.method, headers: init.headers, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) lat.push(performance.now() - t);
          else errors++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(init.body);
    });
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) await one();
  }));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  lat.sort((a, b) => a - b);
  const q = (p: number) => Number((lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0).toFixed(2));
  return { rps: Math.round(lat.length / elapsed), p50: q(0.5), p99: q(0.99), errors, n: lat.length };
}

async function rawEcho(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const src = `require('http').createServer((q,s)=>{const b=[];q.on('data',c=>b.push(c));q.on('end',()=>{s.writeHead(200,{'content-type':'application/json'});s.end('{"ok":true}')})}).listen(${port},'127.0.0.1',()=>console.log('ready'))`;
  const child = spawn(process.execPath, ['-e', src], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => child.stdout!.once('data', r));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/**
 * The offline answer pipeline (no model, no WeCom round trip): a 200-FAQ knowledge base built
 * from the three sample shops, 10 messages of history, every sample question asked in turn.
 */
let buildMs = 0;
async function answerPipeline(): Promise<Entry> {
  const dir = path.join(ROOT, 'test', 'fixtures', 'samples');
  const faqs: { id: string; question: string; answer: string; alternatives?: string[] }[] = [];
  const questions: string[] = [];
  for (const shop of ['bakery', 'fruit', 'pet']) {
    faqs.push(...(JSON.parse(fs.readFileSync(path.join(dir, `kb-${shop}.json`), 'utf8')).faqs as typeof faqs).map((f) => ({ ...f, id: `${shop}-${f.id}` })));
    questions.push(...(JSON.parse(fs.readFileSync(path.join(dir, `cases-${shop}.json`), 'utf8')) as { q: string }[]).map((c) => c.q));
  }
  const base = [...faqs];
  for (let i = 0; faqs.length < 200; i++) {
    const f = base[i % base.length];
    faqs.push({ ...f, id: `${f.id}-v${i}`, question: `${f.question}（${i}）` });
  }
  const stored = faqs.map((f) => ({ ...f, alternatives: f.alternatives ?? [], enabled: true, merchantId: 'bench', updatedAt: 0 }));
  // 10 messages of history, as the channel passes them (customer and AI turns)
  const history = questions.slice(0, 10).map((text, i) => ({ id: `h${i}`, merchantId: 'bench', conversationId: 'c', sender: i % 2 ? 'ai' : 'customer', at: i, type: 'text', text }) as Message);
  const rules = { handoffWords: ['包场'], bannedWords: ['最便宜'], aliases: [{ term: '招牌', means: '杨枝甘露' }] };
  const lat: number[] = [];
  const rounds = values.quick ? 20 : 100;
  // the product's answerer: shop rules, retrieval (index cached per knowledge-base version), then the reply check
  const answerer = createEngineAnswerer({ listFaqs: async () => stored });
  const b0 = performance.now();
  createOfflineEngine({ faqs });
  buildMs = performance.now() - b0;
  await answerer.answer({ merchantId: 'bench', externalUserId: 'u', text: '预热', history, rules });
  for (let r = 0; r < rounds; r++) {
    for (const q of questions) {
      const t = performance.now();
      const d = await answerer.answer({ merchantId: 'bench', externalUserId: 'u', text: q, history, rules });
      if (d.reply) checkReply(d.reply, rules.bannedWords);
      lat.push(performance.now() - t);
    }
  }
  lat.sort((a, b) => a - b);
  const q = (p: number) => Number(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(3));
  return {
    name: 'answer.offline_pipeline.p99',
    unit: 'ms',
    value: q(0.99),
    conditions: { faqs: faqs.length, historyMessages: history.length, calls: lat.length, p50_ms: q(0.5), index_build_ms: Number(buildMs.toFixed(2)), includes: 'the channel answerer: shop rules + handoff rules + aliases + retrieval + decision + reply safety check (index cached per knowledge-base version; listFaqs from memory)', target_ms: 10, ...machine },
  };
}

/** The owner app in Chromium: login link → 今日's numbers, cold then warm; the JS it needed, gzipped. */
async function h5FirstScreen(link: string): Promise<{ coldMs: number; warmMs: number; jsGzip: number; jsRaw: number; jsFiles: number }> {
  if (!fs.existsSync(path.join(ROOT, 'miniprogram/dist/h5/index.html'))) throw new Error('no H5 build (npm run build:h5 -w miniprogram)');
  const ctx = await phone();
  try {
    const page = await ctx.newPage();
    const scripts = new Map<string, Buffer>();
    page.on('response', (r) => {
      if (r.request().resourceType() === 'script') void r.body().then((b) => scripts.set(r.url(), b)).catch(() => undefined);
    });
    const ready = '.counter-consultations .counter-value';
    let t = performance.now();
    await page.goto(link);
    await page.waitForSelector(ready, { timeout: 30_000 });
    const coldMs = Math.round(performance.now() - t);
    await new Promise((r) => setTimeout(r, 300));
    const bodies = [...scripts.values()];
    t = performance.now();
    await page.reload();
    await page.waitForSelector(ready, { timeout: 30_000 });
    const warmMs = Math.round(performance.now() - t);
    return {
      coldMs,
      warmMs,
      jsFiles: bodies.length,
      jsRaw: bodies.reduce((n, b) => n + b.length, 0),
      jsGzip: bodies.reduce((n, b) => n + zlib.gzipSync(b, { level: 9 }).length, 0),
    };
  } finally {
    await ctx.close();
  }
}

async function main() {
  const out: Entry[] = [];
  const cond = (extra: Record<string, unknown> = {}) => ({ concurrency, seconds, loadGenerator: 'node:http keep-alive, same machine', ...machine, ...extra });

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-bench-'));
  const setup = await createHostRuntime({ config: loadConfig({ DATA_DIR: dataDir }), logger: createLogger('silent') });
  await createMerchant(setup.deps, { id: 'bench-shop', name: '压测店', corpId: 'ww1234567890abcdef', token: 'benchToken', aesKey: 'a'.repeat(43) });

  const t0 = performance.now();
  const host = await startHost({ SEED_DEMO: '0', LOG_LEVEL: 'error' }, dataDir);
  await host.waitFor(/listening on/);
  for (;;) {
    try {
      if ((await fetch(`${host.url}/healthz`)).ok) break;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  out.push({ name: 'host.start_to_healthz', unit: 'ms', value: Math.round(performance.now() - t0), conditions: cond({ note: 'spawn of the tsx entry until /healthz answers 200' }) });
  await host.waitFor(/Owner app:/);

  const link = await makeLoginLink(setup, 'bench-shop', 'owner', host.url);
  await setup.close();
  const cookie = ((await fetch(link, { redirect: 'manual' })).headers.get('set-cookie') ?? '').split(';')[0];

  const raw = await rawEcho();
  const echo = await load(`${raw.url}/healthz`, { method: 'GET' });
  raw.stop();
  const health = await load(`${host.url}/healthz`, { method: 'GET' });
  const me = await load(`${host.url}/fn/api`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{"action":"dashboard.today","merchantId":"bench-shop"}' });
  const h5 = await h5FirstScreen(link).catch((err: Error) => ({ skipped: err.message }));
  await host.stop();

  out.push({ name: 'raw_node_http_echo.throughput', unit: 'req/s', value: echo.rps, conditions: cond({ p50_ms: echo.p50, p99_ms: echo.p99, errors: echo.errors }) });
  out.push({ name: 'host.healthz.throughput', unit: 'req/s', value: health.rps, conditions: cond({ p50_ms: health.p50, p99_ms: health.p99, errors: health.errors }) });
  out.push({ name: 'host.healthz.vs_raw_echo', unit: 'ratio', value: Number((health.rps / Math.max(1, echo.rps)).toFixed(3)), conditions: cond() });
  out.push({
    name: 'host.api.dashboard_today.throughput',
    unit: 'req/s',
    value: me.rps,
    conditions: cond({ p50_ms: me.p50, p99_ms: me.p99, errors: me.errors, note: 'session check + membership + counters read on SQLite' }),
  });

  if ('skipped' in h5) console.warn(`h5 first screen not measured: ${h5.skipped}`);
  else {
    out.push({ name: 'app.h5.today_numbers_ms', unit: 'ms', value: h5.coldMs, conditions: { ...machine, warm_ms: h5.warmMs, target_ms: 1000, from: 'page.goto(login link) until 今日 shows its counters', browser: 'Chromium 390×844 @2x, loopback' } });
    out.push({ name: 'app.h5.first_screen_js_gzip', unit: 'bytes', value: h5.jsGzip, conditions: { raw_bytes: h5.jsRaw, files: h5.jsFiles, target_bytes: 300 * 1024, note: 'every script the browser loaded until 今日 showed its counters, gzipped here (level 9)' } });
  }

  out.push(await answerPipeline());

  const size = spawnSync(process.execPath, [path.join(ROOT, 'scripts/weapp-size.mjs')], { encoding: 'utf8' });
  if (size.status === 0) {
    const s = JSON.parse(size.stdout.trim().split('\n').pop()!);
    out.push({ name: 'app.weapp.main_package', unit: 'bytes', value: s.mainBytes, conditions: { limit: 2 * 1024 * 1024, target: 0.6 * 1024 * 1024 } });
  }
  fs.mkdirSync(path.dirname(path.resolve(values.out!)), { recursive: true });
  fs.writeFileSync(values.out!, JSON.stringify(out, null, 2) + '\n');
  for (const e of out) console.log(`${e.name}: ${e.value} ${e.unit}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
