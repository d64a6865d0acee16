/**
 * What one customer message costs on CloudBase (issue 17 item 5: the go-live guide's monthly
 * cost), measured, not estimated: `node --import tsx scripts/bench-cloud-calls.ts [--quick]
 * [--out file.json]`, and one entry group of `npm run bench`.
 *
 * The pieces, all on this machine:
 * - the database: the CloudBase wire-protocol double (test/cloudbase-fake), whose engine logs every
 *   request the SDK sends — that log is what is counted, split by wire action and collection;
 * - the `wecom` function: a child process that plays one warm instance of the deployed function,
 *   calling its real CloudBase entry (cloudfunctions/wecom/main.ts `main`, inline processing, the
 *   deploy's 60 s timeout) for every request the HTTP access service would hand it; its own
 *   process, so its CPU time and peak memory are its own;
 * - WeCom: the sandbox (on its own SQLite storage, never the counted database) delivers each
 *   customer's kf message as a real encrypted `kf_msg_or_event` callback and serves sync_msg,
 *   send_msg and the token;
 * - the model (second scenario): an OpenAI-compatible stand-in that answers with the matching FAQ,
 *   so the product's model path (prompt, budget ledger, grounding check) runs as with a real one;
 * - the `scheduler` function: `handleScheduler` (what its entry runs) over the same kind of
 *   storage with a manual clock, to pick a minute with nothing due and the shop's report time.
 *
 * Messages are sent one at a time (a small shop's customers rarely overlap), round robin over the
 * customers; each customer's first message is reported apart (a new customer's records) and the
 * rest are the steady state. Nothing here asserts a time: the numbers go to the JSON.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ManualClock } from '@xiaoer/shared/domain/time';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { startFakeCloudbase } from '../test/cloudbase-fake/server';
import { loadConfig } from '../cloudfunctions/server/config';
import { createRuntime, type Runtime } from '../cloudfunctions/server/composition';
import { createHostRuntime } from '../cloudfunctions/server/runtime-host';
import { openCloudbaseStorage } from '../cloudfunctions/server/storage/cloudbase';
import { createHostServer } from '../cloudfunctions/server/host/server';
import { createWecomSandbox } from '../cloudfunctions/server/wecom-sandbox';
import { createLogger } from '../cloudfunctions/server/logger';
import { handleScheduler } from '../cloudfunctions/scheduler';
import { createChartRenderer } from '../cloudfunctions/server/charts/renderer';
import { DEPLOY as WECOM_DEPLOY } from '../cloudfunctions/wecom/deploy';
import { DEPLOY as SCHEDULER_DEPLOY } from '../cloudfunctions/scheduler/deploy';
import type { BenchEntry } from './bench-reports';

const ROOT = path.resolve(__dirname, '..');
const SHOP = 'cost-shop';
const MASTER_KEY = 'e'.repeat(64);
const CLOUD_ENV = { CLOUDBASE_ENV_ID: 'cost-env', TENCENTCLOUD_SECRETID: 'AKIDcost', TENCENTCLOUD_SECRETKEY: 'cost', APP_MASTER_KEY: MASTER_KEY };
const PUBLIC_URL = 'https://shop.example.com';

/** The knowledge base every scenario answers from, and questions that each match one FAQ. */
const FAQS = [
  { id: 'hours', question: '你们几点开门', answer: '每天早上十点开门，晚上十点打烊', alternatives: ['营业时间'] },
  { id: 'delivery', question: '可以送外卖吗', answer: '可以，美团和饿了么都能点，三公里内半小时送到', alternatives: ['外卖', '配送'] },
  { id: 'parking', question: '店门口能停车吗', answer: '门口有六个免费车位，满了可以停对面商场', alternatives: ['停车'] },
  { id: 'sugar', question: '可以少糖吗', answer: '可以，糖度有全糖、七分、五分、三分和无糖', alternatives: ['少糖', '无糖'] },
  { id: 'member', question: '怎么办会员', answer: '到店消费满一杯就能扫码入会，积分可以换饮品', alternatives: ['会员卡', '积分'] },
];
const QUESTIONS: [string, string][] = [
  ['你们几点开门？', 'hours'],
  ['外卖能送吗', 'delivery'],
  ['店门口能停车吗', 'parking'],
  ['可以少糖吗？', 'sugar'],
  ['会员怎么办', 'member'],
  ['营业时间是几点到几点', 'hours'],
  ['有配送吗', 'delivery'],
  ['停车方便吗', 'parking'],
  ['能做无糖的吗', 'sugar'],
  ['积分能换什么', 'member'],
];

