import type { Conversation, Message } from '../../domain/conversation';
import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { SHOP, setupHarness, type Harness } from '../../testing/wecom-harness';
import { TEXTS } from '../channel-wecom/context';
import { readOutbox, writeOutbox, changeDelivery } from '../channel-wecom/delivery';
import { processInboxEntry } from '../channel-wecom/inbox';
import { sendsLeft } from '../channel-wecom/outbox';
import { listConversations } from './queries';
import { retrySend } from './retry-send';
import { staffReply } from './staff-reply';

const HOUR = 3600_000;
let deps: Deps & { clock: ManualClock };
let h: Harness;

beforeEach(async () => {
  deps = testDeps();
  h = await setupHarness(deps, { fragmentWindowMs: 0 });
});
afterEach(() => deps.storage.close());

const conv = async (ext: string) => (await deps.storage.conversations.findByCustomer(SHOP, ext, 'kf'))!;
const thread = async (c: Conversation) => deps.storage.messages.listByConversation(SHOP, c.id, 100);
const retry = (c: Conversation, messageId: string) => retrySend(h.ctx, { merchantId: SHOP, conversationId: c.id, messageId, memberId: 'm1' });
const undeliveredList = async () => (await listConversations(deps, SHOP, { filter: 'undelivered', limit: 20 })).items.map((i) => [i.conversation.externalUserId, i.undelivered]);
const sendsOf = (text: string) => h.fake.calls.filter((x) => x.api === 'kf/send_msg' && (x.req as { text: { content: string } }).text.content === text);

/** A customer asks for a person, then a staff reply fails for good (40008: WeCom refuses it, no retry). */
async function failedStaffReply(ext = 'u1', text = '马上给您开发票') {
  h.fake.push(h.text(ext, '转人工'));
  await processInboxEntry(h.ctx, await h.kfCallback());
  const c = await conv(ext);
  h.fake.failNext('kf/send_msg', 40008);
  await expect(staffReply(h.ctx, { merchantId: SHOP, conversationId: c.id, memberId: 'm1', text })).rejects.toMatchObject({ code: 'WECOM.SEND_FAILED' });
  const failed = (await thread(c)).find((m) => m.sender === 'staff')!;
  expect(failed).toMatchObject({ delivery: 'failed', text });
  return { c, failed };
}

