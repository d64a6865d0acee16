import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { createEngineAnswerer } from '../answer/answerer';
import { ensureLocalMember } from '../shop/members';
import { schedulerTick } from '../scheduling/scheduler';
import { getTeachItem, listTeachItems, teach } from '../knowledge/teach';
import { TEXTS } from '../channel-wecom/context';
import { createHandoffNotifyJob, NOTIFY_KIND } from './handoff-notify';
import { processInboxEntry } from '../channel-wecom/inbox';
import { staffReply } from './staff-reply';
import { SHOP, setupHarness, type Harness } from '../../testing/wecom-harness';

/** Shanghai wall-clock time as epoch ms. */
const sh = (local: string) => Date.parse(`${local}+08:00`);

let deps: Deps & { clock: ManualClock };
let h: Harness;

beforeEach(async () => {
  deps = testDeps();
  deps.clock.set(sh('2026-11-23T15:00:00'));
  h = await setupHarness(deps, { fragmentWindowMs: 0 });
  // the product's engine (clarifying questions, handoff rules), not the harness's plain lookup
  h.ctx.answerer = createEngineAnswerer(deps.storage.knowledge);
  h.ctx.appUrl = () => 'https://xiaoer.example.com';
  const m = (await deps.storage.merchants.get(SHOP))!;
  await deps.storage.merchants.save({
    ...m,
    wecom: { ...m.wecom, agentId: 1000002, secrets: { ...m.wecom.secrets, app: deps.secrets.seal('app-secret') } },
    businessHours: { open: '10:00', close: '22:00', closedDays: [] },
  });
  const owner = await ensureLocalMember(deps, SHOP, 'owner');
  await deps.storage.members.save({ ...owner, wecomUserId: 'LaoBan' });
  const staff = await ensureLocalMember(deps, SHOP, 'staff');
  await deps.storage.members.save({ ...staff, wecomUserId: 'XiaoLi', onDuty: false });
});
afterEach(() => deps.storage.close());

const conv = (ext: string) => deps.storage.conversations.findByCustomer(SHOP, ext, 'kf');
async function say(ext: string, text: string) {
  h.fake.push(h.text(ext, text));
  await processInboxEntry(h.ctx, await h.kfCallback());
}
const notices = () => h.fake.callsTo('message/send').map((c) => c.req as { touser: string; msgtype: string; text: { content: string } });

