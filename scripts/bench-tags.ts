/**
 * The tag-rule benches of `npm run bench` (issue 15 "Performance"): every enabled rule over a big
 * shop's customers (the nightly batch), with the number of storage calls it made, and one
 * customer's rules on an event. The shop is seeded straight into SQLite in bulk transactions.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '@xiaoer/shared/domain/time';
import type { Deps } from '@xiaoer/shared/ports/deps';
import type { Storage } from '@xiaoer/shared/ports/storage';
import { TagRule, type TagRuleInput } from '@xiaoer/shared/domain/tag-rule';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { applyAllRules, evaluateCustomer } from '@xiaoer/shared/usecases/tags/run';
import { TAG_NS } from '@xiaoer/shared/usecases/tags/store';
import { templatesFor } from '@xiaoer/shared/usecases/tags/templates';
import { openSqliteStorage } from '../cloudfunctions/server/storage/sqlite';
import { createSecretBox } from '../cloudfunctions/server/security/secret-box';
import { randomIds } from '../cloudfunctions/server/ids';
import { nodeTimers } from '../cloudfunctions/server/timers';
import type { BenchEntry } from './bench-reports';

const M = 'bench-tags';
const DAY = 86_400_000;
const CHUNK = 50_000;
const q = (xs: number[], p: number) => Number([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!.toFixed(3));

/** Storage whose every repository call is counted (the batch's "storage calls"). */
function counted(s: Storage): { storage: Storage; calls: () => number; reset: () => void } {
  let n = 0;
  const wrap = <T extends object>(repo: T): T =>
    new Proxy(repo, {
      get(target, prop, recv) {
        const v = Reflect.get(target, prop, recv);
        return typeof v === 'function'
          ? (...args: unknown[]) => {
              n++;
              return (v as (...a: unknown[]) => unknown).apply(target, args);
            }
          : v;
      },
    });
  const storage = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'object' && v ? wrap(v) : v])) as unknown as Storage;
  storage.close = () => s.close();
  return { storage, calls: () => n, reset: () => (n = 0) };
}

/** 20 rules: the general templates (10) and 10 of a shop's own over every field. */
export function twentyRules(now: number): TagRule[] {
  const own: TagRuleInput[] = [
    { name: '爱喝果茶', tags: ['爱喝果茶'], when: { field: 'categoryBought', op: 'contains', value: '果茶' } },
    { name: '咖啡客', tags: ['咖啡客'], when: { field: 'categoryBought', op: 'in', value: ['咖啡', '拿铁'] } },
    { name: '门店码', tags: ['到店'], when: { field: 'source', op: '=', value: 'table-qr' } },
    { name: '一号店', tags: ['一号店'], when: { field: 'storeId', op: '=', value: 's1' } },
    { name: '问过外卖', tags: ['问过外卖'], when: { field: 'keyword', op: 'contains', value: { words: ['外卖', '配送'], withinDays: 30 } } },
    {
      name: '高频',
      tags: ['高频'],
      when: {
        all: [
          { field: 'orderCount', op: '>=', value: 10 },
          { field: 'daysSinceLastOrder', op: '<=', value: 7 },
        ],
      },
    },
    { name: '老客', tags: ['老客'], when: { field: 'daysSinceAdded', op: '>=', value: 180 } },
    { name: '流失风险', tags: ['流失风险'], when: { all: [{ field: 'orderCount', op: '>=', value: 3 }, { not: { field: 'daysSinceLastOrder', op: '<=', value: 45 } }] } },
    { name: '夏天生日', tags: ['夏天生日'], when: { field: 'birthdayMonth', op: 'in', value: [6, 7, 8] } },
    {
      name: '大单客',
      tags: ['大单客'],
      when: {
        any: [
          { field: 'totalSpentFen', op: '>=', value: 500_000 },
          {
            all: [
              { field: 'orderCount', op: '<=', value: 3 },
              { field: 'totalSpentFen', op: '>=', value: 100_000 },
            ],
          },
        ],
      },
    },
  ];
  const inputs = [...templatesFor('general').flatMap((t) => t.rules), ...own];
  return inputs.map((r, i) => TagRule.parse({ ...r, id: `r${i}`, merchantId: M, enabled: true, createdAt: now, updatedAt: now }));
}

