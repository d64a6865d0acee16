import type { Message } from '../../domain/conversation';
import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { NS } from './context';
import { processInboxEntry } from './inbox';
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
    h.fake.kfSendMsg = () => new Promise(() => {}); // the process dies while WeCom may have it
    void processInboxEntry(h.ctx, entry1);
    await new Promise((r) => setTimeout(r, 200));
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
