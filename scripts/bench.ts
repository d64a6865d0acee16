/**
 * `npm run bench -- --out <file.json> [--quick]`: JSON array of {name, unit, value, conditions}.
 * Throughput of the host is measured beside a raw node:http echo server in the same run, with
 * the same load generator, so the numbers can be compared on whatever machine runs them.
 */
import { rotateWebhookSecret } from '@xiaoer/shared/usecases/orders/webhook';
import { execFile, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
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
import { encrypt, getSignature } from '@wecom/crypto';
import { chartRender, dailyReportBuild } from './bench-reports';
import { tagRulesBench } from './bench-tags';
import { campaignPlanBench } from './bench-campaigns';
import { firstStartBench } from './bench-start';
import { cloudCallsBench } from './bench-cloud-calls';

interface Entry {
  name: string;
  unit: string;
  value: number;
  conditions: Record<string, unknown>;
}

const { values } = parseArgs({ options: { out: { type: 'string' }, quick: { type: 'boolean' }, only: { type: 'string' } } });
// `--only orders`: just the order webhook entries (a fresh host, no browser, no big seeds), for work on that path
if (!values.out || (values.only !== undefined && values.only !== 'orders')) {
  console.error(JSON.stringify({ ok: false, code: 'INPUT.INVALID', message: '用法: npm run bench -- --out <file.json> [--quick] [--only orders]' }));
  process.exit(1);
}
const seconds = values.quick ? 3 : 10;
const concurrency = 32;
/** The steady order rate of the open-loop webhook run: orders a second across every shop on the host. */
const ORDER_RATE = 1_000;
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
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) await one();
    }),
  );
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

const BENCH_CORP = 'ww1234567890abcdef';
const BENCH_TOKEN = 'benchToken';
const BENCH_AES = 'a'.repeat(43);

interface LoadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}
interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  n: number;
  seconds: number;
  exhausted: boolean;
}

/**
 * Runs scripts/bench-load.mjs as its own process against `base`: the generator's CPU is not the
 * server's (both share this machine's cores, as they would on the owner's box).
 */
async function externalLoad(base: string, requests: LoadRequest[], warmup: number, secs = seconds, inFlight = concurrency, rate?: number): Promise<LoadResult> {
  const spec = path.join(os.tmpdir(), `xiaoer-bench-load-${process.pid}-${crypto.randomUUID()}.json`);
  fs.writeFileSync(spec, JSON.stringify({ base, concurrency: inFlight, seconds: secs, warmup, requests, ...(rate ? { rate } : {}) }));
  try {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [path.join(ROOT, 'scripts/bench-load.mjs'), spec], { timeout: (secs + 30) * 1000, maxBuffer: 1 << 20 }, (err, out) =>
        err ? reject(new Error(`load generator failed: ${err.message}`)) : resolve(out),
      ),
    );
    return JSON.parse(stdout.trim().split('\n').pop()!) as LoadResult;
  } finally {
    fs.rmSync(spec, { force: true });
  }
}

