import path from 'node:path';
import { ManualClock } from '@xiaoer/shared/domain/time';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { backoffMs, schedulerTick, slotStart, type JobDefinition } from '@xiaoer/shared/usecases/scheduling/scheduler';
import { expireWaitingJob, SESSION_MS } from '@xiaoer/shared/usecases/conversations/expire-waiting';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { kvPruneJob } from '@xiaoer/shared/usecases/scheduling/kv-prune';
import { NS } from '@xiaoer/shared/usecases/channel-wecom/context';
import { TEACH_NS } from '@xiaoer/shared/usecases/knowledge/teach';
import { readTimerTriggers } from '../cloudfunctions/server/host/timers';
import { Cron } from 'croner';
import { VECTOR_A } from './helpers/host';
import { testDeps } from './helpers/deps';

const HOUR = 3600_000;
let deps: Deps;
let clock: ManualClock;
beforeEach(async () => {
  const d = testDeps(Date.UTC(2026, 10, 22, 0, 0, 30));
  deps = d;
  clock = d.clock;
  await createMerchant(deps, { id: 'shop-a', name: '一号店', ...VECTOR_A });
});
afterEach(() => deps.storage.close());

/** A daily job in the merchant's time zone, like the reports will be. */
function dailyAt9(runs: string[], failTimes = 0): JobDefinition {
  let failures = 0;
  return {
    kind: 'test.daily',
    when: 'daily 09:00',
    plan: (now, merchants) =>
      merchants.map((m) => {
        const local = new Date(now + 8 * HOUR); // Asia/Shanghai has no DST
        const todays9 = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), 9) - 8 * HOUR;
        const slot = now >= todays9 ? todays9 : todays9 - 24 * HOUR;
        const day = new Date(slot + 8 * HOUR).toISOString().slice(0, 10);
        return { key: `test.daily:${m.id}:${day}`, merchantId: m.id, kind: 'test.daily', runAt: slot, maxAttempts: 3 };
      }),
    run: async (job) => {
      if (failures < failTimes) {
        failures++;
        throw new Error('WeCom busy');
      }
      runs.push(job.key);
      return { ok: true };
    },
  };
}

