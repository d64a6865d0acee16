import type { ManualClock } from '../../domain/time';
import type { Conversation, Message } from '../../domain/conversation';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { createEngineAnswerer } from '../answer/answerer';
import { processInboxEntry } from '../channel-wecom/inbox';
import { tryAcquireLease } from '../channel-wecom/lease';
import { schedulerTick } from '../scheduling/scheduler';
import { createMerchant } from '../shop/merchants';
import { SHOP, setupHarness, type Harness } from '../../testing/wecom-harness';
import { setFollowUp } from './follow-up';
import { createResumeAiJob, unseenByAi } from './resume-ai';
import { staffReply } from './staff-reply';

/** Shanghai wall-clock time as epoch ms. */
const sh = (local: string) => Date.parse(`${local}+08:00`);
const MIN = 60_000;
const HOURS = '我们每天 10:00–22:00 营业，21:45 停止点单。';

let deps: Deps & { clock: ManualClock };
let h: Harness;

beforeEach(async () => {
  deps = testDeps();
  deps.clock.set(sh('2026-11-23T15:00:00'));
  h = await setupHarness(deps, { fragmentWindowMs: 0 });
  // the product's engine: a request for a person and a complaint are handed over, the hours answered
  h.ctx.answerer = createEngineAnswerer(deps.storage.knowledge);
});
afterEach(() => deps.storage.close());

const conv = async (ext: string) => (await deps.storage.conversations.findByCustomer(SHOP, ext, 'kf'))!;
const thread = async (ext: string) => deps.storage.messages.listByConversation(SHOP, (await conv(ext)).id, 50);
async function say(ext: string, text: string) {
  h.fake.push(h.text(ext, text));
  await processInboxEntry(h.ctx, await h.kfCallback());
}
/** One scheduler tick with only this job, `minutes` from now (each minute is a new slot). */
async function tickAfter(minutes: number) {
  deps.clock.advance(minutes * MIN);
  return schedulerTick(deps, [createResumeAiJob(h.ctx)]);
}

