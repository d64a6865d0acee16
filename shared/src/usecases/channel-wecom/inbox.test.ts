import type { ManualClock } from '../../domain/time';
import type { Message } from '../../domain/conversation';
import { schedulerTick } from '../scheduling/scheduler';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { readOutbox } from './delivery';
import { AppError } from '../../domain/errors';
import { INBOX_RETRY_WINDOW_MS, INBOX_SWEEP_KIND, createInboxSweepJob, processInboxEntry } from './inbox';
import { SHOP, VECTOR_A, setupHarness, type Harness } from '../../testing/wecom-harness';
import { NS } from './context';
import { processStored, type ReceiveContext } from './receive';
import { createKeyedLimiter, type KeyedLimiter } from '../lib/keyed-limiter';

const SWEEP_AGE_MS = 30_000;
let deps: Deps & { clock: ManualClock };
let h: Harness;

beforeEach(async () => {
  deps = testDeps();
  h = await setupHarness(deps, { fragmentWindowMs: 3_000 });
});
afterEach(() => deps.storage.close());

describe('processInboxEntry', () => {
  it('records an unknown event as ignored and marks it processed', async () => {
    const entry = await h.callback({
      ToUserName: VECTOR_A.corpId,
      FromUserName: 'sys',
      CreateTime: 1,
      MsgType: 'event',
      Event: 'change_external_chat',
      ChangeType: 'create',
      ChatId: 'c1',
    });
    const r = await processInboxEntry(h.ctx, entry);
    expect(r).toEqual({ status: 'processed', result: { status: 'ignored', reason: 'no handler for event|change_external_chat|create' } });
    expect((await deps.storage.inbox.get(SHOP, entry.dedupeKey))!.status).toBe('processed');
    expect(await processInboxEntry(h.ctx, entry)).toEqual({ status: 'already_processed' });
    const text = await h.callback({ ToUserName: VECTOR_A.corpId, MsgType: 'text', Content: '你好', MsgId: '123' });
    expect((await processInboxEntry(h.ctx, text)).status).toBe('processed');
    expect(h.fake.calls).toHaveLength(0);
  });

  it('takes an entry its receiver just stored from the XML it parsed, and later tries read it back and clear their retry', async () => {
    const entry = await h.callback({ ToUserName: VECTOR_A.corpId, MsgType: 'text', Content: '你好', MsgId: '456' });
    // a parser that throws: the entry is not parsed a second time
    const noParse = {
      ...h.ctx,
      parseXml: () => {
        throw new Error('parsed again');
      },
    };
    expect(await processInboxEntry(noParse, entry, { parsed: h.ctx.parseXml(entry.plaintext) })).toMatchObject({ status: 'processed' });
    expect((await deps.storage.inbox.get(SHOP, entry.dedupeKey))!.status).toBe('processed');

    h.fake.failNext('kf/sync_msg', -1);
    const kf = await h.kfCallback();
    expect(await processInboxEntry(h.ctx, kf, { parsed: h.ctx.parseXml(kf.plaintext) })).toMatchObject({ status: 'retry', attempts: 1 });
    expect(await deps.storage.kv.get(SHOP, NS.retry, kf.dedupeKey)).not.toBeNull();
    expect(await processInboxEntry(h.ctx, kf)).toMatchObject({ status: 'processed' });
    expect(await deps.storage.kv.get(SHOP, NS.retry, kf.dedupeKey)).toBeNull();
  });

  it('marks unparseable plaintext failed', async () => {
    const entry = await h.callback({ MsgType: 'event' });
    const r = await processInboxEntry(
      {
        ...h.ctx,
        parseXml: () => {
          throw new Error('XML 格式不对');
        },
      },
      entry,
    );
    expect(r).toMatchObject({ status: 'failed' });
    expect((await deps.storage.inbox.get(SHOP, entry.dedupeKey))!).toMatchObject({ status: 'failed', lastError: expect.stringContaining('XML') });
  });

  it('keeps a transient failure pending with growing backoff, and gives up only when the 48 h window is nearly over', async () => {
    h.fake.failNext('kf/sync_msg', -1, { times: 99 });
    const entry = await h.kfCallback();
    const waits: number[] = [];
    for (let i = 1; i <= 6; i++) {
      const r = await processInboxEntry(h.ctx, entry);
      expect(r).toMatchObject({ status: 'retry', attempts: i });
      waits.push((r as { retryInMs: number }).retryInMs);
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000]);
    expect((await deps.storage.inbox.get(SHOP, entry.dedupeKey))!.status).toBe('pending');
    deps.clock.advance(INBOX_RETRY_WINDOW_MS);
    expect(await processInboxEntry(h.ctx, entry)).toMatchObject({ status: 'failed' });
    expect((await deps.storage.inbox.get(SHOP, entry.dedupeKey))!.status).toBe('failed');
  });

  it.each([
    ['a timeout', new AppError('WECOM.TIMEOUT', '超时', 504)],
    ['a reset connection', new AppError('WECOM.NETWORK', '连不上', 502)],
    ['a 5xx from the gateway', new AppError('WECOM.UPSTREAM', '暂时不可用', 502)],
    ['45009 (rate limit)', 45009],
  ])('treats %s on sync as transient, then answers once it clears', async (_name, fault) => {
    h.fake.push(h.text('u1', '营业时间'));
    h.ctx.options = { fragmentWindowMs: 0 };
    if (typeof fault === 'number') h.fake.failNext('kf/sync_msg', fault);
    else h.fake.throwNext('kf/sync_msg', fault);
    const entry = await h.kfCallback();
    expect(await processInboxEntry(h.ctx, entry)).toMatchObject({ status: 'retry', attempts: 1 });
    expect(await processInboxEntry(h.ctx, entry)).toMatchObject({ status: 'processed' });
    expect(h.fake.sentTexts('u1')).toHaveLength(1);
  });

  it('jitters the backoff with the injected randomness', async () => {
    h.fake.failNext('kf/sync_msg', -1, { times: 2 });
    const entry = await h.kfCallback();
    const r = await processInboxEntry({ ...h.ctx, deps: { ...deps, random: () => 0 } }, entry);
    expect(r).toMatchObject({ status: 'retry', retryInMs: 500 });
  });

  it('fails at once on a configuration error', async () => {
    h.fake.failNext('kf/sync_msg', 40001);
    expect(await processInboxEntry(h.ctx, await h.kfCallback())).toMatchObject({ status: 'failed' });
  });

  it('syncs without the Token once it is older than 9 minutes', async () => {
    h.fake.push(h.text('u1', '营业时间'));
    const entry = await h.kfCallback('OLDTOKEN');
    deps.clock.advance(10 * 60_000);
    await processInboxEntry(h.ctx, entry);
    expect((h.fake.callsTo('kf/sync_msg')[0].req as { token?: string }).token).toBeUndefined();
  });
});

