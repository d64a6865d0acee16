import type { Message } from '../../domain/conversation';
import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { NS } from './context';
import { processInboxEntry } from './inbox';
import { recoverPendingCallbacks } from './receive';
import { enqueue, readQueue } from './kf-queue';
import { messageIdFor } from './kf-message';
import { SHOP, setupHarness, type Harness } from '../../testing/wecom-harness';

let deps: Deps & { clock: ManualClock };
let h: Harness;

beforeEach(async () => {
  deps = testDeps();
  h = await setupHarness(deps, { fragmentWindowMs: 2_000 });
});
afterEach(() => deps.storage.close());

const thread = async (ext: string) => {
  const conv = await deps.storage.conversations.findByCustomer(SHOP, ext, 'kf');
  return deps.storage.messages.listByConversation(SHOP, conv!.id, 100);
};

describe('sends a dead process left half-way', () => {
  it('are settled as 可能已发出 even when the queue groups their question differently afterwards, and that question is not answered again', async () => {
    // the customer asks; the fragment window passes and the first process starts answering it alone
    const first = h.text('u1', '几点开门');
    h.fake.push(first);
    const entry1 = await h.kfCallback();
    deps.clock.advance(3_000);
    const send = h.fake.kfSendMsg.bind(h.fake);
    // the process dies while WeCom may have it; the test waits for that send, not a fixed time
    let reached!: () => void;
    const inSend = new Promise<void>((r) => (reached = r));
    h.fake.kfSendMsg = () => {
      reached();
      return new Promise(() => {});
    };
    void processInboxEntry(h.ctx, entry1);
    await inSend;
    expect((await thread('u1')).filter((m) => m.sender === 'ai').map((m) => m.delivery)).toEqual(['pending']);

    // meanwhile the customer typed on, within the fragment window of the first message by WeCom's
    // send_time: read afresh, the two look like one question
    h.fake.kfSendMsg = send;
    const second = h.text('u1', '停车方便吗', { send_time: first.send_time + 1 });
    h.fake.push(second);
    deps.clock.advance(60_000); // the dead process's lease is long gone
    const entry2 = await h.kfCallback();
    expect((await processInboxEntry(h.ctx, entry1)).status).toBe('processed');
    expect((await processInboxEntry(h.ctx, entry2)).status).toBe('processed');

    const replies = (await thread('u1')).filter((m) => m.sender === 'ai');
    // the half-way send is flagged for a person, not left pending and not sent again
    expect(replies.map((m) => m.delivery).sort()).toEqual(['sent', 'unknown']);
    const cutOff = replies.find((m) => m.delivery === 'unknown')!;
    expect(cutOff.replyTo).toEqual([messageIdFor(first.msgid)]);
    // the second message gets its own answer; the first is answered (maybe) once, not twice
    const answer = replies.find((m) => m.delivery === 'sent')! as Extract<Message, { type: 'text' }>;
    expect(answer.replyTo).toEqual([messageIdFor(second.msgid)]);
    expect(h.fake.sentTexts('u1')).toEqual([answer.text]);
    expect(answer.text).toContain('车库');
    expect(await deps.storage.kv.get(SHOP, NS.inflight, 'u1')).toMatchObject({ value: { parts: [] } });
  });

  it('leave nothing in flight after a normal send or a failed one', async () => {
    h.fake.push(h.text('u2', '几点开门'));
    deps.clock.advance(3_000);
    await processInboxEntry(h.ctx, await h.kfCallback());
    h.fake.failNext('kf/send_msg', 95001);
    h.fake.push(h.text('u2', '停车方便吗'));
    deps.clock.advance(3_000);
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect((await thread('u2')).filter((m) => m.sender === 'ai').map((m) => m.delivery)).toEqual(['sent', 'failed']);
    expect((await deps.storage.kv.get<{ parts: unknown[] }>(SHOP, NS.inflight, 'u2'))?.value.parts).toEqual([]);
  });
});