describe('the AI-resume timer (店员 N 分钟没回，让 AI 先答有把握的问题)', () => {
  it('answers what the customer wrote while a person held the conversation once it waited N minutes, and a second run does nothing more', async () => {
    await setFollowUp(deps, SHOP, { mode: 'ai_after', minutes: 10 });
    await say('u1', '我要找老板');
    expect((await conv('u1')).state).toBe('waiting_human');
    deps.clock.advance(MIN);
    await say('u1', '你们几点开门？');
    // one minute after the handoff: the AI stays quiet, the question waits
    expect((await conv('u1')).state).toBe('waiting_human');
    expect(h.fake.sentTexts('u1')).toHaveLength(1);

    // 10 minutes after the handoff, 9 after the question: not yet
    await tickAfter(9);
    expect((await conv('u1')).state).toBe('waiting_human');
    expect(h.fake.sentTexts('u1')).toHaveLength(1);

    const report = await tickAfter(1);
    expect(report.ran).toEqual([{ key: expect.stringMatching(/^conversations\.resume-ai:/), status: 'done' }]);
    expect((await conv('u1')).state).toBe('ai');
    expect(h.fake.sentTexts('u1').slice(1)).toEqual([HOURS]);
    const lines = (await thread('u1')).filter((m) => m.sender === 'system');
    expect(lines).toEqual([expect.objectContaining({ type: 'event', event: 'ai_resumed', detail: { minutes: 10, text: '店员 10 分钟没回，AI 先答有把握的问题' } })]);

    const before = (await thread('u1')).length;
    await tickAfter(1);
    await tickAfter(30);
    expect(h.fake.sentTexts('u1')).toHaveLength(2);
    expect(await thread('u1')).toHaveLength(before);
  });

  it('what the AI is not sure of goes back to a person once, not again every N minutes', async () => {
    await setFollowUp(deps, SHOP, { mode: 'ai_after', minutes: 10 });
    await say('u2', '我要找老板');
    deps.clock.advance(2 * MIN);
    await say('u2', '我要投诉，昨天的奶茶里有异物');
    await tickAfter(10);
    // the complaint went through the answer path: an apology and back to 待人工
    const c = await conv('u2');
    expect(c.state).toBe('waiting_human');
    expect(c.handoffReason).toBe('complaint');
    expect(h.fake.sentTexts('u2')).toHaveLength(2);
    expect((await thread('u2')).filter((m) => m.sender === 'system')).toHaveLength(1);
    // the AI has seen everything the customer wrote: later runs leave it with a person
    await tickAfter(11);
    await tickAfter(60);
    expect((await conv('u2')).state).toBe('waiting_human');
    expect(h.fake.sentTexts('u2')).toHaveLength(2);
  });

  it('leaves a conversation with a person when the shop replied, with the default setting, and while the customer’s messages are being worked on', async () => {
    await say('u3', '我要找老板');
    deps.clock.advance(MIN);
    await say('u3', '你们几点开门？');
    // the default (再提醒店员): the timer does nothing
    await tickAfter(30);
    expect((await conv('u3')).state).toBe('waiting_human');

    await setFollowUp(deps, SHOP, { mode: 'ai_after', minutes: 10 });
    // another worker holds the customer's lease: this run skips them, the next one takes them
    const lease = (await tryAcquireLease(deps, SHOP, 'u3', 60 * MIN))!;
    await tickAfter(1);
    expect((await conv('u3')).state).toBe('waiting_human');
    await lease.release();
    await staffReply(h.ctx, { merchantId: SHOP, conversationId: (await conv('u3')).id, memberId: 'local-owner', text: '十点开门哦', clientMsgId: 'r1' });
    // the shop answered the customer's last message: nothing waits for the AI
    await tickAfter(30);
    expect((await conv('u3')).state).toBe('waiting_human');
    expect(h.fake.sentTexts('u3').at(-1)).toBe('十点开门哦');
  });

  it('works shop by shop: only the shops that chose it, each on its own minutes', async () => {
    await createMerchant(deps, { id: 'shop-b', name: '二号店', corpId: 'ww0000000000000002', token: 'ShopBToken', aesKey: 'b'.repeat(43) });
    await setFollowUp(deps, SHOP, { mode: 'ai_after', minutes: 30 });
    await setFollowUp(deps, 'shop-b', { mode: 'ai_after', minutes: 5 });
    await say('u4', '我要找老板');
    deps.clock.advance(MIN);
    await say('u4', '你们几点开门？');
    // the other shop's conversation, waiting just as long (stored directly)
    const t = deps.clock.now();
    const other: Conversation = {
      id: 'kf-u9',
      merchantId: 'shop-b',
      externalUserId: 'u9',
      channel: 'kf',
      kfAccountId: 'wkBBBB0001',
      state: 'waiting_human',
      waitingSince: t - MIN,
      missed: false,
      lastMessagePreview: '',
      lastCustomerMessageAt: t,
      createdAt: t,
      updatedAt: t,
    };
    await deps.storage.conversations.upsert(other);
    await deps.storage.messages.add({ id: 'kf_b1', merchantId: 'shop-b', conversationId: other.id, sender: 'customer', at: t, type: 'text', text: '在吗', wecomMsgId: 'b1' });

    await tickAfter(10);
    // shop-b's 5 minutes are up: the AI answered its customer; shop-a's 30 are not
    expect((await deps.storage.conversations.get('shop-b', other.id))?.state).toBe('ai');
    expect(h.fake.callsTo('kf/send_msg').filter((c) => c.merchantId === 'shop-b')).toHaveLength(1);
    expect((await conv('u4')).state).toBe('waiting_human');
    expect(h.fake.sentTexts('u4')).toHaveLength(1);
    await tickAfter(20);
    expect((await conv('u4')).state).toBe('ai');
    expect(h.fake.sentTexts('u4').at(-1)).toBe(HOURS);
  });
});

describe('unseenByAi', () => {
  const m = (sender: Message['sender'], extra: Partial<Message> = {}) => ({ id: `${sender}${Math.random()}`, sender, type: 'text', text: 'x', ...extra }) as Message;
  it('is the customer’s messages after the last thing the AI, a person or a resume did', () => {
    const a = m('customer');
    const b = m('customer', { type: 'image' } as Partial<Message>);
    expect(unseenByAi([m('customer'), m('ai'), a, m('system', { type: 'event', event: 'transfer_to_wecom' } as Partial<Message>), b])).toEqual([a, b]);
    expect(unseenByAi([m('customer'), m('system', { type: 'event', event: 'ai_resumed' } as Partial<Message>)])).toEqual([]);
    expect(unseenByAi([m('customer'), m('staff')])).toEqual([]);
  });
});
