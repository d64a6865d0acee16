import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { NS, TEXTS } from './context';
import { readOutbox } from './delivery';
import { MSGID_PATTERN } from './msgid';
import { processInboxEntry } from './inbox';
import { syncKf } from './kf-sync';
import { drainCustomer } from './kf-process';
import { readQueue } from './kf-queue';
import { staffReply } from '../conversations/staff-reply';
import { transferToWecomHuman } from '../conversations/transfer';
import { KF, SHOP, setupHarness, type Harness } from '../../testing/wecom-harness';

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
const cursor = async () => (await deps.storage.kv.get<{ cursor: string }>(SHOP, NS.cursor, KF))?.value.cursor;

describe('kf sync', () => {
  it('persists the cursor and starts the next sync from it', async () => {
    h.fake.push(h.text('u1', '你们几点开门'), h.text('u2', '可以送外卖吗'));
    const r = await processInboxEntry(h.ctx, await h.kfCallback());
    expect(r.status).toBe('processed');
    expect(await cursor()).toBe('c2');
    h.fake.push(h.text('u1', '附近好停车吗'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    const syncs = h.fake.callsTo('kf/sync_msg').map((c) => c.req as { cursor?: string; token?: string; open_kfid?: string });
    expect(syncs[0].cursor).toBeUndefined();
    expect(syncs[0].open_kfid).toBe(KF);
    expect(syncs[0].token).toMatch(/^TOKEN/);
    expect(syncs[syncs.length - 1].cursor).toBe('c2');
    expect(await cursor()).toBe('c3');
    expect(h.fake.sentTexts('u1')).toHaveLength(2);
    expect(h.fake.sentTexts('u2')).toHaveLength(1);
  });

  it('keeps paging while has_more, even through an empty page', async () => {
    h.fake.scriptedPages.push({ next_cursor: 'c0', has_more: 1, msg_list: [] });
    h.fake.push(h.text('u1', '营业时间'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(h.fake.callsTo('kf/sync_msg')).toHaveLength(2);
    expect(h.fake.sentTexts('u1')).toEqual(['我们每天 10:00–22:00 营业，21:45 停止点单。']);
    expect(await cursor()).toBe('c1');
  });

  it('pages through a long backlog, storing the cursor after every page', async () => {
    h.fake.pageSize = 2;
    for (let i = 0; i < 5; i++) h.fake.push(h.text(`u${i}`, '营业时间'));
    const seen: string[] = [];
    const origGet = deps.storage.kv.set.bind(deps.storage.kv);
    deps.storage.kv.set = async (m, ns, key, value, v, now) => {
      if (ns === NS.cursor) seen.push((value as { cursor: string }).cursor);
      return origGet(m, ns, key, value, v, now);
    };
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(seen).toEqual(['c2', 'c4', 'c5']);
    expect(h.fake.callsTo('kf/send_msg')).toHaveLength(5);
  });

  it('never moves the cursor backwards when another sync moved it first (compare-and-set)', async () => {
    h.fake.pageSize = 2;
    for (let i = 0; i < 5; i++) h.fake.push(h.text('u1', `问题${i}`));
    const written: string[] = [];
    const set = deps.storage.kv.set.bind(deps.storage.kv);
    deps.storage.kv.set = async (m, ns, key, value, v, now) => {
      const ok = await set(m, ns, key, value, v, now);
      if (ns === NS.cursor && ok) written.push((value as { cursor: string }).cursor);
      return ok;
    };
    // while the first sync holds its first page, a second sync runs to the end
    let nested = false;
    h.fake.beforeSyncReturn = async () => {
      if (nested) return;
      nested = true;
      await syncKf(h.ctx, SHOP, { openKfId: KF });
    };
    const outer = await syncKf(h.ctx, SHOP, { openKfId: KF });
    expect(outer.casRetries).toBe(1);
    expect(written).toEqual(['c2', 'c4', 'c5', 'c5']);
    expect(await cursor()).toBe('c5');
    // the outer sync continued from the newer cursor, not from its own stale page
    const cursors = h.fake.callsTo('kf/sync_msg').map((c) => (c.req as { cursor?: string }).cursor);
    // (calls are logged when answered: the nested sync's three, then the outer's first, then its
    // continuation from the nested sync's c5 — not from its own c2)
    expect(cursors).toEqual([undefined, 'c2', 'c4', undefined, 'c5']);
    // every message queued exactly once
    expect((await readQueue(deps, SHOP, 'u1')).map((i) => i.msg.text?.content)).toEqual(['问题0', '问题1', '问题2', '问题3', '问题4']);
  });

  it('two concurrent syncs: each message queued once, the cursor ends at the end', async () => {
    h.fake.pageSize = 1;
    for (let i = 0; i < 6; i++) h.fake.push(h.text(`u${i % 3}`, '营业时间'));
    const [a, b] = await Promise.all([syncKf(h.ctx, SHOP, { openKfId: KF }), syncKf(h.ctx, SHOP, { openKfId: KF })]);
    expect(a.fresh + b.fresh).toBe(6);
    expect(await cursor()).toBe('c6');
    let queued = 0;
    for (const u of ['u0', 'u1', 'u2']) queued += (await readQueue(deps, SHOP, u)).length;
    expect(queued).toBe(6);
  });

  it('dedupes by msgid: the same callback three times, even with a lost cursor, gives one reply', async () => {
    h.fake.push(h.text('u1', '你们几点开门'));
    const entry = await h.kfCallback('SAMETOKEN');
    await processInboxEntry(h.ctx, entry);
    await processInboxEntry(h.ctx, entry);
    // WeCom retries with the same body: same inbox key
    const again = await h.kfCallback('SAMETOKEN');
    expect(again.dedupeKey).toBe(entry.dedupeKey);
    await processInboxEntry(h.ctx, { ...again, status: 'pending' });
    // the cursor is lost: sync_msg re-reads the last 3 days
    await deps.storage.kv.delete(SHOP, NS.cursor, KF);
    await processInboxEntry(h.ctx, await h.kfCallback('OTHER'));
    expect(h.fake.sentTexts('u1')).toHaveLength(1);
    const c = await h.counters();
    expect(c.customerMessages).toBe(1);
    expect(c.aiAnswered).toBe(1);
  });
});

describe('kf processing', () => {
  it('answers each question of a backlog on its own (messages left by a crash are not merged into one)', async () => {
    const t = Math.floor(deps.clock.now() / 1000);
    h.fake.push(h.text('u1', '你们几点开门', { send_time: t - 180 }), h.text('u1', '能送外卖吗', { send_time: t - 120 }), h.text('u1', '附近好停车吗', { send_time: t - 60 }));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(h.fake.sentTexts('u1')).toEqual(['我们每天 10:00–22:00 营业，21:45 停止点单。', '门店 3 公里内可以配送，满 30 元免配送费。', '大厦地下车库前 30 分钟免费。']);
  });

  it('still answers fragments typed within the window as one question', async () => {
    const t = Math.floor(deps.clock.now() / 1000);
    h.ctx.options = { fragmentWindowMs: 3_000 };
    const asked = [h.text('u1', '你好', { send_time: t - 62 }), h.text('u1', '营业时间', { send_time: t - 60 }), h.text('u1', '附近好停车吗', { send_time: t - 30 })];
    h.fake.push(...asked);
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(h.answerer.questions).toEqual(['你好\n营业时间', '附近好停车吗']);
    expect(h.fake.sentTexts('u1')).toHaveLength(2);
    // each reply names the customer messages it answers: the merged one both fragments
    const replies = (await thread('u1')).filter((m) => m.sender === 'ai');
    expect(replies.map((m) => m.replyTo)).toEqual([[`kf_${asked[0].msgid}`, `kf_${asked[1].msgid}`], [`kf_${asked[2].msgid}`]]);
  });

  it('merges fragments typed within the window into one question', async () => {
    h.ctx.options = { fragmentWindowMs: 3_000 };
    h.fake.push(h.text('u1', '你好'));
    const first = await processInboxEntry(h.ctx, await h.kfCallback());
    expect(first).toMatchObject({ status: 'deferred' });
    deps.clock.advance(1_000);
    h.fake.push(h.text('u1', '请问你们营业时间是多少'));
    const second = await processInboxEntry(h.ctx, await h.kfCallback());
    expect(second.status).toBe('deferred');
    if (second.status === 'deferred') expect(second.retryInMs).toBe(3_000);
    expect(h.fake.callsTo('kf/send_msg')).toHaveLength(0);
    // both fragments are stored (the app shows them) while we wait
    expect((await thread('u1')).filter((m) => m.sender === 'customer')).toHaveLength(2);
    deps.clock.advance(3_000);
    const pending = await deps.storage.inbox.listPending(deps.clock.now() + 1, 10);
    expect(pending).toHaveLength(2);
    for (const e of pending) await processInboxEntry(h.ctx, e);
    expect(h.answerer.questions).toEqual(['你好\n请问你们营业时间是多少']);
    expect(h.fake.sentTexts('u1')).toEqual(['我们每天 10:00–22:00 营业，21:45 停止点单。']);
    expect(await deps.storage.inbox.listPending(deps.clock.now() + 1, 10)).toHaveLength(0);
  });

  it('waits the whole window after a fragment, though WeCom stamps send_time in whole seconds', async () => {
    h.ctx.options = { fragmentWindowMs: 2_000 };
    deps.clock.advance(1_900 - (deps.clock.now() % 1_000)); // 0.9 s into a second
    h.fake.push(h.text('u1', '你好'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    const again = async () => {
      for (const e of await deps.storage.inbox.listPending(deps.clock.now() + 1, 10)) await processInboxEntry(h.ctx, e);
    };
    deps.clock.advance(1_200); // 2.1 s after the second its send_time names, 1.2 s after it was typed
    await again();
    expect(h.fake.callsTo('kf/send_msg')).toHaveLength(0);
    deps.clock.advance(300);
    h.fake.push(h.text('u1', '请问你们营业时间是多少'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    deps.clock.advance(2_500);
    await again();
    expect(h.answerer.questions).toEqual(['你好\n请问你们营业时间是多少']);
  });

  it('answers from the FAQ, recording the decision, counters once', async () => {
    h.fake.push(h.text('u1', '你们可以送外卖吗'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    const msgs = await thread('u1');
    expect(msgs.map((m) => m.sender)).toEqual(['customer', 'ai']);
    const reply = msgs[1];
    expect(reply).toMatchObject({ type: 'text', delivery: 'sent', answer: { knowledgeIds: ['delivery'], handoff: false } });
    const c = await h.counters();
    expect(c).toMatchObject({ newCustomers: 1, customerMessages: 1, consultations: 1, aiAnswered: 1, aiHandoffs: 0, firstResponseCount: 1 });
    expect((await conv('u1'))!.state).toBe('ai');
    // the customer asks again the same day: one consultation, two messages
    h.fake.push(h.text('u1', '附近好停车吗'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(await h.counters()).toMatchObject({ newCustomers: 1, customerMessages: 2, consultations: 1, aiAnswered: 2, firstResponseCount: 1 });
  });

  it('hands off on request: polite notice, waiting_human, then the bot stays silent', async () => {
    h.fake.push(h.text('u1', '我要投诉，转人工'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(h.fake.sentTexts('u1')).toEqual([TEXTS.handoff]);
    const c1 = (await conv('u1'))!;
    expect(c1.state).toBe('waiting_human');
    expect(c1.waitingSince).toBe(deps.clock.now());
    expect(await h.counters()).toMatchObject({ aiHandoffs: 1, aiAnswered: 0 });
    h.fake.push(h.text('u1', '营业时间'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(h.fake.sentTexts('u1')).toHaveLength(1);
    expect((await thread('u1')).filter((m) => m.sender === 'customer')).toHaveLength(2);
    // a person replies from the app while waiting
    deps.clock.advance(60_000);
    await staffReply(h.ctx, { merchantId: SHOP, conversationId: c1.id, memberId: 'm-owner', text: '您好，我是店长，马上帮您处理' });
    expect(h.fake.sentTexts('u1')).toHaveLength(2);
    expect((await thread('u1')).at(-1)).toMatchObject({ sender: 'staff', senderId: 'm-owner', delivery: 'sent' });
  });

  it('hands off when nothing in the knowledge base fits', async () => {
    h.fake.push(h.text('u1', '你们老板是哪里人'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect((await conv('u1'))!.state).toBe('waiting_human');
    expect(await h.counters()).toMatchObject({ aiHandoffs: 1 });
  });

  it('asks for text after a non-text message, hands off after the second in a row', async () => {
    const img = h.media('u1', 'image');
    h.fake.push(img);
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(h.fake.sentTexts('u1')).toEqual([TEXTS.askForText]);
    const stored = (await thread('u1'))[0];
    expect(stored).toMatchObject({ type: 'image', mediaRef: img.image!.media_id, sender: 'customer' });
    expect((await conv('u1'))!.state).toBe('ai');
    h.fake.push(h.media('u1', 'voice'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(h.fake.sentTexts('u1')).toEqual([TEXTS.askForText, TEXTS.handoff]);
    expect((await conv('u1'))!.state).toBe('waiting_human');
    expect(await h.counters()).toMatchObject({ aiHandoffs: 1, customerMessages: 2 });
  });

  it('a text in between resets the non-text streak', async () => {
    h.fake.push(h.media('u1', 'image'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    h.fake.push(h.text('u1', '营业时间'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    h.fake.push(h.media('u1', 'file'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(h.fake.sentTexts('u1')).toEqual([TEXTS.askForText, '我们每天 10:00–22:00 营业，21:45 停止点单。', TEXTS.askForText]);
    expect((await conv('u1'))!.state).toBe('ai');
  });

  it('records a servicer reply (origin 5) and stays out of the conversation', async () => {
    h.fake.push(h.text('u1', '营业时间'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    deps.clock.advance(2_000);
    h.fake.push(h.servicer('u1', 'zhangsan', '我是店员小张，有事找我'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    const last = (await thread('u1')).at(-1)!;
    expect(last).toMatchObject({ sender: 'servicer', senderId: 'zhangsan', type: 'text', text: '我是店员小张，有事找我' });
    expect((await conv('u1'))!.state).toBe('human_in_wecom');
    h.fake.push(h.text('u1', '附近好停车吗'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(h.fake.sentTexts('u1')).toHaveLength(1);
  });

  it('welcomes on enter_session once per welcome_code', async () => {
    const ev = h.event('u1', { event_type: 'enter_session', scene: 'table-qr', welcome_code: 'WELCOME1' });
    h.fake.push(ev);
    await processInboxEntry(h.ctx, await h.kfCallback());
    // the same event again (lost cursor) and a second worker: no second welcome
    await deps.storage.kv.delete(SHOP, NS.cursor, KF);
    await deps.storage.kv.delete(SHOP, NS.seen, ev.msgid);
    await processInboxEntry(h.ctx, await h.kfCallback());
    const welcomes = h.fake.callsTo('kf/send_msg_on_event');
    expect(welcomes).toHaveLength(1);
    expect(welcomes[0].req).toMatchObject({ code: 'WELCOME1', msgtype: 'text' });
    expect((welcomes[0].req as { msgid: string }).msgid).toMatch(MSGID_PATTERN);
    expect(await deps.storage.customers.get(SHOP, 'u1')).toMatchObject({ source: 'kf', sourceState: 'table-qr' });
    expect(await h.counters()).toMatchObject({ newCustomers: 1 });
    expect((await thread('u1'))[0]).toMatchObject({ sender: 'ai', delivery: 'sent' });
  });

  it('marks a reply failed on msg_send_fail', async () => {
    h.fake.push(h.text('u1', '营业时间'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    const sent = h.fake.callsTo('kf/send_msg')[0].req as { msgid: string };
    expect((await readOutbox(deps, SHOP, sent.msgid))!.status).toBe('sent');
    h.fake.push(h.event('u1', { event_type: 'msg_send_fail', fail_msgid: sent.msgid, fail_type: 10 }));
    const r = await processInboxEntry(h.ctx, await h.kfCallback());
    expect(r.status).toBe('processed');
    expect(await readOutbox(deps, SHOP, sent.msgid)).toMatchObject({ status: 'failed', failType: 10 });
  });

  it('follows session_status_change: transfer → human_in_wecom, end → closed, then a new session in ai', async () => {
    h.fake.push(h.text('u1', '营业时间'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    h.fake.push(h.event('u1', { event_type: 'session_status_change', change_type: 2, old_servicer_userid: '', new_servicer_userid: 'lisi' }));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect((await conv('u1'))!).toMatchObject({ state: 'human_in_wecom', wecomState: 3 });
    h.fake.push(h.text('u1', '附近好停车吗'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(h.fake.sentTexts('u1')).toHaveLength(1);
    deps.clock.advance(60_000);
    h.fake.push(h.event('u1', { event_type: 'session_status_change', change_type: 3, old_servicer_userid: 'lisi' }));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect((await conv('u1'))!).toMatchObject({ state: 'closed', wecomState: 4 });
    deps.clock.advance(60_000);
    h.fake.push(h.text('u1', '可以送外卖吗'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    const c = (await conv('u1'))!;
    expect(c.state).toBe('ai');
    expect(c.sessionStartedAt).toBe(Math.floor(deps.clock.now() / 1000) * 1000);
    expect(h.fake.sentTexts('u1')).toHaveLength(2);
    expect(await h.counters()).toMatchObject({ firstResponseCount: 2 });
  });

  it('opens a new session in ai after 48 h, even from waiting_human', async () => {
    h.fake.push(h.text('u1', '转人工'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect((await conv('u1'))!.state).toBe('waiting_human');
    deps.clock.advance(49 * HOUR);
    h.fake.push(h.text('u1', '营业时间'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect((await conv('u1'))!.state).toBe('ai');
    expect(h.fake.sentTexts('u1').at(-1)).toContain('10:00');
  });

  it('transfers to a WeCom servicer: service_state 3, human_in_wecom, audited, the bot stops', async () => {
    h.fake.push(h.text('u1', '转人工'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    const c = (await conv('u1'))!;
    const next = await transferToWecomHuman(h.ctx, SHOP, c.id, 'zhangsan', 'm-owner');
    expect(next.state).toBe('human_in_wecom');
    expect(h.fake.callsTo('kf/service_state/trans')[0].req).toEqual({ open_kfid: KF, external_userid: 'u1', service_state: 3, servicer_userid: 'zhangsan' });
    const audit = await deps.storage.audit.list(SHOP, 10);
    expect(audit.find((a) => a.action === 'conversation.transfer_to_wecom')).toMatchObject({ actor: 'm-owner', target: c.id, detail: { servicerUserId: 'zhangsan' } });
    await expect(staffReply(h.ctx, { merchantId: SHOP, conversationId: c.id, memberId: 'm-owner', text: '在吗' })).rejects.toMatchObject({ code: 'CONFLICT.HUMAN_IN_WECOM' });
    h.fake.push(h.text('u1', '营业时间'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(h.fake.sentTexts('u1')).toEqual([TEXTS.handoff]);
  });

  it('a second worker skips a customer whose lease is held, and the work happens once it lapses', async () => {
    h.ctx.options = { fragmentWindowMs: 0, leaseMs: 30_000 };
    await deps.storage.kv.set(SHOP, NS.lease, 'u1', { owner: 'other-worker', until: deps.clock.now() + 30_000 }, null, deps.clock.now());
    h.fake.push(h.text('u1', '营业时间'));
    const entry = await h.kfCallback();
    const r = await processInboxEntry(h.ctx, entry);
    expect(r).toMatchObject({ status: 'deferred' });
    expect(h.fake.callsTo('kf/send_msg')).toHaveLength(0);
    deps.clock.advance(31_000);
    expect((await processInboxEntry(h.ctx, entry)).status).toBe('processed');
    expect(h.fake.sentTexts('u1')).toHaveLength(1);
    expect(await drainCustomer(h.ctx, SHOP, 'u1')).toMatchObject({ status: 'done' });
  });
});
