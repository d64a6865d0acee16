/**
 * The report benches of `npm run bench` (issue 12 "Performance"): building the daily report for a
 * big shop, and the weekly chart (SVG + PNG) warm. The shop is seeded straight into SQLite in bulk
 * transactions (not through the message pipeline, which would take hours for 1M messages): the
 * report reads counters and a few bounded pages, so only their shapes and the table sizes matter.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { COUNTER_NAMES } from '@xiaoer/shared/domain/counters';
import { addDays, ManualClock } from '@xiaoer/shared/domain/time';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { TEACH_NS } from '@xiaoer/shared/usecases/knowledge/teach';
import { buildDailyReport } from '@xiaoer/shared/usecases/reports/daily-job';
import { ORDERS_READ } from '@xiaoer/shared/usecases/reports/daily';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { openSqliteStorage, type SqliteStorage } from '../cloudfunctions/server/storage/sqlite';
import { createSecretBox } from '../cloudfunctions/server/security/secret-box';
import { randomIds } from '../cloudfunctions/server/ids';
import { nodeTimers } from '../cloudfunctions/server/timers';
import { rasterise, trendSvg } from '../cloudfunctions/server/charts/renderer';
import { SAMPLE_WEEK } from '../cloudfunctions/server/charts/sample';

export interface BenchEntry {
  name: string;
  unit: string;
  value: number;
  conditions: Record<string, unknown>;
}

const M = 'bench-report';
const DAY_MS = 86_400_000;
const q = (xs: number[], p: number) => Number([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!.toFixed(3));

export interface ShopSize {
  messages: number;
  customers: number;
  orders: number;
  /** Days the data spreads over, ending on the report day. */
  days: number;
}

/** Rows in transactions of this many: one commit per chunk, the WAL kept small. */
const CHUNK = 50_000;

function bulk(s: SqliteStorage, total: number, row: (i: number) => void) {
  for (let from = 0; from < total; from += CHUNK) {
    s.db.exec('BEGIN IMMEDIATE');
    for (let i = from; i < Math.min(total, from + CHUNK); i++) row(i);
    s.db.exec('COMMIT');
  }
}

/**
 * Seeds `size` into a fresh store: customers each with a conversation, messages spread over the
 * days, orders spread evenly (the report day gets up to ORDERS_READ of them, so the bounded read
 * of the day's orders runs at its fullest), the day and hour counters those imply, 60 products
 * (3 low) and a full teach queue.
 */