describe('the inbox-sweep job', () => {
  it('plans one platform-wide run per minute', () => {
    const job = createInboxSweepJob({ wecom: h.fake, answerer: h.answerer, parseXml: h.ctx.parseXml });
    const now = Date.UTC(2026, 10, 22, 4, 0, 42);
    expect(job.plan(now, [])).toEqual([
      { key: `${INBOX_SWEEP_KIND}:${Date.UTC(2026, 10, 22, 4, 0)}`, merchantId: '_platform', kind: INBOX_SWEEP_KIND, runAt: Date.UTC(2026, 10, 22, 4, 0), maxAttempts: 2 },
    ]);
  });

  it('finishes entries left pending for 30 s (a callback that died, deferred fragments)', async () => {
    const job = createInboxSweepJob({ wecom: h.fake, answerer: h.answerer, parseXml: h.ctx.parseXml, options: { fragmentWindowMs: 3_000 } });
    h.fake.push(h.text('u1', '你好'), h.text('u1', '营业时间'));
    const deferred = await h.kfCallback();
    expect((await processInboxEntry(h.ctx, deferred)).status).toBe('deferred');
    // a callback stored but never processed (the process died)
    deps.clock.advance(10_000);
    h.fake.push(h.text('u2', '附近好停车吗'));
    await h.kfCallback();
    // too young for the sweep
    await schedulerTick(deps, [job]);
    expect(h.fake.callsTo('kf/send_msg')).toHaveLength(0);
    deps.clock.advance(60_000);
    const report = await schedulerTick(deps, [job]);
    expect(report.done).toBe(1);
    expect(h.fake.sentTexts('u1')).toHaveLength(1);
    expect(h.fake.sentTexts('u2')).toHaveLength(1);
    expect([...h.answerer.questions].sort()).toEqual(['你好\n营业时间', '附近好停车吗'].sort());
    expect(await deps.storage.inbox.listPending(deps.clock.now(), 10)).toHaveLength(0);
    // and again: nothing twice
    deps.clock.advance(60_000);
    await schedulerTick(deps, [job]);
    expect(h.fake.callsTo('kf/send_msg')).toHaveLength(2);
  });
});

