import type { Conversation, Message } from '@xiaoer/shared/domain/conversation';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { callApi } from '@xiaoer/shared/api/dispatch';
import { FakeWecomApi } from '@xiaoer/shared/testing/fake-wecom-api';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { ensureLocalMember } from '@xiaoer/shared/usecases/shop/members';
import { withChangeFeed } from '@xiaoer/shared/usecases/conversations/changes';
import { followUpCustomerMessage, setFollowUp } from '@xiaoer/shared/usecases/conversations/follow-up';
import { waitOf } from '@xiaoer/shared/usecases/conversations/waiting';
import type { WecomContext } from '@xiaoer/shared/usecases/channel-wecom/context';
import { VECTOR_A } from './helpers/host';
import { testDeps } from './helpers/deps';

/** The 待人工 flow's server side: the live-update feed, the queue's order and waits, thread paging and the follow-up setting. */
const MIN = 60_000;
const OWNER = { openid: 'local:shop-a:owner' };
let deps: Deps & { clock: { now(): number; advance(ms: number): void } };
let T0: number;

const conv = (id: string, extra: Partial<Conversation> = {}): Conversation => ({
  id,
  merchantId: 'shop-a',
  externalUserId: `wm-${id}`,
  channel: 'kf',
  kfAccountId: 'wkA',
  state: 'waiting_human',
  waitingSince: T0,
  missed: false,
  lastMessagePreview: '',
  createdAt: T0,
  updatedAt: T0,
  ...extra,
});
let n = 0;
const msg = (conversationId: string, sender: Message['sender'], at: number, text: string, extra: Partial<Message> = {}): Message =>
  ({ id: `x${++n}`, merchantId: 'shop-a', conversationId, sender, at, type: 'text', text, ...extra }) as Message;
const api = async (req: Record<string, unknown>) => (await callApi(deps, OWNER, { merchantId: 'shop-a', ...req })).result as any;

beforeEach(async () => {
  const base = testDeps();
  deps = { ...base, storage: withChangeFeed(base.storage, base.clock) } as typeof deps;
  T0 = deps.clock.now();
  await createMerchant(deps, { id: 'shop-a', name: '一号店', ...VECTOR_A });
  await ensureLocalMember(deps, 'shop-a', 'owner');
});
afterEach(() => deps.storage.close());

describe('inbox.changes', () => {
  it('names what changed after the last poll, with the waiting count, from the feed', async () => {
    const first = await api({ action: 'inbox.changes', since: 0 });
    await deps.storage.conversations.upsert(conv('c1'));
    const second = await api({ action: 'inbox.changes', since: first.changedAt });
    expect(second).toMatchObject({ waiting: 1, conversationIds: ['c1'], full: false });
    expect(second.changedAt).toBeGreaterThan(first.changedAt);
    // nothing since: nothing named, the same stamp
    expect(await api({ action: 'inbox.changes', since: second.changedAt })).toMatchObject({ changedAt: second.changedAt, conversationIds: [] });
    // a message and a delivery status move the stamp too, and say where
    const m = msg('c2', 'ai', T0, '好的', { delivery: 'pending' });
    await deps.storage.messages.add(m);
    await deps.storage.messages.setDelivery('shop-a', m.id, 'sent');
    const third = await api({ action: 'inbox.changes', since: second.changedAt });
    expect(third.conversationIds).toEqual(['c2', `m:${m.id}`]);
    // handed back: the count follows
    await deps.storage.conversations.upsert(conv('c1', { state: 'ai', waitingSince: undefined }));
    expect((await api({ action: 'inbox.changes', since: third.changedAt })).waiting).toBe(0);
  });
});

describe('the 待人工 queue', () => {
  it('counts the wait from the customer’s oldest unanswered message, through a handoff notice, until a person replies', () => {
    const handoff = { answer: { knowledgeIds: [], confidence: 0, handoff: true } } as Partial<Message>;
    const waiting = [
      msg('c', 'customer', 1, '几点开门'),
      msg('c', 'ai', 2, '十点'),
      msg('c', 'customer', 3, '能退款吗'),
      msg('c', 'ai', 4, '稍等', handoff),
      msg('c', 'customer', 5, '在吗'),
    ];
    expect(waitOf(waiting)).toEqual({ waitFrom: 3, replied: false, lastQuestion: '在吗', lastShopReplyAt: null });
    const answered = [...waiting, msg('c', 'staff', 6, '在的')];
    expect(waitOf(answered)).toEqual({ waitFrom: null, replied: true, lastQuestion: '在吗', lastShopReplyAt: 6 });
    // the customer writes again after the reply: waiting again, from that message
    expect(waitOf([...answered, msg('c', 'customer', 7, '那退吧')])).toMatchObject({ waitFrom: 7, replied: false });
  });

  it('lists who waited longest first, the answered ones last, with their question', async () => {
    for (const [id, at] of [
      ['late', 30],
      ['early', 10],
      ['done', 5],
    ] as const) {
      await deps.storage.conversations.upsert(conv(id));
      await deps.storage.messages.add(msg(id, 'customer', T0 + at * MIN, `${id}的问题`));
    }
    await deps.storage.messages.add(msg('done', 'staff', T0 + 40 * MIN, '好的'));
    const { items } = await api({ action: 'conversations.list', filter: 'waiting' });
    expect(items.map((c: { id: string }) => c.id)).toEqual(['early', 'late', 'done']);
    expect(items[0]).toMatchObject({ waitFrom: T0 + 10 * MIN, replied: false, lastQuestion: 'early的问题' });
    expect(items[2]).toMatchObject({ waitFrom: null, replied: true });
  });
});