async function seedShop(deps: Deps & { storage: SqliteStorage }, size: ShopSize, day: string, dayStart: number) {
  const s = deps.storage;
  await createMerchant(deps, { id: M, name: '压测报表店', corpId: 'ww1234567890abcdef', token: 'benchToken', aesKey: 'a'.repeat(43) });
  const first = dayStart - (size.days - 1) * DAY_MS;
  const at = (i: number, n: number) => first + Math.floor((i / n) * size.days * DAY_MS);
  const cust = s.db.prepare('INSERT INTO customers (merchant_id, id, name, phone, last_active, doc) VALUES (?, ?, ?, ?, ?, ?)');
  const conv = s.db.prepare('INSERT INTO conversations (merchant_id, id, customer_id, channel, state, updated_at, waiting_since, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  bulk(s, size.customers, (i) => {
    const t = at(i, size.customers);
    const id = `wmBench${i}`;
    const phone = `139${String(i).padStart(8, '0')}`;
    cust.run(
      M,
      id,
      `客户${i}`,
      phone,
      t,
      JSON.stringify({
        merchantId: M,
        externalUserId: id,
        name: `客户${i}`,
        phone,
        source: 'other',
        tags: [],
        totalSpentFen: 0,
        orderCount: 0,
        lost: false,
        createdAt: t,
        updatedAt: t,
      }),
    );
    const state = i % 500 === 0 ? 'waiting_human' : 'ai_active';
    const c = { id: `c${i}`, merchantId: M, externalUserId: id, channel: 'kf', state, missed: false, lastMessagePreview: '', updatedAt: t, createdAt: t };
    conv.run(M, c.id, id, 'kf', state, t, state === 'waiting_human' ? t : null, JSON.stringify(c));
  });
  const msg = s.db.prepare('INSERT INTO messages (merchant_id, id, conversation_id, at, doc) VALUES (?, ?, ?, ?, ?)');
  bulk(s, size.messages, (i) => {
    const t = at(i, size.messages);
    const c = `c${i % size.customers}`;
    msg.run(M, `m${i}`, c, t, JSON.stringify({ id: `m${i}`, merchantId: M, conversationId: c, sender: i % 2 ? 'ai' : 'customer', at: t, type: 'text', text: '你们几点开门？' }));
  });
  const ord = s.db.prepare('INSERT INTO orders (merchant_id, id, customer_id, placed_at, doc) VALUES (?, ?, ?, ?, ?)');
  bulk(s, size.orders, (i) => {
    const t = at(i, size.orders);
    const who = `wmBench${(i * 7919) % size.customers}`;
    const qty = 1 + (i % 3);
    const o = {
      id: `o${i}`,
      merchantId: M,
      externalUserId: who,
      amountFen: 1600 * qty,
      paidFen: 1600 * qty,
      status: 'paid',
      rev: 1,
      items: [{ sku: `T${i % 60}`, name: `商品${i % 60}`, qty, priceFen: 1600 }],
      placedAt: t,
      updatedAt: t,
    };
    ord.run(M, o.id, who, t, JSON.stringify(o));
  });
  // the counters those rows would have moved, per day and hour (values are not checked, only read)
  const add = s.db.prepare('INSERT INTO counters (merchant_id, day, store_id, name, value) VALUES (?, ?, ?, ?, ?)');
  const hour = s.db.prepare('INSERT INTO counter_hours (merchant_id, day, hour, name, value) VALUES (?, ?, ?, ?, ?)');
  const perDay = (n: number) => Math.round(n / size.days);
  bulk(s, size.days, (d) => {
    const date = addDays(day, d - size.days + 1);
    for (const name of COUNTER_NAMES) {
      const v =
        name === 'orders'
          ? perDay(size.orders)
          : name === 'revenueFen'
            ? perDay(size.orders) * 3200
            : name === 'customerMessages'
              ? perDay(size.messages) / 2
              : perDay(size.customers);
      add.run(M, date, '', name, v);
      for (let h = 9; h < 22; h++) hour.run(M, date, h, name, Math.round(v / 13));
    }
  });
  for (let i = 0; i < 60; i++)
    await s.knowledge.upsertProduct({ merchantId: M, sku: `T${i}`, name: `商品${i}`, priceFen: 1600, stock: i < 3 ? 2 : 50, lowStockAt: 5, updatedAt: 0 });
  for (let i = 0; i < 200; i++) {
    const item = {
      id: `t${i}`,
      merchantId: M,
      conversationId: `c${i}`,
      externalUserId: `wmBench${i}`,
      question: `第 ${i % 9} 种没答上来的问题`,
      earlier: [],
      reason: 'clarify',
      askedAt: dayStart + i * 60_000,
    };
    await s.kv.set(M, TEACH_NS, `c${i}`, item, null, dayStart);
  }
}

/**
 * p99 of building the day's report (loadDailyInput + buildDaily + the text) for a shop of `size`,
 * built `rounds` times in a row after a warm-up, straight on the storage adapter (no HTTP).
 */