describe('重发 (conversations.retrySend)', () => {
  it('sends a failed reply once, with its own msgid, and the conversation leaves the 没发出去 list', async () => {
    const { c, failed } = await failedStaffReply();
    expect(await undeliveredList()).toEqual([['u1', 1]]);
    // the other lists mark the row too
    expect((await listConversations(deps, SHOP, { filter: 'all', limit: 20 })).items.map((i) => i.undelivered)).toEqual([1]);

    expect(await retry(c, failed.id)).toEqual({ messageId: failed.id, resent: true });
    // tapping again (or a second phone) sends nothing more
    expect(await retry(c, failed.id)).toEqual({ messageId: failed.id, resent: false });

    const attempts = sendsOf('马上给您开发票');
    expect(attempts.map((a) => a.ok)).toEqual([false, true]);
    expect((attempts[1].req as { msgid: string }).msgid).toBe(failed.wecomMsgId);
    expect((await thread(c)).find((m) => m.id === failed.id)?.delivery).toBe('sent');
    expect(await readOutbox(deps, SHOP, failed.wecomMsgId!)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await undeliveredList()).toEqual([]);
    // it counts against the customer's 5 like any send: handoff notice + this one
    expect(await sendsLeft(deps, SHOP, 'u1')).toBe(3);
    const audit = await deps.storage.audit.list(SHOP, 5);
    expect(audit.filter((a) => a.action === 'conversations.retrySend')).toEqual([expect.objectContaining({ actor: 'm1', target: failed.id, detail: { was: 'failed' } })]);
  });

  it('two taps at once send once', async () => {
    const { c, failed } = await failedStaffReply();
    const results = await Promise.all([retry(c, failed.id), retry(c, failed.id)]);
    expect(results.map((r) => r.resent).sort()).toEqual([false, true]);
    expect(sendsOf('马上给您开发票').filter((a) => a.ok)).toHaveLength(1);
  });

  it('resends an AI reply left unknown by a crash: a person chose to, so at-most-once gives way', async () => {
    h.fake.push(h.text('u2', '营业时间'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    const c = await conv('u2');
    const reply = (await thread(c)).find((m) => m.sender === 'ai')!;
    // what the restart after a mid-send crash leaves (outbox.ts): the record and the row unknown
    await writeOutbox(deps, SHOP, reply.wecomMsgId!, (cur) => ({ ...cur!, status: 'unknown', updatedAt: deps.clock.now() }));
    await changeDelivery(deps, SHOP, reply.id, 'unknown');
    expect(await undeliveredList()).toEqual([['u2', 1]]);

    expect(await retry(c, reply.id)).toMatchObject({ resent: true });
    expect(h.fake.sentTexts('u2')).toEqual([reply.type === 'text' ? reply.text : '', reply.type === 'text' ? reply.text : '']);
    expect((await thread(c)).find((m) => m.id === reply.id)?.delivery).toBe('sent');
    expect(await undeliveredList()).toEqual([]);
  });

  it('refuses, in Chinese, what cannot or need not be resent', async () => {
    const { c, failed } = await failedStaffReply();
    const customerMsg = (await thread(c)).find((m) => m.sender === 'customer')!;
    const notice = (await thread(c)).find((m) => m.sender === 'ai' && m.type === 'text' && m.text === TEXTS.handoff)!;
    await expect(retry(c, customerMsg.id)).rejects.toMatchObject({ code: 'CONFLICT.NOT_RESENDABLE', status: 409, message: '只有 AI 或店员发出的文字消息才能重发' });
    // a message that went out: nothing to do, nothing sent
    const before = h.fake.callsTo('kf/send_msg').length;
    expect(await retry(c, notice.id)).toEqual({ messageId: notice.id, resent: false });
    expect(h.fake.callsTo('kf/send_msg')).toHaveLength(before);
    await expect(retry(c, 'out_nope')).rejects.toMatchObject({ code: 'NOT_FOUND.MESSAGE', status: 404 });
    await expect(retrySend(h.ctx, { merchantId: 'other-shop', conversationId: c.id, messageId: failed.id, memberId: 'm1' })).rejects.toMatchObject({ status: 404 });

    // a colleague took the customer in WeCom: the bot's session is not ours to send in
    await deps.storage.conversations.upsert({ ...(await conv('u1')), state: 'human_in_wecom' });
    await expect(retry(c, failed.id)).rejects.toMatchObject({ code: 'CONFLICT.HUMAN_IN_WECOM', status: 409, message: expect.stringContaining('企业微信') });
    await deps.storage.conversations.upsert({ ...(await conv('u1')), state: 'waiting_human' });

    // WeCom's 48 h window closed
    deps.clock.advance(49 * HOUR);
    await expect(retry(c, failed.id)).rejects.toMatchObject({ code: 'CONFLICT.REPLY_WINDOW', status: 409, message: expect.stringContaining('48 小时') });
    expect(h.fake.callsTo('kf/send_msg')).toHaveLength(before);
    // still listed: it never went out
    expect(await undeliveredList()).toEqual([['u1', 1]]);
  });

  it('refuses once the customer’s 5 sends are used up, and sends again after the customer writes', async () => {
    const { c, failed } = await failedStaffReply();
    for (let i = 0; i < 4; i++) await staffReply(h.ctx, { merchantId: SHOP, conversationId: c.id, memberId: 'm1', text: `第${i}条` });
    await expect(retry(c, failed.id)).rejects.toMatchObject({ code: 'CONFLICT.REPLY_LIMIT', status: 409 });
    h.fake.push(h.text('u1', '在吗'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(await retry(c, failed.id)).toMatchObject({ resent: true });
  });

  it('a resend WeCom refuses for a configuration reason says what to fix, and stays listed', async () => {
    const { c, failed } = await failedStaffReply();
    h.fake.failNext('kf/send_msg', 95017);
    await expect(retry(c, failed.id)).rejects.toMatchObject({ code: 'WECOM.CONFIG', message: expect.stringContaining('微信客服的 API 没有打开') });
    expect(await readOutbox(deps, SHOP, failed.wecomMsgId!)).toMatchObject({ status: 'failed', errcode: 95017 });
    expect(await undeliveredList()).toEqual([['u1', 1]]);
    // the refund: the failed attempt did not use up one of the customer's 5
    expect(await sendsLeft(deps, SHOP, 'u1')).toBe(4);
    expect(await retry(c, failed.id)).toMatchObject({ resent: true });
  });
});

describe('the 没发出去 index', () => {
  it('follows msg_send_fail: a message WeCom reports as failed later is listed', async () => {
    h.fake.push(h.text('u3', '营业时间'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    const c = await conv('u3');
    const reply = (await thread(c)).find((m): m is Message & { wecomMsgId: string } => m.sender === 'ai' && Boolean(m.wecomMsgId))!;
    expect(await undeliveredList()).toEqual([]);
    h.fake.push(h.event('u3', { event_type: 'msg_send_fail', fail_msgid: reply.wecomMsgId, fail_type: 0 }));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(await undeliveredList()).toEqual([['u3', 1]]);
    expect((await thread(c)).find((m) => m.id === reply.id)?.delivery).toBe('failed');
  });
});