describe('the sweep and backoff', () => {
  it('leaves an entry alone until its backoff is over, then answers it', async () => {
    const job = createInboxSweepJob({ wecom: h.fake, answerer: h.answerer, parseXml: h.ctx.parseXml, options: { fragmentWindowMs: 0 } });
    h.fake.push(h.text('u1', '营业时间'));
    h.fake.failNext('kf/sync_msg', -1, { times: 7 });
    const entry = await h.kfCallback();
    for (let i = 0; i < 7; i++) await processInboxEntry(h.ctx, entry); // next try in 64 s
    const syncs = h.fake.callsTo('kf/sync_msg', false).length;
    deps.clock.advance(SWEEP_AGE_MS + 5_000);
    await schedulerTick(deps, [job]);
    expect(h.fake.callsTo('kf/sync_msg', false)).toHaveLength(syncs);
    expect(h.fake.sentTexts('u1')).toHaveLength(0);
    deps.clock.advance(60_000);
    await schedulerTick(deps, [job]);
    expect(h.fake.sentTexts('u1')).toHaveLength(1);
  });
});

describe('delivery rows', () => {
  it('go pending → sent → failed when the message store can update them', async () => {
    const changes: string[] = [];
    const rows = new Map<string, Message>();
    const repo = deps.storage.messages;
    deps.storage.messages = {
      add: async (m) => {
        if (!rows.has(m.id)) rows.set(m.id, m);
        return repo.add(m);
      },
      listByConversation: repo.listByConversation.bind(repo),
      removeByConversation: repo.removeByConversation.bind(repo),
      setDelivery: async (_m: string, id: string, d: NonNullable<Message['delivery']>) => {
        changes.push(`${id.startsWith('out_') ? 'reply' : id}:${rows.get(id)?.delivery}→${d}`);
        return repo.setDelivery(_m, id, d);
      },
    } as typeof repo;
    h.ctx.options = { fragmentWindowMs: 0 };
    h.fake.push(h.text('u1', '营业时间'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    const msgid = (h.fake.callsTo('kf/send_msg')[0].req as { msgid: string }).msgid;
    h.fake.push(h.event('u1', { event_type: 'msg_send_fail', fail_msgid: msgid, fail_type: 4 }));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(changes).toEqual(['reply:pending→sent', 'reply:pending→failed']);
    expect(await readOutbox(deps, SHOP, msgid)).toMatchObject({ status: 'failed', failType: 4 });
  });
});

describe('processing stored callbacks under the per-merchant limit', () => {
  it("runs each try inside its shop's lane and waits between tries outside it", async () => {
    const lanes: string[] = [];
    const limiter = createKeyedLimiter(1);
    const perMerchant: KeyedLimiter = {
      load: (k) => limiter.load(k),
      run: (key, task) => {
        lanes.push(key);
        return limiter.run(key, task);
      },
    };
    // a busy WeCom first, so the callback needs a second try after a backoff sleep
    h.fake.push(h.text('wmLane', '营业时间'));
    h.fake.throwNext('kf/sync_msg', new AppError('WECOM.TIMEOUT', '企业微信没有及时回应', 504));
    const entry = await h.kfCallback();
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
      deps.clock.advance(ms);
    };
    const log = { error: () => {}, info: () => {}, warn: () => {}, debug: () => {} };
    const ctx = { ...h.ctx, deps: { ...deps, timers: { ...deps.timers, sleep } }, perMerchant, log };
    const status = await processStored(ctx as unknown as ReceiveContext, SHOP, entry.dedupeKey, Number.POSITIVE_INFINITY);
    expect(status).not.toBe('error');
    expect(lanes.length).toBeGreaterThanOrEqual(2);
    expect(new Set(lanes)).toEqual(new Set([SHOP]));
    expect(sleeps.length).toBeGreaterThanOrEqual(1);
    // no slot was held while sleeping, and none is held now
    expect(limiter.load(SHOP)).toEqual({ running: 0, waiting: 0 });
    expect(h.fake.sentTexts('wmLane')).toHaveLength(1);
  });
});