describe('handoff', () => {
  it('tells the customer, queues the question for teaching and notifies the owner and on-duty staff at once', async () => {
    await say('u1', '我要找老板');
    // a request for a person: a plain "马上请店员来" (answer/replies.ts)
    expect(h.fake.sentTexts('u1')).toEqual(['好的，马上请店员来，请稍等。']);
    expect((await conv('u1'))?.state).toBe('waiting_human');
    const sent = notices();
    expect(sent).toHaveLength(1);
    // XiaoLi is off duty: only the owner
    expect(sent[0].touser).toBe('LaoBan');
    expect(sent[0].text.content).toContain('我要找老板');
    expect(sent[0].text.content).toContain('客户要找人工');
    // the link names the shop, so an owner of several shops opens it under this one
    expect(sent[0].text.content).toContain(`https://xiaoer.example.com/#/sub/thread/index?id=${encodeURIComponent((await conv('u1'))!.id)}&merchant=${SHOP}`);
    const item = await getTeachItem(deps, SHOP, (await conv('u1'))!.id);
    expect(item).toMatchObject({ question: '我要找老板', reason: 'handoff:person' });
    // the ledger has it done: the scheduler does not send it again
    deps.clock.advance(5 * 60_000);
    await schedulerTick(deps, [createHandoffNotifyJob({ wecom: h.fake })]);
    expect(notices()).toHaveLength(1);
  });

  it('outside business hours says when the shop opens and notifies at opening time, not at night', async () => {
    deps.clock.set(sh('2026-11-23T23:10:00'));
    await say('u2', '我要投诉，东西太差了');
    // a complaint: an apology first (answer/replies.ts)
    expect(h.fake.sentTexts('u2')).toEqual(['真抱歉给您添麻烦了。现在店里下班了，明天 10:00开门后店员会第一时间联系您处理。']);
    expect(h.fake.sentTexts('u2')[0]).toContain('明天 10:00开门后');
    expect((await conv('u2'))?.state).toBe('waiting_human');
    const job = (await deps.storage.jobs.list({ kind: NOTIFY_KIND, limit: 5 }))[0];
    expect(job.runAt).toBe(sh('2026-11-24T10:00:00'));
    await schedulerTick(deps, [createHandoffNotifyJob({ wecom: h.fake })]);
    expect(notices()).toHaveLength(0);
    deps.clock.set(sh('2026-11-24T10:00:30'));
    await schedulerTick(deps, [createHandoffNotifyJob({ wecom: h.fake, appUrl: h.ctx.appUrl })]);
    expect(notices()).toHaveLength(1);
    expect(notices()[0].text.content).toContain('客户在投诉或不高兴');
    // the queued payload has no shop: the link takes it from the job
    expect(notices()[0].text.content).toContain(`/#/sub/thread/index?id=${encodeURIComponent((await conv('u2'))!.id)}&merchant=${SHOP}`);
  });

  it('does not announce a conversation someone already picked up before opening', async () => {
    deps.clock.set(sh('2026-11-23T23:10:00'));
    await say('u3', '转人工');
    const c = (await conv('u3'))!;
    await deps.storage.conversations.upsert({ ...c, state: 'ai', waitingSince: undefined });
    deps.clock.set(sh('2026-11-24T10:01:00'));
    await schedulerTick(deps, [createHandoffNotifyJob({ wecom: h.fake })]);
    expect(notices()).toHaveLength(0);
  });

  it('hands off on the second question in a row the AI cannot answer', async () => {
    await say('u4', '店里养的猫叫什么名字');
    const first = h.fake.sentTexts('u4');
    expect(first).toHaveLength(1);
    expect(first[0]).not.toBe(TEXTS.handoff); // a clarifying question first
    expect((await conv('u4'))?.state).toBe('ai');
    expect(await getTeachItem(deps, SHOP, (await conv('u4'))!.id)).toMatchObject({ question: '店里养的猫叫什么名字' });
    await say('u4', '那老鼠抓得多不多');
    expect(h.fake.sentTexts('u4')[1]).toBe(TEXTS.handoff);
    expect((await conv('u4'))?.state).toBe('waiting_human');
    expect(await getTeachItem(deps, SHOP, (await conv('u4'))!.id)).toMatchObject({
      question: '那老鼠抓得多不多',
      earlier: ['店里养的猫叫什么名字'],
      reason: 'unanswered_twice',
    });
  });

  it('an answer between two unanswered questions resets the count', async () => {
    await say('u5', '店里养的猫叫什么名字');
    await say('u5', '几点关门');
    await say('u5', '那老鼠抓得多不多');
    expect((await conv('u5'))?.state).toBe('ai');
  });
});

describe('per-reply cost', () => {
  it("keeps the engine and the model call's cost on the AI reply, and passes the invocation's deadline to the engine", async () => {
    const seen: (number | undefined)[] = [];
    h.ctx.answerer = {
      answer: async (input) => {
        seen.push(input.deadline);
        return { reply: '每天 10:00 开门～', handoff: false, reason: 'model', knowledgeIds: ['hours'], confidence: 0.9, engine: 'model', costFen: 0.28 } as never;
      },
    };
    h.ctx.deadline = Date.now() + 50_000;
    await say('u20', '几点开门');
    const msgs = await deps.storage.messages.listByConversation(SHOP, (await conv('u20'))!.id, 10);
    expect(msgs.find((m) => m.sender === 'ai')?.answer).toMatchObject({ knowledgeIds: ['hours'], engine: 'model', costFen: 0.28 });
    expect(seen).toEqual([h.ctx.deadline]);
  });
});