export async function dailyReportBuild(quick: boolean, machine: Record<string, unknown>, shop?: ShopSize): Promise<BenchEntry[]> {
  const size: ShopSize =
    shop ?? (quick ? { messages: 20_000, customers: 2_000, orders: 8_000, days: 400 } : { messages: 1_000_000, customers: 100_000, orders: 200_000, days: 400 });
  const rounds = quick ? 200 : 1_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-bench-report-'));
  const day = '2026-11-21';
  const dayStart = Date.parse(`${day}T00:00:00+08:00`);
  const storage = openSqliteStorage(path.join(dir, 'db'));
  const deps = { storage, clock: new ManualClock(dayStart + 21 * 3_600_000), secrets: createSecretBox(crypto.randomBytes(32)), ids: randomIds, timers: nodeTimers };
  try {
    const s0 = performance.now();
    await seedShop(deps, size, day, dayStart);
    const seedMs = Math.round(performance.now() - s0);
    const merchant = (await storage.merchants.get(M))!;
    for (let i = 0; i < 20; i++) await buildDailyReport(deps, merchant, day);
    const lat: number[] = [];
    const cpu: number[] = [];
    let report = await buildDailyReport(deps, merchant, day);
    for (let i = 0; i < rounds; i++) {
      const c = process.cpuUsage();
      const t = performance.now();
      report = await buildDailyReport(deps, merchant, day);
      lat.push(performance.now() - t);
      const used = process.cpuUsage(c);
      cpu.push((used.user + used.system) / 1000);
    }
    const conditions = {
      ...size,
      dayOrders: report.numbers.orders,
      ordersRead: (report.details as { topSellersOmitted: boolean }).topSellersOmitted ? 0 : Math.min(ORDERS_READ, report.numbers.orders as number),
      rounds,
      p50_ms: q(lat, 0.5),
      // CPU time of the process per build: what the wall time is on an idle machine
      cpu_p50_ms: q(cpu, 0.5),
      cpu_p99_ms: q(cpu, 0.99),
      seed_ms: seedMs,
      includes: 'counters range (8 days) + waiting count + teach queue page (200) + products (60) + the day’s orders (one bounded page) + build + text, on SQLite',
      seeded: 'straight into SQLite in bulk transactions (not through the message pipeline)',
      target_ms: 5,
      ...machine,
    };
    return [{ name: quick ? 'report.daily_build.p99_quick_shop' : 'report.daily_build.p99', unit: 'ms', value: q(lat, 0.99), conditions }];
  } finally {
    await storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The weekly report's chart (ECharts SVG → resvg PNG with the bundled font), warm: p50 and p99 of repeated renders after the first. */
export async function chartRender(quick: boolean, machine: Record<string, unknown>): Promise<BenchEntry[]> {
  const rounds = quick ? 10 : 40;
  const t0 = performance.now();
  await rasterise(await trendSvg(SAMPLE_WEEK)); // cold: loads ECharts and resvg's binary
  const coldMs = performance.now() - t0;
  const total: number[] = [];
  const svgMs: number[] = [];
  const cpuMs: number[] = [];
  let image = { width: 0, height: 0, bytes: 0 };
  for (let r = 0; r < rounds + 2; r++) {
    const cpu = process.cpuUsage();
    const a = performance.now();
    const svg = await trendSvg(SAMPLE_WEEK);
    const b = performance.now();
    const png = await rasterise(svg);
    if (r < 2) continue; // two more warm-ups: the first SVG → PNG passes still fill caches
    svgMs.push(b - a);
    total.push(performance.now() - a);
    const used = process.cpuUsage(cpu);
    cpuMs.push((used.user + used.system) / 1000);
    image = { width: png.width, height: png.height, bytes: png.png.length };
  }
  const conditions = {
    rounds: total.length,
    svg_p50_ms: q(svgMs, 0.5),
    // CPU time of the process (resvg's pool thread included): what the wall time is on an idle machine
    cpu_p50_ms: q(cpuMs, 0.5),
    cold_ms: Math.round(coldMs),
    ...image,
    input: 'SAMPLE_WEEK (cloudfunctions/server/charts/sample.ts): 7 days, revenue bars + consultations line, value labels',
    includes: 'input validation + ECharts SSR to SVG + resvg rasterise at 2× with the bundled font (thread pool) + PNG encode',
    target_ms: 300,
    ...machine,
  };
  return [
    { name: 'report.chart_render_ms', unit: 'ms', value: Number(q(total, 0.5).toFixed(1)), conditions },
    { name: 'report.chart_render.p99_ms', unit: 'ms', value: Number(q(total, 0.99).toFixed(1)), conditions },
  ];
}