describe('scheduler', () => {
  it('asks the ledger for a planned key once per process: later ticks skip it (on CloudBase each refused insert is a billed request)', async () => {
    const runs: string[] = [];
    const def = dailyAt9(runs);
    const jobs = deps.storage.jobs;
    const enqueue = jest.spyOn(jobs, 'enqueue');
    clock.set(Date.UTC(2026, 10, 22, 1, 0));
    for (let i = 0; i < 5; i++) {
      await schedulerTick(deps, [def]);
      clock.advance(60_000);
    }
    expect(enqueue.mock.calls.map(([j]) => j.key)).toEqual(['test.daily:shop-a:2026-11-22']);
    expect(runs).toEqual(['test.daily:shop-a:2026-11-22']);
    // another process (a cold function instance) asks again, and the ledger's idempotent insert refuses it
    const other = { ...deps, storage: { ...deps.storage, jobs: Object.create(jobs) as typeof jobs } };
    expect(await schedulerTick(other, [def])).toMatchObject({ planned: 0, claimed: 0 });
    expect(enqueue).toHaveBeenCalledTimes(2);
  });

  it('runs a due job once even when ticked twice or concurrently', async () => {
    const runs: string[] = [];
    const def = dailyAt9(runs);
    clock.set(Date.UTC(2026, 10, 22, 1, 0)); // 09:00 Shanghai
    const [a, b] = await Promise.all([schedulerTick(deps, [def]), schedulerTick(deps, [def])]);
    await schedulerTick(deps, [def]);
    expect(runs).toEqual(['test.daily:shop-a:2026-11-22']);
    expect(a.done + b.done).toBe(1);
  });

  it('catches up a missed run once, not once per missed day', async () => {
    const runs: string[] = [];
    const def = dailyAt9(runs);
    clock.set(Date.UTC(2026, 10, 22, 1, 0));
    await schedulerTick(deps, [def]);
    clock.advance(4 * 24 * HOUR + 3 * HOUR); // down for four days
    await schedulerTick(deps, [def]);
    await schedulerTick(deps, [def]);
    expect(runs).toEqual(['test.daily:shop-a:2026-11-22', 'test.daily:shop-a:2026-11-26']);
  });

  it('retries a failed job with backoff and then succeeds; gives up after maxAttempts', async () => {
    const runs: string[] = [];
    clock.set(Date.UTC(2026, 10, 22, 1, 0));
    const def = dailyAt9(runs, 1);
    const first = await schedulerTick(deps, [def]);
    expect(first).toMatchObject({ retried: 1, done: 0 });
    const job = await deps.storage.jobs.get('test.daily:shop-a:2026-11-22');
    expect(job).toMatchObject({ status: 'pending', runAt: clock.now() + backoffMs(1), lastError: 'WeCom busy' });
    expect(await schedulerTick(deps, [def])).toMatchObject({ claimed: 0 });
    clock.advance(backoffMs(1));
    expect(await schedulerTick(deps, [def])).toMatchObject({ done: 1 });
    expect(runs).toHaveLength(1);

    const always = dailyAt9([], 99);
    always.kind = 'test.always';
    always.plan = () => [{ key: 'always', merchantId: 'shop-a', kind: 'test.always', runAt: 0, maxAttempts: 3 }];
    for (let i = 0; i < 5; i++) {
      await schedulerTick(deps, [always]);
      clock.advance(backoffMs(10));
    }
    expect(await deps.storage.jobs.get('always')).toMatchObject({ status: 'failed', attempts: 3 });
  });

  it('reclaims a job whose runner died (lease expired)', async () => {
    await deps.storage.jobs.enqueue({ key: 'orphan', merchantId: 'shop-a', kind: 'test.orphan', runAt: 0 }, 0);
    await deps.storage.jobs.claimDue(clock.now(), 60_000, 10); // a runner claims it, then dies
    const runs: string[] = [];
    const def: JobDefinition = { kind: 'test.orphan', when: 'never planned', plan: () => [], run: async (j) => runs.push(j.key) };
    expect(await schedulerTick(deps, [def])).toMatchObject({ claimed: 0 });
    clock.advance(6 * 60_000);
    expect(await schedulerTick(deps, [def])).toMatchObject({ done: 1 });
    expect(runs).toEqual(['orphan']);
  });

  it('marks waiting conversations missed when their 48 h session has run out', async () => {
    const now = clock.now();
    const base = { merchantId: 'shop-a', channel: 'kf' as const, missed: false, lastMessagePreview: '', createdAt: 0 };
    await deps.storage.conversations.upsert({
      ...base,
      id: 'old',
      externalUserId: 'w1',
      state: 'waiting_human',
      waitingSince: now - 50 * HOUR,
      lastCustomerMessageAt: now - 49 * HOUR,
      updatedAt: now - 49 * HOUR,
    });
    await deps.storage.conversations.upsert({
      ...base,
      id: 'wrote-again',
      externalUserId: 'w2',
      state: 'waiting_human',
      waitingSince: now - 50 * HOUR,
      lastCustomerMessageAt: now - HOUR,
      updatedAt: now - HOUR,
    });
    await deps.storage.conversations.upsert({ ...base, id: 'fresh', externalUserId: 'w3', state: 'waiting_human', waitingSince: now - HOUR, updatedAt: now - HOUR });
    const report = await schedulerTick(deps, [expireWaitingJob]);
    expect(report.done).toBe(1);
    expect(await deps.storage.conversations.get('shop-a', 'old')).toMatchObject({ state: 'closed', missed: true });
    expect((await deps.storage.conversations.get('shop-a', 'wrote-again'))?.state).toBe('waiting_human');
    expect((await deps.storage.conversations.get('shop-a', 'fresh'))?.state).toBe('waiting_human');
    expect(SESSION_MS).toBe(48 * HOUR);
    expect(slotStart(now, 300_000) % 300_000).toBe(0);
  });

  it('prunes expired bookkeeping (dedupe markers, outbox records, leases) and keeps cursors, tokens and the teach queue', async () => {
    const now = clock.now();
    const DAY = 24 * HOUR;
    await deps.storage.kv.set('shop-a', NS.seen, 'old-msg', { state: 'done' }, null, now - 8 * DAY);
    await deps.storage.kv.set('shop-a', NS.seen, 'new-msg', { state: 'done' }, null, now - DAY);
    await deps.storage.kv.set('shop-a', NS.outbox, 'old-out', {}, null, now - 8 * DAY);
    await deps.storage.kv.set('shop-a', NS.lease, 'u1', {}, null, now - 2 * DAY);
    await deps.storage.kv.set('shop-a', NS.cursor, 'wk1', { cursor: 'c9' }, null, now - 400 * DAY);
    await deps.storage.kv.set('shop-a', TEACH_NS, 'conv-1', { question: '能带狗吗' }, null, now - 400 * DAY);
    const entry = (key: string, receivedAt: number) => ({
      merchantId: 'shop-a',
      dedupeKey: key,
      msgType: 'event',
      event: 'kf_msg_or_event',
      plaintext: '<xml/>',
      receivedAt,
      status: 'pending' as const,
      attempts: 0,
    });
    await deps.storage.inbox.put(entry('old-done', now - 8 * DAY));
    await deps.storage.inbox.markProcessed('shop-a', 'old-done', now - 8 * DAY);
    await deps.storage.inbox.put(entry('old-pending', now - 8 * DAY));
    const report = await schedulerTick(deps, [kvPruneJob]);
    expect(report.done).toBe(1);
    expect(await deps.storage.kv.get('shop-a', NS.seen, 'old-msg')).toBeNull();
    expect(await deps.storage.kv.get('shop-a', NS.seen, 'new-msg')).not.toBeNull();
    expect(await deps.storage.kv.get('shop-a', NS.outbox, 'old-out')).toBeNull();
    expect(await deps.storage.kv.get('shop-a', NS.lease, 'u1')).toBeNull();
    expect(await deps.storage.kv.get('shop-a', NS.cursor, 'wk1')).not.toBeNull();
    expect(await deps.storage.kv.get('shop-a', TEACH_NS, 'conv-1')).not.toBeNull();
    const job = (await deps.storage.jobs.list({ kind: 'kv.prune', limit: 1 }))[0];
    expect(await deps.storage.inbox.get('shop-a', 'old-done')).toBeNull();
    expect(await deps.storage.inbox.get('shop-a', 'old-pending')).not.toBeNull();
    expect(job?.result).toEqual({ removed: { [NS.seen]: 1, [NS.outbox]: 1, [NS.lease]: 1, inbox: 1 } });
  });
});

describe('timer triggers', () => {
  it("reads each function's config.json and croner accepts CloudBase's 7-field cron in UTC+8", () => {
    const triggers = readTimerTriggers(path.join(__dirname, '..', 'cloudfunctions'));
    expect(triggers).toContainEqual({ fn: 'scheduler', name: 'every-minute', cron: '0 * * * * * *' });
    for (const t of triggers) {
      const c = new Cron(t.cron, { mode: '7-part', sloppyRanges: true, timezone: 'Asia/Shanghai', paused: true });
      expect(c.nextRun()).toBeInstanceOf(Date);
      c.stop();
    }
    const daily = new Cron('0 0 21 * * * *', { mode: '7-part', timezone: 'Asia/Shanghai', paused: true });
    expect(daily.nextRun(new Date('2026-11-22T00:00:00Z'))?.toISOString()).toBe('2026-11-22T13:00:00.000Z');
    daily.stop();
  });
});