describe('output safety', () => {
  it('never sends an answer with a banned word: a person answers instead', async () => {
    await deps.storage.knowledge.upsertFaq({
      id: 'price',
      merchantId: SHOP,
      question: '你们的奶茶贵吗',
      answer: '我们是全网最低价，放心买',
      alternatives: [],
      enabled: true,
      updatedAt: deps.clock.now(),
    });
    await say('u6', '你们的奶茶贵吗');
    expect(h.fake.sentTexts('u6')).toEqual([TEXTS.handoff]);
    expect(await getTeachItem(deps, SHOP, (await conv('u6'))!.id)).toMatchObject({ reason: 'banned_word' });
  });

  it("applies the shop's own banned words too", async () => {
    const m = (await deps.storage.merchants.get(SHOP))!;
    await deps.storage.merchants.save({ ...m, answerRules: { handoffWords: [], bannedWords: ['免配送费'], aliases: [] } });
    await say('u7', '可以送外卖吗');
    expect(h.fake.sentTexts('u7')).toEqual([TEXTS.handoff]);
  });

  it('strips internal notes from answers', async () => {
    await deps.storage.knowledge.upsertFaq({
      id: 'wifi',
      merchantId: SHOP,
      question: '店里有无线网吗',
      answer: '有的，连 CHAXM 就行【内部：密码每周一改】',
      alternatives: ['wifi密码'],
      enabled: true,
      updatedAt: deps.clock.now(),
    });
    await say('u8', '店里有无线网吗');
    expect(h.fake.sentTexts('u8')).toEqual(['有的，连 CHAXM 就行']);
  });

  it('flags a customer message with a banned word', async () => {
    await say('u9', '你们是不是傻逼，几点开门');
    const msgs = await deps.storage.messages.listByConversation(SHOP, (await conv('u9'))!.id, 10);
    expect(msgs.find((m) => m.sender === 'customer')?.flags).toEqual(['banned:傻逼']);
  });
});

describe('shop rules', () => {
  it("hands off on the shop's own handoff words", async () => {
    const m = (await deps.storage.merchants.get(SHOP))!;
    await deps.storage.merchants.save({ ...m, answerRules: { handoffWords: ['包场'], bannedWords: [], aliases: [] } });
    await say('u10', '周末可以包场吗');
    expect(h.fake.sentTexts('u10')).toEqual([TEXTS.handoff]);
    expect(await getTeachItem(deps, SHOP, (await conv('u10'))!.id)).toMatchObject({ reason: 'handoff:merchant_word' });
  });

  it("understands the shop's aliases", async () => {
    await deps.storage.knowledge.upsertFaq({
      id: 'mango',
      merchantId: SHOP,
      question: '杨枝甘露多少钱一杯',
      answer: '杨枝甘露 18 元一杯。',
      alternatives: [],
      enabled: true,
      updatedAt: deps.clock.now(),
    });
    await deps.storage.knowledge.upsertFaq({
      id: 'pearl',
      merchantId: SHOP,
      question: '珍珠奶茶多少钱一杯',
      answer: '珍珠奶茶 12 元一杯。',
      alternatives: [],
      enabled: true,
      updatedAt: deps.clock.now(),
    });
    const engine = createEngineAnswerer(deps.storage.knowledge);
    const ask = (rules?: { handoffWords: string[]; bannedWords: string[]; aliases: { term: string; means: string }[] }) =>
      engine.answer({ merchantId: SHOP, externalUserId: 'x', text: '你们的镇店之宝多少钱', history: [], rules });
    expect((await ask()).knowledgeIds).toEqual([]);
    expect((await ask({ handoffWords: [], bannedWords: [], aliases: [{ term: '镇店之宝', means: '杨枝甘露' }] })).knowledgeIds).toEqual(['mango']);
  });
});