export async function seed(s: ReturnType<typeof openSqliteStorage>, deps: Deps, customers: number, now: number) {
  await createMerchant(deps, { id: M, name: '压测标签店', corpId: 'ww1234567890abcdef', token: 'benchToken', aesKey: 'a'.repeat(43) });
  const cust = s.db.prepare('INSERT INTO customers (merchant_id, id, name, phone, last_active, doc) VALUES (?, ?, ?, ?, ?, ?)');
  const kv = s.db.prepare('INSERT INTO kv (merchant_id, ns, key, version, updated_at, value) VALUES (?, ?, ?, 1, ?, ?)');
  const cats = ['鲜果茶', '奶茶', '咖啡', '小料', '拿铁'];
  for (let from = 0; from < customers; from += CHUNK) {
    s.db.exec('BEGIN IMMEDIATE');
    for (let i = from; i < Math.min(customers, from + CHUNK); i++) {
      const id = `wmT${i}`;
      const createdAt = now - ((i * 7) % 400) * DAY;
      const orders = i % 5 === 0 ? 0 : (i * 13) % 25;
      const c = {
        merchantId: M,
        externalUserId: id,
        name: `客户${i}`,
        source: i % 3 ? 'qr' : 'kf',
        ...(i % 3 ? { sourceState: i % 2 ? 'table-qr' : 'poster' } : {}),
        ...(i % 4 ? { storeId: `s${i % 4}` } : {}),
        tags: [],
        totalSpentFen: orders * ((i * 31) % 9000),
        orderCount: orders,
        ...(orders ? { lastOrderAt: now - ((i * 11) % 90) * DAY, firstOrderAt: createdAt, categories: [cats[i % 5]!, cats[(i * 3) % 5]!] } : {}),
        ...(i % 7 === 0 ? { birthday: { month: 1 + (i % 12), day: 1 + (i % 28) } } : {}),
        lost: false,
        createdAt,
        updatedAt: createdAt,
      };
      cust.run(M, id, c.name, null, c.lastOrderAt ?? createdAt, JSON.stringify(c));
      if (i % 3 === 0) kv.run(M, TAG_NS.words, id, now, JSON.stringify({ items: [{ at: now - (i % 40) * DAY, text: i % 2 ? '可以送外卖吗' : '几点开门' }] }));
    }
    s.db.exec('COMMIT');
  }
}

/**
 * The nightly batch over `customers` × 20 rules: the first run (every customer gains tags: one
 * read and one write each), a second run the same night (nothing to change: the steady state of
 * most nights), and a night a week later (time moved: 沉睡 and friends change for some). Then one
 * customer's rules on an event, p99 over many customers.
 */
export async function tagRulesBench(quick: boolean, machine: Record<string, unknown>): Promise<BenchEntry[]> {
  const customers = quick ? 10_000 : 100_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-bench-tags-'));
  const now = Date.UTC(2026, 10, 22, 19, 30);
  const raw = openSqliteStorage(path.join(dir, 'db'));
  const c = counted(raw);
  const clock = new ManualClock(now);
  const deps: Deps = { storage: c.storage, clock, secrets: createSecretBox(crypto.randomBytes(32)), ids: randomIds, timers: nodeTimers };
  try {
    await seed(raw, deps, customers, now);
    for (const r of twentyRules(now)) await raw.tagRules.upsert(r);
    const run = async () => {
      c.reset();
      const t = performance.now();
      // the whole batch in one call (no BATCH_WRITES split into runs): what the work costs on SQLite
      const r = await applyAllRules(deps, M, undefined, undefined, { maxWrites: Number.POSITIVE_INFINITY });
      return { ms: Math.round(performance.now() - t), calls: c.calls(), changed: r.changed, added: r.added, removed: r.removed };
    };
    const first = await run();
    const steady = await run();
    clock.advance(7 * DAY);
    const week = await run();
    // one customer's rules on an event (order or message): rules, customer, words read; written when changed
    const lat: number[] = [];
    const cpu: number[] = [];
    const rounds = quick ? 500 : 2_000;
    for (let i = 0; i < 50; i++) await evaluateCustomer(deps, M, `wmT${(i * 7919) % customers}`);
    c.reset();
    for (let i = 0; i < rounds; i++) {
      const u = process.cpuUsage();
      const t = performance.now();
      await evaluateCustomer(deps, M, `wmT${(i * 104_729) % customers}`);
      lat.push(performance.now() - t);
      const used = process.cpuUsage(u);
      cpu.push((used.user + used.system) / 1000);
    }
    const eventCalls = c.calls() / rounds;
    const base = { customers, rules: 20, keywordIndexed: Math.ceil(customers / 3), storage: 'SQLite', wecom: 'none (customers without a member: rules only)', ...machine };
    return [
      {
        name: 'tags.batch.steady_ms',
        unit: 'ms',
        value: steady.ms,
        conditions: {
          ...base,
          storage_calls: steady.calls,
          changed: steady.changed,
          target_ms: 1000,
          what: 'every enabled rule over every customer when nothing changes (most nights)',
        },
      },
      {
        name: 'tags.batch.week_later_ms',
        unit: 'ms',
        value: week.ms,
        conditions: {
          ...base,
          storage_calls: week.calls,
          changed: week.changed,
          added: week.added,
          removed: week.removed,
          target_ms: 1000,
          what: 'a night 7 days later: time-based tags move for some',
        },
      },
      {
        name: 'tags.batch.first_run_ms',
        unit: 'ms',
        value: first.ms,
        conditions: {
          ...base,
          storage_calls: first.calls,
          changed: first.changed,
          added: first.added,
          what: 'the first run on a shop: every changed customer re-read and written (2 calls each)',
        },
      },
      {
        name: 'tags.event.p99_ms',
        unit: 'ms',
        value: q(lat, 0.99),
        // CPU time per event beside the wall time: on a shared, loaded machine the tail is mostly waiting for a core
        conditions: {
          ...base,
          rounds,
          p50_ms: q(lat, 0.5),
          cpu_p50_ms: q(cpu, 0.5),
          cpu_p99_ms: q(cpu, 0.99),
          storage_calls_per_event: Number(eventCalls.toFixed(2)),
          target_ms: 2,
        },
      },
    ];
  } finally {
    await raw.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void tagRulesBench(process.argv.includes('--quick'), { cores: os.cpus().length, node: process.version }).then((r) => console.log(JSON.stringify(r, null, 1)));
}