/** A raw node:http server in its own process that echoes the body back: the floor any HTTP handler pays. */
async function echoServer(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const src = `require('http').createServer((q,s)=>{const b=[];q.on('data',c=>b.push(c));q.on('end',()=>{s.writeHead(200,{'content-type':'text/plain'});s.end(Buffer.concat(b))})}).listen(${port},'127.0.0.1',()=>console.log('ready'))`;
  const child = spawn(process.execPath, ['-e', src], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => child.stdout!.once('data', r));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/**
 * `n` distinct WeCom app-message callbacks, encrypted and signed the way WeCom (and the sandbox's
 * CallbackSender) does: each has its own MsgId, so each one is verified, decrypted, deduplicated
 * against the inbox, persisted and acknowledged — none is answered from the duplicate shortcut.
 */
function signedCallbacks(merchantId: string, n: number): LoadRequest[] {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const run = crypto.randomBytes(4).toString('hex');
  return Array.from({ length: n }, (_, i) => {
    const xml =
      `<xml><ToUserName><![CDATA[${BENCH_CORP}]]></ToUserName><FromUserName><![CDATA[bench-user-${i % 50}]]></FromUserName>` +
      `<CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[压测消息 ${i}]]></Content>` +
      `<MsgId>${run}${String(i).padStart(10, '0')}</MsgId><AgentID>1000002</AgentID></xml>`;
    const encrypted = encrypt(BENCH_AES, xml, BENCH_CORP);
    const nonce = String(1e9 + i);
    const signature = getSignature(BENCH_TOKEN, timestamp, nonce, encrypted);
    return {
      method: 'POST',
      path: `/wecom/callback/${merchantId}?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`,
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: `<xml><ToUserName><![CDATA[${BENCH_CORP}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`,
    };
  });
}

/** `n` distinct paid order events, signed the way a shop's till signs them (README *Orders*). */
function signedOrders(merchantId: string, secret: string, n: number): LoadRequest[] {
  const run = crypto.randomBytes(4).toString('hex');
  const ts = String(Math.floor(Date.now() / 1000));
  const at = new Date().toISOString();
  return Array.from({ length: n }, (_, i) => {
    const qty = 1 + (i % 3);
    const body = JSON.stringify({
      orderNo: `B${run}-${i}`,
      status: 'paid',
      amountFen: 1600 * qty,
      items: [{ sku: `T0${i % 5}`, name: '杨枝甘露', qty, priceFen: 1600, category: '鲜果茶' }],
      customer: { phone: `1380000${String(i % 500).padStart(4, '0')}` },
      placedAt: at,
      updatedAt: at,
    });
    const signature = crypto.createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
    return {
      method: 'POST',
      path: `/webhook/orders/${merchantId}`,
      headers: { 'content-type': 'application/json', 'x-xiaoer-timestamp': ts, 'x-xiaoer-signature': signature },
      body,
    };
  });
}

/**
 * Sits between the host and its sandbox (WECOM_API_BASE points here) and counts the WeCom API
 * calls the sandbox served, per api — the sandbox itself only keeps a per-minute rate counter.
 */
async function countingProxy(target: () => string): Promise<{ base: string; calls: Map<string, number>; stop: () => void }> {
  const calls = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const api = url.pathname.replace(/^\/sandbox\/cgi-bin\//, '');
    calls.set(api, (calls.get(api) ?? 0) + 1);
    const t = new URL(target());
    const up = http.request({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${port}/sandbox`, calls, stop: () => server.close() };
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux); null elsewhere. Per
 * request it is what the wall time would be on an idle machine: the bench runs on shared cores.
 */
function cpuMsOf(pid: number): number | null {
  try {
    // fields after the parenthesised command name: state is 3rd, utime 14th, stime 15th
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** The host process's resident set, sampled from /proc while load runs (Linux); 0 elsewhere. */
function rssSampler(pid: number) {
  let max = 0;
  const read = () => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      max = Math.max(max, kb / 1024);
    } catch {
      /* not Linux, or the process is gone */
    }
  };
  read();
  const timer = setInterval(read, 100);
  return {
    stop: () => {
      clearInterval(timer);
      read();
      return Math.round(max);
    },
  };
}

/**
 * 100 customers write at once through the sandbox (each a real kf_msg_or_event callback to the
 * running host); counts the kf/sync_msg calls the sandbox served until every customer has a reply.
 */
async function kfSyncCalls(hostUrl: string, proxy: { calls: Map<string, number> }, merchantId: string, customers: number) {
  const ctl = async (route: string, body?: unknown) => {
    const res = await fetch(`${hostUrl}/sandbox/_control/${route}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
    return ((await res.json()) as { data: unknown }).data;
  };
  const before = proxy.calls.get('kf/sync_msg') ?? 0;
  const t0 = performance.now();
  const posted = await Promise.all(
    Array.from(
      { length: customers },
      (_, i) =>
        ctl('customer-message', { merchantId, externalUserId: `wmBench${String(i).padStart(4, '0')}`, text: '你们几点开门？' }) as Promise<{ callback: { status: number } }>,
    ),
  );
  const callbacksOk = posted.filter((p) => p.callback?.status === 200).length;
  const deadline = Date.now() + 60_000;
  let answered = 0;
  while (Date.now() < deadline) {
    const sent = (await ctl(`sent?merchantId=${merchantId}`)) as { api: string; to: string; errcode: number }[];
    answered = new Set(sent.filter((s) => s.api === 'kf/send_msg' && s.errcode === 0).map((s) => s.to)).size;
    if (answered >= customers) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const allAnsweredMs = Math.round(performance.now() - t0);
  // late re-runs of deferred entries still count
  await new Promise((r) => setTimeout(r, 1_000));
  const calls = (proxy.calls.get('kf/sync_msg') ?? 0) - before;
  return { calls, perMessage: Number((calls / customers).toFixed(3)), answered, callbacksOk, allAnsweredMs };
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
  const history = questions
    .slice(0, 10)
    .map((text, i) => ({ id: `h${i}`, merchantId: 'bench', conversationId: 'c', sender: i % 2 ? 'ai' : 'customer', at: i, type: 'text', text }) as Message);
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
    conditions: {
      faqs: faqs.length,
      historyMessages: history.length,
      calls: lat.length,
      p50_ms: q(0.5),
      index_build_ms: Number(buildMs.toFixed(2)),
      includes:
        'the channel answerer: shop rules + handoff rules + the learned handoff model (handoff-model.json) + aliases + retrieval + decision + reply safety check (index cached per knowledge-base version; listFaqs from memory)',
      target_ms: 10,
      ...machine,
    },
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
      if (r.request().resourceType() === 'script')
        void r
          .body()
          .then((b) => scripts.set(r.url(), b))
          .catch(() => undefined);
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

/**
 * The order webhook beside a fresh echo measurement (same generator, same kind of requests): 32 in
 * flight, then one at a time, then a steady open-loop rate; the host's CPU per delivery from /proc.
 */
async function orderWebhook(host: { url: string; child: { pid?: number } }, webhookSecret: string, warmup: number, perRun: number): Promise<Entry[]> {
  const out: Entry[] = [];
  const gen = { concurrency, seconds, warmup_requests: warmup, loadGenerator: 'scripts/bench-load.mjs, a separate process, keep-alive, loopback', ...machine };
  const orderEcho = await echoServer();
  const orderEchoLoad = await externalLoad(orderEcho.url, signedOrders('bench-shop', webhookSecret, perRun), warmup);
  orderEcho.stop();
  const cpuBefore = cpuMsOf(host.child.pid!);
  const orders = await externalLoad(host.url, signedOrders('bench-shop', webhookSecret, perRun), warmup);
  const cpuAfter = cpuMsOf(host.child.pid!);
  // warm-up included: every delivery the host served in that window, errors too
  const orderCpuMs = cpuBefore !== null && cpuAfter !== null ? Number(((cpuAfter - cpuBefore) / (orders.n + Math.min(warmup, perRun) + orders.errors)).toFixed(3)) : null;
  // one order system posting its events one after another (how a shop's till or mall sends them):
  // the latency of a delivery on its own, which the 32-in-flight p99 above mostly measures as queueing
  const serialSecs = Math.max(2, Math.round(seconds / 3));
  const serial = await externalLoad(host.url, signedOrders('bench-shop', webhookSecret, perRun), 20, serialSecs, 1);
  // many tills at a steady 1,000 orders a second (open loop, latency from when each was due): the
  // latency at a load far above any realistic host's, but below saturation, unlike the 32-in-flight run
  const steady = await externalLoad(host.url, signedOrders('bench-shop', webhookSecret, 20 + serialSecs * ORDER_RATE + 100), 20, serialSecs, 64, ORDER_RATE);
  const orderCond = {
    ...gen,
    requests: 'distinct signed order events (paid, 1–3 items, customer by phone) POSTed to /webhook/orders/<merchant>',
    includes:
      'HMAC-SHA256 check (the shop and its sealed secret read per delivery, from the SQLite read cache while no commit changed them; unsealed once per rotation) + zod + facts counted once + customer totals + order write (SQLite; counters and order writes group-committed with concurrent deliveries) + 200',
  };
  out.push({
    name: 'orders.webhook.throughput',
    unit: 'req/s',
    value: orders.rps,
    conditions: {
      ...orderCond,
      p50_ms: orders.p50,
      errors: orders.errors,
      n: orders.n,
      exhausted: orders.exhausted,
      echo_rps: orderEchoLoad.rps,
      // the host's CPU over the orders window / deliveries served: the idle-machine cost of one (an upper bound: work left from the callback scenario runs then too)
      host_cpu_ms_per_request: orderCpuMs,
    },
  });
  out.push({ name: 'orders.webhook.p99_ms', unit: 'ms', value: orders.p99, conditions: { ...orderCond, p50_ms: orders.p50, target_ms: 20 } });
  out.push({
    name: 'orders.webhook.serial.p99_ms',
    unit: 'ms',
    value: serial.p99,
    conditions: { ...orderCond, concurrency: 1, seconds: serialSecs, p50_ms: serial.p50, n: serial.n, errors: serial.errors, target_ms: 20 },
  });
  out.push({
    name: 'orders.webhook.steady.p99_ms',
    unit: 'ms',
    value: steady.p99,
    conditions: {
      ...orderCond,
      concurrency: undefined,
      offered_rps: ORDER_RATE,
      served_rps: steady.rps,
      seconds: serialSecs,
      p50_ms: steady.p50,
      n: steady.n,
      errors: steady.errors,
      target_ms: 20,
      note: 'open loop: each delivery due at a fixed rate, latency counted from when it was due (no coordinated omission), up to 64 connections',
    },
  });
  out.push({
    name: 'orders.webhook.vs_echo',
    unit: 'ratio',
    value: Number((orders.rps / Math.max(1, orderEchoLoad.rps)).toFixed(3)),
    conditions: { ...orderCond, echo_rps: orderEchoLoad.rps, echo_p50_ms: orderEchoLoad.p50, echo_p99_ms: orderEchoLoad.p99, ingest_rps: orders.rps },
  });
  return out;
}

async function main() {
  const out: Entry[] = [];
  const cond = (extra: Record<string, unknown> = {}) => ({ concurrency, seconds, loadGenerator: 'node:http keep-alive, same machine', ...machine, ...extra });

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-bench-'));
  const setup = await createHostRuntime({ config: loadConfig({ DATA_DIR: dataDir }), logger: createLogger('silent') });
  await createMerchant(setup.deps, { id: 'bench-shop', name: '压测店', corpId: BENCH_CORP, token: BENCH_TOKEN, aesKey: BENCH_AES });
  // the 微信客服 shop for the sync-calls scenario: secrets the sandbox accepts, one FAQ to answer from
  await createMerchant(setup.deps, {
    id: 'bench-kf',
    name: '压测客服店',
    corpId: 'ww5566778899001122',
    token: BENCH_TOKEN,
    aesKey: BENCH_AES,
    appSecret: 'bench-app-secret-1',
    contactSecret: 'bench-contact-secret-2',
    kfSecret: 'bench-kf-secret-3',
    agentId: 1000002,
  });
  await setup.deps.storage.knowledge.upsertFaq({
    id: 'hours',
    merchantId: 'bench-kf',
    question: '你们几点开门',
    answer: '每天早上十点开门，晚上十点打烊',
    alternatives: ['营业时间'],
    enabled: true,
    updatedAt: 0,
  });

  // the host's WeCom API calls go through a counting proxy to its own sandbox
  let hostUrl = '';
  const proxy = await countingProxy(() => `${hostUrl}/sandbox`);
  const t0 = performance.now();
  const host = await startHost({ SEED_DEMO: '0', LOG_LEVEL: 'error', WECOM_API_BASE: proxy.base }, dataDir);
  hostUrl = host.url;
  await host.waitFor(/listening on/);
  for (;;) {
    try {
      if ((await fetch(`${host.url}/healthz`)).ok) break;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  out.push({
    name: 'host.start_to_healthz',
    unit: 'ms',
    value: Math.round(performance.now() - t0),
    conditions: cond({ note: 'spawn of the tsx entry until /healthz answers 200' }),
  });
  await host.waitFor(/Owner app:/);

  // login links are single-use: one for the api cookie, one for the browser's first screen
  const link = await makeLoginLink(setup, 'bench-shop', 'owner', host.url);
  const browserLink = await makeLoginLink(setup, 'bench-shop', 'owner', host.url);
  const { secret: webhookSecret } = await rotateWebhookSecret(setup.deps, 'bench-shop', 'bench');
  await setup.close();
  // callback ingest and the order webhook: a warm-up not counted, then a bounded list of distinct requests
  const warmup = 500;
  const perRun = warmup + seconds * 4_000;
  if (values.only === 'orders') {
    const entries = await orderWebhook(host, webhookSecret, warmup, perRun);
    await host.stop();
    proxy.stop();
    return writeOut(entries);
  }
  const cookie = ((await fetch(link, { redirect: 'manual' })).headers.get('set-cookie') ?? '').split(';')[0];

  const raw = await rawEcho();
  const echo = await load(`${raw.url}/healthz`, { method: 'GET' });
  raw.stop();
  const health = await load(`${host.url}/healthz`, { method: 'GET' });
  const me = await load(`${host.url}/fn/api`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: '{"action":"dashboard.today","merchantId":"bench-shop"}',
  });
  const h5 = await h5FirstScreen(browserLink).catch((err: Error) => ({ skipped: err.message }));

  // callback ingest beside a raw echo server: same generator process, same kind of requests, warmed up
  const echoSrv = await echoServer();
  const echoLoad = await externalLoad(echoSrv.url, signedCallbacks('bench-shop', perRun), warmup);
  echoSrv.stop();
  const rss = rssSampler(host.child.pid!);
  const ingest = await externalLoad(host.url, signedCallbacks('bench-shop', perRun), warmup);
  const kf = await kfSyncCalls(host.url, proxy, 'bench-kf', 100);
  const orderEntries = await orderWebhook(host, webhookSecret, warmup, perRun);
  const rssMb = rss.stop();
  await host.stop();
  proxy.stop();

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
    out.push({
      name: 'app.h5.today_numbers_ms',
      unit: 'ms',
      value: h5.coldMs,
      conditions: { ...machine, warm_ms: h5.warmMs, target_ms: 1000, from: 'page.goto(login link) until 今日 shows its counters', browser: 'Chromium 390×844 @2x, loopback' },
    });
    out.push({
      name: 'app.h5.first_screen_js_gzip',
      unit: 'bytes',
      value: h5.jsGzip,
      conditions: {
        raw_bytes: h5.jsRaw,
        files: h5.jsFiles,
        target_bytes: 300 * 1024,
        note: 'every script the browser loaded until 今日 showed its counters, gzipped here (level 9)',
      },
    });
  }

  const gen = { concurrency, seconds, warmup_requests: warmup, loadGenerator: 'scripts/bench-load.mjs, a separate process, keep-alive, loopback', ...machine };
  const ingestCond = {
    ...gen,
    requests: 'distinct signed + AES-encrypted WeCom callbacks (text messages) POSTed to /wecom/callback/<merchant>',
    includes: 'verify signature + decrypt + parse + dedupe + persist (SQLite) + 200; the processing after the ack runs in the same process meanwhile',
  };
  out.push(...orderEntries);
  out.push({
    name: 'callback.ingest.raw_echo.throughput',
    unit: 'req/s',
    value: echoLoad.rps,
    conditions: { ...gen, p50_ms: echoLoad.p50, p99_ms: echoLoad.p99, errors: echoLoad.errors, n: echoLoad.n, exhausted: echoLoad.exhausted },
  });
  out.push({
    name: 'callback.ingest.throughput',
    unit: 'req/s',
    value: ingest.rps,
    conditions: { ...ingestCond, p50_ms: ingest.p50, errors: ingest.errors, n: ingest.n, exhausted: ingest.exhausted },
  });
  out.push({ name: 'callback.ingest.p99_ms', unit: 'ms', value: ingest.p99, conditions: { ...ingestCond, p50_ms: ingest.p50, target_ms: 20 } });
  out.push({
    name: 'callback.ingest.vs_echo',
    unit: 'ratio',
    value: Number((ingest.rps / Math.max(1, echoLoad.rps)).toFixed(3)),
    conditions: { ...ingestCond, echo_rps: echoLoad.rps, ingest_rps: ingest.rps, floor: 0.25, goal: 0.4 },
  });
  out.push({
    name: 'kf.sync_calls_per_message',
    unit: 'calls/message',
    value: kf.perMessage,
    conditions: {
      customers: 100,
      how: '100 customers each send one message at once via POST /sandbox/_control/customer-message (a real kf_msg_or_event callback each); kf/sync_msg calls counted by a proxy in front of the sandbox until every customer was answered (+1 s)',
      sync_calls: kf.calls,
      customers_answered: kf.answered,
      callbacks_acked: kf.callbacksOk,
      all_answered_ms: kf.allAnsweredMs,
      target: 1.5,
      ...machine,
    },
  });
  out.push({
    name: 'host.rss_under_load_mb',
    unit: 'MB',
    value: rssMb,
    conditions: { sampled: 'max VmRSS of the host process every 100 ms during callback ingest and the 100-customer kf scenario', target_mb: 300, ...machine },
  });

  out.push(await answerPipeline());
  out.push(...(await chartRender(Boolean(values.quick), machine)));
  // the quick run builds a much smaller shop's report (seeding 1M messages takes minutes)
  out.push(...(await dailyReportBuild(Boolean(values.quick), machine)));
  out.push(...(await tagRulesBench(Boolean(values.quick), machine)));
  out.push(...(await campaignPlanBench(Boolean(values.quick), machine)));
  // what one customer message and the scheduler cost in CloudBase requests (issue 17: the monthly cost)
  out.push(...(await cloudCallsBench(Boolean(values.quick), machine)));
  // full run only: a cold H5 build takes about a minute
  out.push(...(await firstStartBench(Boolean(values.quick), machine)));

  const size = spawnSync(process.execPath, [path.join(ROOT, 'scripts/weapp-size.mjs')], { encoding: 'utf8' });
  if (size.status === 0) {
    const s = JSON.parse(size.stdout.trim().split('\n').pop()!);
    out.push({ name: 'app.weapp.main_package', unit: 'bytes', value: s.mainBytes, conditions: { limit: 2 * 1024 * 1024, target: 0.6 * 1024 * 1024 } });
  }
  writeOut(out);
}

function writeOut(out: Entry[]) {
  fs.mkdirSync(path.dirname(path.resolve(values.out!)), { recursive: true });
  fs.writeFileSync(values.out!, JSON.stringify(out, null, 2) + '\n');
  for (const e of out) console.log(`${e.name}: ${e.value} ${e.unit}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