describe('teach loop', () => {
  it("attaches the staff's reply to the question, and a taught FAQ answers it from then on (a fresh engine, as in another process)", async () => {
    await say('u11', '能带狗狗进店吗');
    const c = (await conv('u11'))!;
    await deps.storage.conversations.upsert({ ...c, state: 'waiting_human' });
    deps.clock.advance(60_000);
    await staffReply(h.ctx, { merchantId: SHOP, conversationId: c.id, memberId: 'local-owner', text: '可以的，小狗要牵好绳', clientMsgId: 'r1' });
    // the same reply retried is not doubled
    await staffReply(h.ctx, { merchantId: SHOP, conversationId: c.id, memberId: 'local-owner', text: '可以的，小狗要牵好绳', clientMsgId: 'r1' });
    const [item] = await listTeachItems(deps, SHOP);
    expect(item).toMatchObject({ question: '能带狗狗进店吗', staffReply: { text: '可以的，小狗要牵好绳', by: 'staff' } });

    const { faq, created } = await teach(deps, SHOP, { itemId: item.id, question: item.question });
    expect(created).toBe(true);
    expect(faq).toMatchObject({ question: '能带狗狗进店吗', answer: '可以的，小狗要牵好绳', enabled: true });
    expect(await listTeachItems(deps, SHOP)).toEqual([]);

    const fresh = createEngineAnswerer(deps.storage.knowledge);
    const d = await fresh.answer({ merchantId: SHOP, externalUserId: 'u12', text: '可以带狗狗进店吗', history: [] });
    expect(d).toMatchObject({ reply: '可以的，小狗要牵好绳', knowledgeIds: [faq.id], handoff: false });
  });

  it('saves a question as another phrasing of an existing FAQ', async () => {
    await say('u13', '店里养的猫叫什么名字');
    const item = (await listTeachItems(deps, SHOP))[0];
    const { faq, created } = await teach(deps, SHOP, { itemId: item.id, question: '晚上几点打烊呀', faqId: 'hours' });
    expect(created).toBe(false);
    expect(faq.alternatives).toContain('晚上几点打烊呀');
    expect(faq.answer).toBe('我们每天 10:00–22:00 营业，21:45 停止点单。');
  });

  it('a WeCom servicer reply is attached too', async () => {
    await say('u14', '店里养的猫叫什么名字');
    deps.clock.advance(60_000);
    h.fake.push(h.servicer('u14', 'zhangsan', '叫咪咪'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect((await listTeachItems(deps, SHOP))[0]).toMatchObject({ staffReply: { text: '叫咪咪', by: 'servicer' } });
  });
});

describe('clarifying questions', () => {
  it('answers the FAQ a clarifying question named when the customer says yes, without a handoff', async () => {
    await say('u30', '车子放哪');
    const [ask] = h.fake.sentTexts('u30');
    expect(ask).toBe('想确认一下，您是想问「附近好停车吗」吗？');
    await say('u30', '对的');
    expect(h.fake.sentTexts('u30')[1]).toBe('大厦地下车库前 30 分钟免费。');
    expect((await conv('u30'))?.state).toBe('ai');
    const msgs = await deps.storage.messages.listByConversation(SHOP, (await conv('u30'))!.id, 10);
    // (same clock tick: compare as a set) the clarifying question answered nothing, the confirmed reply used the FAQ
    expect(
      msgs
        .filter((m) => m.sender === 'ai')
        .map((m) => m.answer?.knowledgeIds.join(','))
        .sort(),
    ).toEqual(['', 'parking']);
  });

  it('names no FAQ when nothing matches, and a yes then is just another unanswered message', async () => {
    await say('u31', '店里养的猫叫什么名字');
    expect(h.fake.sentTexts('u31')).toEqual(['能再具体说说您想了解什么吗？']);
    await say('u31', '是的');
    expect(h.fake.sentTexts('u31')[1]).toBe(TEXTS.handoff);
  });
});
