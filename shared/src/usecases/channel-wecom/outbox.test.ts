import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { TEXTS } from './context';
import { readOutbox } from './delivery';
import { utf8Length, MSGID_PATTERN } from './msgid';
import { processInboxEntry } from './inbox';
import { sendsLeft } from './outbox';
import { staffReply } from '../conversations/staff-reply';
import { SHOP, setupHarness, type Harness } from '../../testing/wecom-harness';

const HOUR = 3600_000;
let deps: Deps & { clock: ManualClock };
let h: Harness;

beforeEach(async () => {
  deps = testDeps();
  h = await setupHarness(deps, { fragmentWindowMs: 0 });
});
afterEach(() => deps.storage.close());

const conv = (ext: string) => deps.storage.conversations.findByCustomer(SHOP, ext, 'kf');
const thread = async (ext: string) => deps.storage.messages.listByConversation(SHOP, (await conv(ext))!.id, 100);

describe('outbox', () => {
  it('never sends a reply twice when its process died mid-send: the retry marks it 可能已发出 instead', async () => {
    h.fake.push(h.text('u1', '营业时间'));
    const entry = await h.kfCallback();
    // the first run's send never comes back (the process is gone while WeCom may have it)
    const send = h.fake.kfSendMsg.bind(h.fake);
    // waits for the send itself, not for a fixed time: on a loaded machine the first run can take longer to get there
    let reached!: () => void;
    const inSend = new Promise<void>((r) => (reached = r));
    h.fake.kfSendMsg = () => {
      reached();
      return new Promise(() => {});
    };
    void processInboxEntry(h.ctx, entry);
    await inSend;
    // the restart: a new run of the same entry, WeCom reachable again
    h.fake.kfSendMsg = send;
    deps.clock.advance(60_000);
    expect((await processInboxEntry(h.ctx, entry)).status).toBe('processed');
    expect(h.fake.sentTexts('u1')).toEqual([]);
    const reply = (await thread('u1')).find((m) => m.sender === 'ai');
    expect(reply).toMatchObject({ delivery: 'unknown' });
    // and again: still nothing sent, nothing counted as answered
    await processInboxEntry(h.ctx, entry);
    expect(h.fake.sentTexts('u1')).toEqual([]);
  });

  const LONG_ANSWER = Array.from({ length: 60 }, (_, i) => `第${i + 1}条说明：本店所有饮品均使用当日新鲜水果现切现做，口味可以选择少糖、半糖或者无糖。`).join('');

  it('splits at 2048 bytes with deterministic msgids, reused on retry after a failure', async () => {
    await deps.storage.knowledge.upsertFaq({ id: 'long', question: '你们的水果新鲜吗', answer: LONG_ANSWER, alternatives: [], enabled: true, merchantId: SHOP, updatedAt: 0 });
    // the second part fails once with -1 (系统繁忙, retryable)
    h.fake.failNext('kf/send_msg', -1, { when: () => h.fake.callsTo('kf/send_msg').length === 1 });
    h.fake.push(h.text('u1', '你们的水果新鲜吗'));
    const entry = await h.kfCallback();
    const first = await processInboxEntry(h.ctx, entry);
    expect(first.status).toBe('deferred');
    const attempts1 = h.fake.calls.filter((c) => c.api === 'kf/send_msg');
    expect(attempts1.map((c) => c.ok)).toEqual([true, false]);
    const failedId = (attempts1[1].req as { msgid: string }).msgid;
    expect((await readOutbox(deps, SHOP, failedId))!).toMatchObject({ status: 'failed', errcode: -1 });
    // the retry (the caller re-runs after retryInMs; the sweep would too)
    deps.clock.advance(5_000);
    expect((await processInboxEntry(h.ctx, entry)).status).toBe('processed');
    const all = h.fake.calls.filter((c) => c.api === 'kf/send_msg').map((c) => c.req as { msgid: string; text: { content: string } });
    const ok = h.fake.callsTo('kf/send_msg').map((c) => c.req as { msgid: string; text: { content: string } });
    expect(all[2].msgid).toBe(failedId); // same msgid on retry
    expect(new Set(ok.map((r) => r.msgid)).size).toBe(ok.length); // no part sent twice
    expect(ok.length).toBeGreaterThanOrEqual(3);
    for (const r of ok) {
      expect(r.msgid).toMatch(MSGID_PATTERN);
      expect(utf8Length(r.text.content)).toBeLessThanOrEqual(2048);
      expect(r.text.content).toMatch(/[。！？]$/);
    }
    expect(ok.map((r) => r.text.content).join('')).toBe(LONG_ANSWER);
    expect(await h.counters()).toMatchObject({ aiAnswered: 1, firstResponseCount: 1 });
    const aiRows = (await thread('u1')).filter((m) => m.sender === 'ai');
    expect(aiRows.map((m) => m.delivery)).toEqual(ok.map(() => 'sent'));
  });

  it('sends at most 5 messages per customer message (a person too), and resets when the customer writes', async () => {
    h.fake.push(h.text('u1', '转人工'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(await sendsLeft(deps, SHOP, 'u1')).toBe(4);
    const c = (await conv('u1'))!;
    for (let i = 0; i < 4; i++) await staffReply(h.ctx, { merchantId: SHOP, conversationId: c.id, memberId: 'm1', text: `第${i}条` });
    await expect(staffReply(h.ctx, { merchantId: SHOP, conversationId: c.id, memberId: 'm1', text: '第五条' })).rejects.toMatchObject({ code: 'CONFLICT.REPLY_LIMIT' });
    expect(h.fake.callsTo('kf/send_msg')).toHaveLength(5);
    h.fake.push(h.text('u1', '好的谢谢'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    await staffReply(h.ctx, { merchantId: SHOP, conversationId: c.id, memberId: 'm1', text: '不客气' });
    expect(h.fake.callsTo('kf/send_msg')).toHaveLength(6);
  });

  it('a staff reply retried with the same client id is sent once', async () => {
    h.fake.push(h.text('u1', '转人工'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    const c = (await conv('u1'))!;
    h.fake.failNext('kf/send_msg', 45009);
    await expect(staffReply(h.ctx, { merchantId: SHOP, conversationId: c.id, memberId: 'm1', text: '马上来', clientMsgId: 'r1' })).rejects.toMatchObject({
      code: 'WECOM.SEND_FAILED',
    });
    await staffReply(h.ctx, { merchantId: SHOP, conversationId: c.id, memberId: 'm1', text: '马上来', clientMsgId: 'r1' });
    await staffReply(h.ctx, { merchantId: SHOP, conversationId: c.id, memberId: 'm1', text: '马上来', clientMsgId: 'r1' });
    const attempts = h.fake.calls.filter((x) => x.api === 'kf/send_msg' && (x.req as { text: { content: string } }).text.content === '马上来');
    expect(attempts.map((a) => a.ok)).toEqual([false, true]);
    expect(new Set(attempts.map((a) => (a.req as { msgid: string }).msgid)).size).toBe(1);
    expect(await sendsLeft(deps, SHOP, 'u1')).toBe(3);
  });

  it('cuts a reply that does not fit the budget, keeping the rest as failed', async () => {
    const HUGE = Array.from({ length: 7 }, (_, i) => `${'好'.repeat(680)}${i}。`).join('');
    await deps.storage.knowledge.upsertFaq({ id: 'huge', question: '会员卡怎么办理', answer: HUGE, alternatives: [], enabled: true, merchantId: SHOP, updatedAt: 0 });
    h.fake.push(h.text('u1', '会员卡怎么办理'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(h.fake.callsTo('kf/send_msg')).toHaveLength(5);
    const ai = (await thread('u1')).filter((m) => m.sender === 'ai');
    expect(ai.map((m) => m.delivery)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent', 'failed', 'failed']);
  });

  it('never sends more than 48 h after the customer last wrote', async () => {
    h.fake.push(h.text('u1', '转人工'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    const c = (await conv('u1'))!;
    deps.clock.advance(47 * HOUR);
    await staffReply(h.ctx, { merchantId: SHOP, conversationId: c.id, memberId: 'm1', text: '抱歉久等了' });
    deps.clock.advance(2 * HOUR);
    await expect(staffReply(h.ctx, { merchantId: SHOP, conversationId: c.id, memberId: 'm1', text: '还在吗' })).rejects.toMatchObject({ code: 'CONFLICT.REPLY_WINDOW' });
    expect(h.fake.sentTexts('u1')).toEqual([TEXTS.handoff, '抱歉久等了']);
  });

  it('the bot does not answer a message whose 48 h ran out before it was processed', async () => {
    h.fake.push({ ...h.text('u1', '营业时间'), send_time: Math.floor((deps.clock.now() - 49 * HOUR) / 1000) });
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(h.fake.callsTo('kf/send_msg')).toHaveLength(0);
    expect((await thread('u1')).filter((m) => m.sender === 'customer')).toHaveLength(1);
    const days = await deps.storage.counters.days(SHOP, '2026-11-19', '2026-11-22');
    const sum = (k: 'aiAnswered' | 'aiHandoffs' | 'customerMessages') => Object.values(days).reduce((n, d) => n + d[k], 0);
    expect([sum('customerMessages'), sum('aiAnswered'), sum('aiHandoffs')]).toEqual([1, 0, 0]);
  });
});