/** One database request; `bare`: a get with no filter (the cold start's "does this collection exist"). */
type Op = { action: string; collection?: string; ns?: string; bare?: boolean };

/**
 * The CloudBase double (test/cloudbase-fake/server.ts), keeping one more thing per request: the
 * kv namespace it touched (kv ids are `<merchant>:<namespace>:<key>`), because kv is where most of
 * a message's requests go.
 */
async function startCountingCloudbase() {
  const ops: Op[] = [];
  const onRequest = (body: Record<string, unknown>) => {
    const action = typeof body.action === 'string' ? body.action : '';
    const collection = typeof body.collectionName === 'string' ? body.collectionName : undefined;
    const text = [body.query, body.data]
      .flat()
      .filter((v) => typeof v === 'string')
      .join(' ');
    const ns = collection === 'kv' ? (/"_id":"[\w-]+:([^:"]+):/.exec(text)?.[1] ?? /"ns":"([^"]+)"/.exec(text)?.[1] ?? '?') : undefined;
    const bare = action === 'database.getDocument' && (!body.query || body.query === '{}');
    ops.push({ action, collection, ...(ns ? { ns } : {}), ...(bare ? { bare } : {}) });
  };
  const fake = await startFakeCloudbase({ onRequest });
  return { url: fake.url, ops, close: fake.close };
}
const KIND: Record<string, 'read' | 'count' | 'write' | 'other'> = {
  'database.getDocument': 'read',
  'database.calculateDocument': 'count',
  'database.insertDocument': 'write',
  'database.modifyDocument': 'write',
  'database.removeDocument': 'write',
};
const VERB: Record<string, string> = {
  'database.getDocument': 'get',
  'database.calculateDocument': 'count',
  'database.insertDocument': 'add',
  'database.modifyDocument': 'update',
  'database.removeDocument': 'remove',
  'database.addCollection': 'createCollection',
};

/** Database requests in `ops`, per kind and per `collection.verb`, divided by `per`. */
function summarize(ops: Op[], per: number) {
  const r = (n: number) => Number((n / per).toFixed(2));
  const kinds = { read: 0, count: 0, write: 0, other: 0 };
  const byCollection = new Map<string, number>();
  for (const o of ops) {
    kinds[KIND[o.action] ?? 'other']++;
    const key = `${o.collection ?? '-'}${o.ns ? `[${o.ns}]` : ''}.${VERB[o.action] ?? o.action}`;
    byCollection.set(key, (byCollection.get(key) ?? 0) + 1);
  }
  return {
    total: r(ops.length),
    reads: r(kinds.read),
    counts: r(kinds.count),
    writes: r(kinds.write),
    other: r(kinds.other),
    byCollection: Object.fromEntries([...byCollection].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, r(v)])),
  };
}

// ---- the `wecom` function instance (child process) ----------------------------------------

/**
 * One warm instance of the `wecom` function behind CloudBase's HTTP access service: each request
 * becomes the HTTP trigger event and goes to the function's own entry. `GET /_stats` (not a
 * function path) reports invocations, their wall times and the process's CPU and peak memory.
 */