describe('a deferred kf callback, run again', () => {
  it('does not sync again and only revisits the customers not yet done', async () => {
    h.fake.push(h.text('u1', '几点开门'));
    deps.clock.advance(3_000);
    h.fake.push(h.text('u2', '停车方便吗')); // still within its fragment window
    const entry = await h.kfCallback();
    const first = await processInboxEntry(h.ctx, entry);
    expect(first.status).toBe('deferred');
    expect(h.fake.sentTexts('u1')).toHaveLength(1);
    const syncs = h.fake.calls.filter((c) => c.api === 'kf/sync_msg').length;
    expect(await deps.storage.kv.get(SHOP, NS.entry, entry.dedupeKey)).toMatchObject({ value: { customers: ['u2'], synced: true } });

    deps.clock.advance(3_000);
    expect((await processInboxEntry(h.ctx, entry)).status).toBe('processed');
    expect(h.fake.calls.filter((c) => c.api === 'kf/sync_msg').length).toBe(syncs);
    expect(h.fake.sentTexts('u2')).toHaveLength(1);
    expect(h.fake.sentTexts('u1')).toHaveLength(1);
    expect(await deps.storage.kv.get(SHOP, NS.entry, entry.dedupeKey)).toBeNull();
  });
});

describe('a customer who keeps typing', () => {
  it('gets each finished question answered without waiting for a pause after the newest one', async () => {
    h.fake.push(h.text('u3', '几点开门'));
    deps.clock.advance(3_000);
    h.fake.push(h.text('u3', '停车方便吗')); // a new question, still being typed
    const entry = await h.kfCallback();
    expect((await processInboxEntry(h.ctx, entry)).status).toBe('deferred');
    expect(h.fake.sentTexts('u3')).toHaveLength(1);
    expect(h.fake.sentTexts('u3')[0]).toContain('10:00');
    deps.clock.advance(3_000);
    expect((await processInboxEntry(h.ctx, entry)).status).toBe('processed');
    expect(h.fake.sentTexts('u3')).toHaveLength(2);
    expect(h.fake.sentTexts('u3')[1]).toContain('车库');
  });
});

describe('a process that starts', () => {
  it('takes up every callback a dead one left pending, not only the first few hundred', async () => {
    for (let i = 0; i < 650; i++) {
      h.fake.push(h.text(`c${i % 50}`, '几点开门'));
      await h.kfCallback();
    }
    deps.clock.advance(3_000);
    const timers = { ...deps.timers, defer: () => {} };
    const log = { error: () => {}, info: () => {}, warn: () => {}, debug: () => {} };
    const ctx = { ...h.ctx, deps: { ...deps, timers }, log } as unknown as Parameters<typeof recoverPendingCallbacks>[0];
    expect(await recoverPendingCallbacks(ctx)).toBe(650);
    await settled();
    expect(h.fake.callsTo('kf/send_msg').length).toBe(50);
  });
});

/**
 * The work a starting process launches runs in the background: the test waits for all of it to
 * finish (no callback pending, then a moment for the last writes) before the database is closed
 * under it — closing it mid-write aborts the worker.
 */
async function settled() {
  await until(async () => (await deps.storage.inbox.listPending(deps.clock.now() + 1, 1_000)).length === 0);
  await new Promise((r) => setTimeout(r, 300));
}

async function until(ok: () => Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a customer left queued by a dead process', () => {
  it('is worked through when a process starts, even when no callback remembers them any more', async () => {
    // the message is in the customer's queue, but the callback that brought it is done and forgotten
    const lost = h.text('u8', '停车方便吗');
    await enqueue(deps, SHOP, 'u8', [{ msg: lost, seenAt: deps.clock.now() }]);
    h.fake.push(h.text('u9', '几点开门'));
    await h.kfCallback(); // some other callback still pending: the shop had work in flight
    deps.clock.advance(3_000);
    const timers = { ...deps.timers, defer: () => {} };
    const log = { error: () => {}, info: () => {}, warn: () => {}, debug: () => {} };
    const ctx = { ...h.ctx, deps: { ...deps, timers }, log } as unknown as Parameters<typeof recoverPendingCallbacks>[0];
    await recoverPendingCallbacks(ctx);
    await until(async () => h.fake.sentTexts('u8').length === 1 && h.fake.sentTexts('u9').length === 1);
    await settled();
    expect(h.fake.sentTexts('u8')[0]).toContain('车库');
    expect(await readQueue(deps, SHOP, 'u8')).toEqual([]);
  });
});