describe('a thread', () => {
  it('opens at its newest page and pages older messages by cursor, without gaps or repeats', async () => {
    await deps.storage.conversations.upsert(conv('c1'));
    for (let i = 0; i < 120; i++) await deps.storage.messages.add(msg('c1', 'customer', T0 + Math.floor(i / 2), `第${i}句`, { id: `m${String(i).padStart(3, '0')}` }));
    const seen: string[] = [];
    let page = await api({ action: 'conversations.get', conversationId: 'c1' });
    expect(page.messages.at(-1).text).toBe('第119句');
    expect(page.silence).toBe('店员接手了，AI 先不说话。客户再发消息会再提醒你们。');
    for (;;) {
      seen.unshift(...page.messages.map((m: Message) => m.id));
      if (!page.olderCursor) break;
      page = await api({ action: 'conversations.get', conversationId: 'c1', before: page.olderCursor });
    }
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => `m${String(i).padStart(3, '0')}`));
  });
});

describe('the customer writes again while a person holds the conversation', () => {
  const ctx = (): WecomContext => ({
    deps,
    wecom: new FakeWecomApi(),
    answerer: { answer: async () => ({ reply: null, handoff: true, reason: 'x', knowledgeIds: [], confidence: 0 }) },
  });

  it('by default tells the shop again and the AI stays quiet', async () => {
    const c = conv('c1');
    await deps.storage.conversations.upsert(c);
    deps.clock.advance(30 * MIN);
    expect((await followUpCustomerMessage(ctx(), (await deps.storage.merchants.get('shop-a'))!, c, 'msg1', '还在吗')).state).toBe('waiting_human');
    expect((await deps.storage.jobs.list({ kind: 'handoff.notify', limit: 5 })).map((j) => j.payload)).toEqual([
      expect.objectContaining({ question: '还在吗', reason: 'follow_up' }),
    ]);
  });

  it('with 让 AI 先答 after 10 minutes: the AI answers again only once the shop was quiet that long, and the thread says why', async () => {
    await setFollowUp(deps, 'shop-a', { mode: 'ai_after', minutes: 10 });
    const merchant = (await deps.storage.merchants.get('shop-a'))!;
    const c = conv('c1');
    await deps.storage.conversations.upsert(c);
    await deps.storage.messages.add(msg('c1', 'staff', T0 + 5 * MIN, '我看一下'));
    deps.clock.advance(14 * MIN); // 9 minutes after the shop's reply
    expect((await followUpCustomerMessage(ctx(), merchant, c, 'msg1', '好了吗')).state).toBe('waiting_human');
    const quiet = await api({ action: 'conversations.get', conversationId: 'c1' });
    expect(quiet.silence).toBe('店员接手了，AI 先不说话；客户等了 10 分钟店员还没回的话，AI 会先答有把握的问题。');
    deps.clock.advance(MIN);
    expect((await followUpCustomerMessage(ctx(), merchant, c, 'msg2', '好了吗')).state).toBe('ai');
    const thread = await api({ action: 'conversations.get', conversationId: 'c1' });
    expect(thread.conversation.state).toBe('ai');
    expect(thread.silence).toBeNull();
    expect(thread.messages.at(-1)).toMatchObject({ type: 'event', event: 'ai_resumed', detail: { text: '店员 10 分钟没回，AI 先答有把握的问题' } });
  });

  it('keeps the minutes within 5..120', async () => {
    await expect(callApi(deps, OWNER, { action: 'inbox.followUp.save', merchantId: 'shop-a', setting: { mode: 'ai_after', minutes: 3 } })).rejects.toMatchObject({ status: 400 });
    expect((await api({ action: 'inbox.followUp.get' })).setting).toEqual({ mode: 'notify', minutes: 10 });
  });
});

describe('quick replies', () => {
  it('keeps the shop’s list, trimmed and without repeats, and refuses more than 20', async () => {
    expect((await api({ action: 'quickReplies.save', items: [' 您好 ', '您好', '', '马上到'] })).items).toEqual(['您好', '马上到']);
    expect((await api({ action: 'quickReplies.list' })).items).toEqual(['您好', '马上到']);
    await expect(callApi(deps, OWNER, { action: 'quickReplies.save', merchantId: 'shop-a', items: Array.from({ length: 21 }, (_, i) => `第${i}条`) })).rejects.toMatchObject({
      status: 400,
    });
  });
});