async function functionInstance() {
  const { main } = await import('../cloudfunctions/wecom/main');
  const walls: number[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/_stats') {
      const cpu = process.cpuUsage();
      const status = fs.readFileSync('/proc/self/status', 'utf8');
      const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      res.end(JSON.stringify({ invocations: walls.length, walls, cpuMs: (cpu.user + cpu.system) / 1000, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 }));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const t0 = performance.now();
      const timeoutMs = WECOM_DEPLOY.timeoutS * 1000;
      void main(
        {
          path: url.pathname,
          httpMethod: req.method ?? 'GET',
          queryStringParameters: Object.fromEntries(url.searchParams),
          headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
          body: Buffer.concat(chunks).toString('utf8'),
          isBase64Encoded: false,
        },
        { getRemainingTimeInMillis: () => timeoutMs - (performance.now() - t0) },
      ).then((out) => {
        walls.push(performance.now() - t0);
        res.writeHead(out.statusCode, out.headers);
        res.end(out.body);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  console.log(`listening ${(server.address() as AddressInfo).port}`);
}

interface Stats {
  invocations: number;
  walls: number[];
  cpuMs: number;
  rssMb: number;
  peakRssMb: number;
}

async function startFunctionInstance(env: Record<string, string>): Promise<{ url: string; stats: () => Promise<Stats>; child: ChildProcess; fallbacks: () => number }> {
  // the product's own word that a model answer was not used (logged at warn)
  let fallbacks = 0;
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--instance'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(m[1]!);
      fallbacks += (c.toString().match(/fell back to retrieval/g) ?? []).length;
    });
    child.once('exit', (code) => reject(new Error(`function instance exited (${code})`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return { url, child, fallbacks: () => fallbacks, stats: async () => (await (await fetch(`${url}/_stats`)).json()) as Stats };
}

// ---- the model stand-in ----------------------------------------------------------------------

/** Characters a tokenizer sees as CJK (DeepSeek's rule of thumb: about 0.6 token each, 0.3 for others). */
const CJK = /[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/g;
const tokenEstimate = (s: string) => {
  const cjk = s.match(CJK)?.length ?? 0;
  return Math.round(cjk * 0.6 + (s.length - cjk) * 0.3);
};

/**
 * An OpenAI-compatible chat endpoint that answers with the FAQ the customer's question matches,
 * as a well-behaved model would. It keeps what it was sent: calls and characters are measured
 * here; tokens can only be estimated (its `usage` is that estimate, which the budget ledger records).
 */
async function fakeModel() {
  const seen: { promptChars: number; completionChars: number; promptTokensEst: number; completionTokensEst: number }[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as { messages?: { role: string; content: string }[] };
      const prompt = (body.messages ?? []).map((m) => m.content).join('\n');
      const last = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user')?.content ?? '';
      // the question is the customer's latest line of the prompt: the FAQ of the question in it
      const faqId = QUESTIONS.find(([q]) => last.includes(q))?.[1] ?? 'hours';
      const faq = FAQS.find((f) => f.id === faqId)!;
      const content = JSON.stringify({ answer: faq.answer, knowledge_ids: [faq.id], confidence: 0.92, handoff: null });
      const usage = { prompt_tokens: tokenEstimate(prompt), completion_tokens: tokenEstimate(content) };
      seen.push({ promptChars: prompt.length, completionChars: content.length, promptTokensEst: usage.prompt_tokens, completionTokensEst: usage.completion_tokens });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: crypto.randomUUID(),
          object: 'chat.completion',
          created: 0,
          model: 'cost-bench',
          choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
          usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen, close: () => server.close() };
}

// ---- WeCom (the sandbox) ----------------------------------------------------------------------

/** The sandbox on its own SQLite storage (never the counted database); callbacks go to `callbackBase()`. */
async function startWecom(callbackBase: () => string) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-cost-wecom-'));
  const rt = await createHostRuntime({
    config: loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', SEED_DEMO: '0' }),
    logger: createLogger('silent'),
  });
  const h5 = path.join(dataDir, 'h5');
  fs.mkdirSync(h5, { recursive: true });
  fs.writeFileSync(path.join(h5, 'index.html'), '<!doctype html>');
  const server = createHostServer(rt, { h5Dir: h5, sandbox: createWecomSandbox(rt, { hostBaseUrl: callbackBase }) });
  // the WeCom API calls the product made, per api (the sandbox's sent list has only the sends)
  const apiCalls = new Map<string, number>();
  server.on('request', (req: http.IncomingMessage) => {
    const api = /^\/sandbox\/cgi-bin\/([^?]+)/.exec(req.url ?? '')?.[1];
    if (api) apiCalls.set(api, (apiCalls.get(api) ?? 0) + 1);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  rt.setHostBaseUrl(url);
  const ctl = async (route: string, body?: unknown) => {
    const res = await fetch(`${url}/sandbox/_control/${route}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
    return ((await res.json()) as { data: any }).data; // eslint-disable-line @typescript-eslint/no-explicit-any -- the control routes' JSON
  };
  return {
    url,
    rt,
    ctl,
    apiCalls,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await rt.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The same shop on both sides: the product's (CloudBase) storage and the sandbox's. */
async function seedShop(deps: Deps, id: string, corpId: string, ownerUserId?: string) {
  await createMerchant(deps, {
    id,
    name: '成本测算店',
    corpId,
    token: 'costToken',
    aesKey: 'b'.repeat(43),
    appSecret: `cost-app-secret-${id}`,
    contactSecret: `cost-contact-secret-${id}`,
    kfSecret: `cost-kf-secret-${id}`,
    agentId: 1000002,
  });
  for (const f of FAQS) await deps.storage.knowledge.upsertFaq({ ...f, merchantId: id, enabled: true, updatedAt: 0 });
  if (ownerUserId) {
    await deps.storage.members.add({
      id: `owner-${id}`,
      merchantId: id,
      openid: `o-${id}`,
      name: '老板',
      role: 'owner',
      onDuty: true,
      wecomUserId: ownerUserId,
      createdAt: deps.clock.now(),
    });
  }
}

function cloudConfig(serviceUrl: string, wecomBase: string, extra: Record<string, string> = {}) {
  return { APP_RUNTIME: 'cloudbase', ...CLOUD_ENV, CLOUDBASE_SERVICE_URL: serviceUrl, WECOM_API_BASE: wecomBase, PUBLIC_URL, LOG_LEVEL: 'error', ...extra };
}

// ---- scenario 1 and 2: customer messages through the kf loop ----------------------------------

interface MessageRun {
  scenario: string;
  messages: number;
  customers: number;
  answered: number;
  invocationsPerMessage: number;
  db: ReturnType<typeof summarize>;
  firstMessageDb: ReturnType<typeof summarize>;
  /** The requests an instance's first invocation adds (collection checks), and that invocation's wall time. */
  coldStart: { requests: number; byCollection: Record<string, number>; wallMs: number };
  wallMs: { mean: number; p50: number; max: number };
  cpuMsPerMessage: number;
  peakRssMb: number;
  wecomApiPerMessage: Record<string, number>;
  model?: { fallbacks: number; callsPerMessage: number; promptChars: number; completionChars: number; promptTokensEst: number; completionTokensEst: number };
}

export async function messageScenario(scenario: 'offline' | 'model', customers: number, perCustomer: number): Promise<MessageRun> {
  const fake = await startCountingCloudbase();
  const model = scenario === 'model' ? await fakeModel() : null;
  let fnUrl = '';
  const wecom = await startWecom(() => fnUrl);
  const llm: Record<string, string> = model ? { LLM_API_KEY: 'cost-bench-key', LLM_BASE_URL: model.url, LLM_MODEL: 'cost-bench' } : {};
  const env = cloudConfig(fake.url, `${wecom.url}/sandbox`, { ...llm, LOG_LEVEL: 'warn' });
  const corpId = 'ww5566778899001122';
  // the product's records, written as the CLI would (same master key as the function)
  const seeder = await createRuntime({ config: loadConfig({ ...env, LOG_LEVEL: 'silent' }), openStorage: openCloudbaseStorage, logger: createLogger('silent') });
  await seedShop(seeder.deps, SHOP, corpId);
  await seedShop(wecom.rt.deps, SHOP, corpId);
  const fn = await startFunctionInstance(env);
  fnUrl = fn.url;
  try {
    const who = Array.from({ length: customers }, (_, i) => `wmCost${String(i).padStart(3, '0')}`);
    let q = 0;
    const sentCount = async () =>
      ((await wecom.ctl(`sent?merchantId=${SHOP}`)) as { api: string; errcode: number }[]).filter((s) => s.api === 'kf/send_msg' && s.errcode === 0).length;
    const send = async (customer: string) => {
      const [text] = QUESTIONS[q++ % QUESTIONS.length]!;
      const before = await sentCount();
      const posted = await wecom.ctl('customer-message', { merchantId: SHOP, externalUserId: customer, text });
      if (posted?.callback?.status !== 200) throw new Error(`callback not acknowledged: ${JSON.stringify(posted?.callback)}`);
      // inline processing: the reply went out before the function answered; wait a little for strays
      for (let i = 0; i < 50 && (await sentCount()) <= before; i++) await new Promise((r) => setTimeout(r, 100));
    };

    // the instance's cold start, on a message from a customer not counted anywhere else
    const coldFrom = fake.ops.length;
    await send('wmCostWarmup');
    const coldOps = fake.ops.slice(coldFrom).filter((o) => o.action === 'database.addCollection' || o.bare === true);
    // each customer's first message: a new customer (not the steady state)
    const firstFrom = fake.ops.length;
    for (const c of who) await send(c);
    const firstOps = fake.ops.slice(firstFrom);

    const s0 = await fn.stats();
    const from = fake.ops.length;
    const calls0 = new Map(wecom.apiCalls);
    const answered0 = await sentCount();
    const modelFrom = model?.seen.length ?? 0;
    for (let round = 0; round < perCustomer; round++) for (const c of who) await send(c);
    await new Promise((r) => setTimeout(r, 500));
    const n = customers * perCustomer;
    const ops = fake.ops.slice(from);
    const s1 = await fn.stats();
    const calls1 = new Map(wecom.apiCalls);
    const walls = s1.walls.slice(s0.invocations).sort((a, b) => a - b);
    const wecomApiPerMessage = Object.fromEntries([...calls1].map(([api, v]) => [api, Number(((v - (calls0.get(api) ?? 0)) / n).toFixed(2))]).filter(([, v]) => (v as number) > 0));
    const seen = model?.seen.slice(modelFrom) ?? [];
    const avg = (f: (s: (typeof seen)[number]) => number) => Math.round(seen.reduce((a, s) => a + f(s), 0) / Math.max(1, seen.length));
    return {
      scenario,
      messages: n,
      customers,
      answered: (await sentCount()) - answered0,
      invocationsPerMessage: Number(((s1.invocations - s0.invocations) / n).toFixed(2)),
      db: summarize(ops, n),
      firstMessageDb: summarize(firstOps, customers),
      coldStart: { requests: coldOps.length, byCollection: summarize(coldOps, 1).byCollection, wallMs: Math.round(s1.walls[0] ?? 0) },
      wallMs: {
        mean: Math.round(walls.reduce((a, b) => a + b, 0) / Math.max(1, walls.length)),
        p50: Math.round(walls[Math.floor(walls.length / 2)] ?? 0),
        max: Math.round(walls[walls.length - 1] ?? 0),
      },
      cpuMsPerMessage: Number(((s1.cpuMs - s0.cpuMs) / n).toFixed(1)),
      peakRssMb: Math.round(s1.peakRssMb),
      wecomApiPerMessage,
      ...(model
        ? {
            model: {
              fallbacks: fn.fallbacks(),
              callsPerMessage: Number((seen.length / n).toFixed(2)),
              promptChars: avg((s) => s.promptChars),
              completionChars: avg((s) => s.completionChars),
              promptTokensEst: avg((s) => s.promptTokensEst),
              completionTokensEst: avg((s) => s.completionTokensEst),
            },
          }
        : {}),
    };
  } finally {
    fn.child.kill();
    await seeder.close();
    await wecom.close();
    model?.close();
    await fake.close();
  }
}

// ---- scenario 3: the scheduler's background load ---------------------------------------------

/** Tuesday 2026-11-24 15:37 in Shanghai: no daily, weekly or monthly slot near it. */
const IDLE_AT = Date.parse('2026-11-24T15:37:00+08:00');
const MINUTE = 60_000;

interface SchedulerRun {
  shops: number;
  idleTick: ReturnType<typeof summarize> & { maxPerTick: number; jobsPerTick: number };
  day: ReturnType<typeof summarize> & { ticks: number; jobsRun: number };
  dailyReport: ReturnType<typeof summarize> & { pushed: number };
}

export async function schedulerScenario(shops: number, fullDay: boolean): Promise<SchedulerRun> {
  const fake = await startCountingCloudbase();
  const wecom = await startWecom(() => 'http://127.0.0.1:9');
  // the shops were made a week before: a shop made today has no earlier slots to name, and every
  // tick of an established shop names its latest daily, weekly and monthly slots again
  const clock = new ManualClock(IDLE_AT - 8 * 24 * 60 * MINUTE);
  const rt: Runtime = await createRuntime({
    config: loadConfig(cloudConfig(fake.url, `${wecom.url}/sandbox`, { LOG_LEVEL: 'silent' })),
    openStorage: openCloudbaseStorage,
    // as the scheduler function's entry does: the weekly report draws its chart
    charts: createChartRenderer(),
    clock,
    logger: createLogger('silent'),
  });
  try {
    for (let i = 0; i < shops; i++) {
      const id = `cost-shop-${i}`;
      const corpId = `ww${crypto.createHash('sha1').update(id).digest('hex').slice(0, 16)}`;
      await seedShop(rt.deps, id, corpId, `Boss${i}`);
      await seedShop(wecom.rt.deps, id, corpId);
    }
    clock.set(IDLE_AT);
    const tick = async () => {
      const from = fake.ops.length;
      const report = await handleScheduler(rt);
      return { ops: fake.ops.slice(from), report };
    };
    // warm: the first ticks catch up what a week without ticks left (the latest report slots,
    // token refresh, sweeps); not counted
    for (let i = 0; i < 10; i++) {
      await tick();
      clock.advance(MINUTE);
    }
    // idle minutes: nothing due for any shop
    const idle: Op[] = [];
    let maxPerTick = 0;
    let idleJobs = 0;
    const idleTicks = 10;
    for (let i = 0; i < idleTicks; i++) {
      const t = await tick();
      idle.push(...t.ops);
      idleJobs += t.report.claimed;
      maxPerTick = Math.max(maxPerTick, t.ops.length);
      clock.advance(MINUTE);
    }
    // the report time (21:00): the tick that builds and pushes every shop's daily report, less an idle tick
    clock.set(Date.parse('2026-11-24T21:00:00+08:00'));
    const sentBefore = await countSent(wecom, shops);
    const reportTick = await tick();
    const pushed = (await countSent(wecom, shops)) - sentBefore;
    const idleMean = idle.length / idleTicks;
    const reportSummary = summarize(reportTick.ops, shops);
    const dailyReport = { ...reportSummary, total: Number(((reportTick.ops.length - idleMean) / shops).toFixed(2)), pushed };
    // a whole day of ticks, one a minute: what the scheduler costs each day, every job included
    const dayOps: Op[] = [];
    let jobsRun = 0;
    const ticks = fullDay ? 1440 : 0;
    clock.set(Date.parse('2026-11-25T00:00:30+08:00'));
    for (let i = 0; i < ticks; i++) {
      const t = await tick();
      dayOps.push(...t.ops);
      jobsRun += t.report.claimed;
      clock.advance(MINUTE);
    }
    return {
      shops,
      idleTick: { ...summarize(idle, idleTicks), maxPerTick, jobsPerTick: idleJobs / idleTicks },
      day: { ...summarize(dayOps, 1), ticks, jobsRun },
      dailyReport,
    };
  } finally {
    await rt.close();
    await wecom.close();
    await fake.close();
  }
}

async function countSent(wecom: Awaited<ReturnType<typeof startWecom>>, shops: number): Promise<number> {
  let n = 0;
  for (let i = 0; i < shops; i++) {
    const sent = (await wecom.ctl(`sent?merchantId=cost-shop-${i}`)) as { api: string; errcode: number }[];
    n += sent.filter((s) => s.api === 'message/send' && s.errcode === 0).length;
  }
  return n;
}

// ---- the bench entries --------------------------------------------------------------------------

/**
 * `quick`: a smoke run of the same paths (15 messages, no model, 1 shop, no day). `tenShopDay`:
 * also the 10-shop day (about 4 minutes on 2 cores): the script run alone does it, `npm run bench` does not.
 */
export async function cloudCallsBench(quick: boolean, machine: Record<string, unknown>, tenShopDay = false): Promise<BenchEntry[]> {
  // the quick run is a smoke run of the same path (15 messages); the full run is the measure (60)
  const customers = quick ? 5 : 6;
  const perCustomer = quick ? 3 : 10;
  const out: BenchEntry[] = [];
  const counted =
    "every request @cloudbase/node-sdk sent to the CloudBase double (test/cloudbase-fake), per message, steady state: each customer's first message excluded (reported as first_message)";
  const notCounted =
    'the owner app (api function) reading the new messages; WeCom retries of a callback; cold starts (collection checks); CloudBase HTTP access service and outbound traffic; log storage';
  for (const scenario of quick ? (['offline'] as const) : (['offline', 'model'] as const)) {
    const r = await messageScenario(scenario, customers, perCustomer);
    const cond = {
      scenario:
        scenario === 'offline' ? 'answered by the offline engine (no model configured)' : 'answered by the model (an OpenAI-compatible stand-in answering with the matching FAQ)',
      messages: r.messages,
      customers: r.customers,
      answered: r.answered,
      how: 'one kf text message at a time via the sandbox (a real encrypted kf_msg_or_event callback) to a child process calling cloudfunctions/wecom/main.ts main (inline processing)',
      ...machine,
    };
    const prefix = `cloud.kf_message.${scenario}`;
    out.push({ name: `${prefix}.function_invocations`, unit: 'invocations/message', value: r.invocationsPerMessage, conditions: { ...cond, function: 'wecom' } });
    out.push({
      name: `${prefix}.db_requests`,
      unit: 'requests/message',
      value: r.db.total,
      conditions: { ...cond, reads: r.db.reads, counts: r.db.counts, writes: r.db.writes, other: r.db.other, by_collection: r.db.byCollection, counted, not_counted: notCounted },
    });
    out.push({
      name: `${prefix}.first_message.db_requests`,
      unit: 'requests/message',
      value: r.firstMessageDb.total,
      conditions: {
        ...cond,
        messages: customers,
        reads: r.firstMessageDb.reads,
        counts: r.firstMessageDb.counts,
        writes: r.firstMessageDb.writes,
        by_collection: r.firstMessageDb.byCollection,
      },
    });
    out.push({
      name: `${prefix}.cold_start.db_requests`,
      unit: 'requests/cold start',
      value: r.coldStart.requests,
      conditions: {
        ...cond,
        messages: 1,
        first_invocation_wall_ms: r.coldStart.wallMs,
        note: 'what a new instance adds to its first invocation (every collection created or checked); module loading not included in the wall time',
        by_collection: r.coldStart.byCollection,
      },
    });
    out.push({
      name: `${prefix}.function_wall_ms`,
      unit: 'ms/invocation',
      value: r.wallMs.mean,
      conditions: {
        ...cond,
        p50_ms: r.wallMs.p50,
        max_ms: r.wallMs.max,
        cpu_ms_per_message: r.cpuMsPerMessage,
        peak_rss_mb: r.peakRssMb,
        deploy_memory_mb: WECOM_DEPLOY.memoryMB,
        gb_s_per_message: Number(((WECOM_DEPLOY.memoryMB / 1024) * (r.wallMs.mean / 1000) * r.invocationsPerMessage).toFixed(3)),
        note: 'wall time includes the wait for the 2 s fragment window (the function sleeps until the customer stopped typing); CloudBase bills memory × wall time',
        wecom_api_calls_per_message: r.wecomApiPerMessage,
      },
    });
    if (r.model) {
      out.push({
        name: `${prefix}.model_calls`,
        unit: 'calls/message',
        value: r.model.callsPerMessage,
        conditions: {
          ...cond,
          model_answers_not_used: r.model.fallbacks,
          prompt_chars: r.model.promptChars,
          completion_chars: r.model.completionChars,
          prompt_tokens_est: r.model.promptTokensEst,
          completion_tokens_est: r.model.completionTokensEst,
          token_estimate: 'characters counted here; tokens estimated at 0.6 per CJK character and 0.3 per other character (DeepSeek rule of thumb)',
        },
      });
    }
  }
  for (const shops of quick ? [1] : [1, 10]) {
    const r = await schedulerScenario(shops, !quick && (shops === 1 || tenShopDay));
    const cond = {
      shops,
      function: 'scheduler',
      invocations_per_month: 43_200,
      deploy_memory_mb: SCHEDULER_DEPLOY.memoryMB,
      how: 'cloudfunctions/scheduler handleScheduler over CloudBase storage (the double), manual clock; shops with an FAQ base, an owner with a WeCom account, no customers',
      ...machine,
    };
    out.push({
      name: `cloud.scheduler.idle_tick.db_requests.shops_${shops}`,
      unit: 'requests/tick',
      value: r.idleTick.total,
      conditions: {
        ...cond,
        at: '15:37 Asia/Shanghai, nothing due',
        reads: r.idleTick.reads,
        counts: r.idleTick.counts,
        writes: r.idleTick.writes,
        max_per_tick: r.idleTick.maxPerTick,
        jobs_run_per_tick: r.idleTick.jobsPerTick,
        by_collection: r.idleTick.byCollection,
      },
    });
    out.push({
      name: `cloud.scheduler.daily_report.db_requests.shops_${shops}`,
      unit: 'requests/shop',
      value: r.dailyReport.total,
      conditions: {
        ...cond,
        at: '21:00 Asia/Shanghai',
        pushed: r.dailyReport.pushed,
        note: 'the 21:00 tick per shop, less one idle tick',
        by_collection_whole_tick: r.dailyReport.byCollection,
      },
    });
    if (r.day.ticks) {
      out.push({
        name: `cloud.scheduler.day.db_requests.shops_${shops}`,
        unit: 'requests/day',
        value: r.day.total,
        conditions: {
          ...cond,
          ticks: r.day.ticks,
          per_tick_mean: Number((r.day.total / r.day.ticks).toFixed(1)),
          jobs_run: r.day.jobsRun,
          reads: r.day.reads,
          counts: r.day.counts,
          writes: r.day.writes,
          by_collection: r.day.byCollection,
        },
      });
    }
  }
  return out;
}

async function cli() {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, out: { type: 'string' }, instance: { type: 'boolean' } } });
  if (values.instance) return functionInstance();
  const machine = { cores: os.cpus().length, node: process.version, cpu: os.cpus()[0]?.model };
  const entries = await cloudCallsBench(Boolean(values.quick), machine, !values.quick);
  const text = JSON.stringify(entries, null, 2) + '\n';
  if (values.out) fs.writeFileSync(values.out, text);
  else process.stdout.write(text);
  for (const e of entries) console.error(`${e.name}: ${e.value} ${e.unit}`);
}

if (path.resolve(process.argv[1] ?? '') === __filename) {
  cli().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
