/**
 * The campaign bench of `npm run bench` (issue 16 "Performance"): a plan for 100k recipients
 * across 10 members, with quotas (a fifth of the shop already had mass sends this month, some at
 * the limit) and quiet hours (asked for 22:30, moved to 09:00). Measured twice: the reach forecast
 * (reads and plans, writes nothing) and the stored draft (the same plus 100k recipient rows).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '@xiaoer/shared/domain/time';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { forecast, materialize, planDraft } from '@xiaoer/shared/usecases/campaigns/plan';
import { openSqliteStorage } from '../cloudfunctions/server/storage/sqlite';
import { createSecretBox } from '../cloudfunctions/server/security/secret-box';
import { randomIds } from '../cloudfunctions/server/ids';
import { nodeTimers } from '../cloudfunctions/server/timers';
import type { BenchEntry } from './bench-reports';

const M = 'bench-campaign';
const DAY = 86_400_000;
const CHUNK = 50_000;
const MEMBERS = 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function seed(s: ReturnType<typeof openSqliteStorage>, deps: Deps, customers: number, now: number) {
  await createMerchant(deps, { id: M, name: '压测群发店', corpId: 'ww1234567890abcdef', token: 'benchToken', aesKey: 'a'.repeat(43) });
  for (let i = 0; i < MEMBERS; i++)
    await deps.storage.members.add({ id: `m${i}`, merchantId: M, openid: `o${i}`, name: `店员${i}`, role: 'staff', onDuty: true, wecomUserId: `staff${i}`, createdAt: now });
  const cust = s.db.prepare('INSERT INTO customers (merchant_id, id, name, phone, last_active, doc) VALUES (?, ?, ?, ?, ?, ?)');
  const sent = s.db.prepare("INSERT INTO campaign_recipients (merchant_id, campaign_id, customer_id, sender, variant, status, at, sent_at) VALUES (?, ?, ?, ?, 0, 'sent', ?, ?)");
  for (let from = 0; from < customers; from += CHUNK) {
    s.db.exec('BEGIN IMMEDIATE');
    for (let i = from; i < Math.min(customers, from + CHUNK); i++) {
      const id = `wmC${i}`;
      const c = {
        merchantId: M,
        externalUserId: id,
        name: `客户${i}`,
        source: 'contact_way',
        followUserId: `staff${i % MEMBERS}`,
        tags: ['会员', ...(i % 4 === 0 ? ['爱喝果茶'] : []), ...(i % 50 === 0 ? ['沉睡'] : [])],
        totalSpentFen: (i * 37) % 90_000,
        orderCount: i % 6,
        lost: i % 97 === 0,
        ...(i % 211 === 0 ? { optedOutAt: now - DAY } : {}),
        createdAt: now - (i % 300) * DAY,
        updatedAt: now,
      };
      cust.run(M, id, c.name, null, c.createdAt, JSON.stringify(c));
      // a fifth had mass sends this month (days ago); one in fifty of them is at the month's limit, one in a hundred got one today
      if (i % 5 === 0) {
        const n = i % 250 === 5 ? 31 : 2;
        for (let k = 0; k < n; k++) {
          const at = i % 500 === 5 && k === 0 ? now - 3_600_000 : now - (k + 2) * (DAY / 3);
          sent.run(M, `old${k}`, id, c.followUserId, at, at);
        }
      }
    }
    s.db.exec('COMMIT');
  }
}

export async function campaignPlanBench(quick: boolean, machine: Record<string, unknown>): Promise<BenchEntry[]> {
  // enough customers that about 100k are left once the audience and exclusions are applied
  const customers = quick ? 21_000 : 105_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-bench-campaign-'));
  // 2026-12-15 22:30 Shanghai: inside the default quiet hours
  const now = Date.parse('2026-12-15T22:30:00+08:00');
  const raw = openSqliteStorage(path.join(dir, 'db'));
  const deps: Deps = { storage: raw, clock: new ManualClock(now), secrets: createSecretBox(crypto.randomBytes(32)), ids: randomIds, timers: nodeTimers };
  try {
    await seed(raw, deps, customers, now);
    const merchant = (await raw.merchants.get(M))!;
    const draft = { audience: { all: ['会员', { not: '沉睡' }] }, texts: ['双十二返场，全场八折'], excludeMessagedDays: 1 };
    const f: number[] = [];
    let reach = { recipients: 0, excluded: [] as { reason: string; count: number }[], sendAt: 0 };
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      reach = await forecast(deps, merchant, draft);
      f.push(performance.now() - t);
    }
    const d: number[] = [];
    let id: string | undefined;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      id = (await planDraft(deps, merchant, { ...draft, ...(id ? { id } : {}) })).campaignId;
      d.push(performance.now() - t);
    }
    // at the send: planned again and every recipient row written (a second run replaces them)
    const w: number[] = [];
    const campaign = (await raw.campaigns.get(M, id!))!;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await materialize(deps, merchant, campaign);
      w.push(performance.now() - t);
    }
    const base = {
      customers,
      members: MEMBERS,
      recipients: reach.recipients,
      excluded: Object.fromEntries(reach.excluded.map((e) => [e.reason, e.count])),
      quiet_hours_moved_to: new Date(reach.sendAt).toISOString(),
      storage: 'SQLite',
      target_ms: 1000,
      runs: 3,
      ...machine,
    };
    return [
      {
        name: 'campaigns.plan.forecast_ms',
        unit: 'ms',
        value: Math.round(median(f)),
        conditions: { ...base, all_ms: f.map(Math.round), what: 'the reach forecast: facts, members and quota tallies read, the plan made; nothing written' },
      },
      {
        name: 'campaigns.plan.draft_ms',
        unit: 'ms',
        value: Math.round(median(d)),
        conditions: { ...base, all_ms: d.map(Math.round), what: 'campaign plan / 存草稿: the plan made and stored as a draft' },
      },
      {
        name: 'campaigns.send.recipients_ms',
        unit: 'ms',
        value: Math.round(median(w)),
        conditions: { ...base, target_ms: null, all_ms: w.map(Math.round), what: 'at the send: planned again and every recipient row written (before the WeCom tasks)' },
      },
    ];
  } finally {
    await raw.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
