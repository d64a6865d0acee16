import type { Message } from '@xiaoer/shared/domain/conversation';
import type { ManualClock } from '@xiaoer/shared/domain/time';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { createEngineAnswerer } from '@xiaoer/shared/usecases/answer/answerer';
import { createOfflineEngine } from '@xiaoer/shared/usecases/answer/engine';
import { processInboxEntry } from '@xiaoer/shared/usecases/channel-wecom/inbox';
import { listTeachItems } from '@xiaoer/shared/usecases/knowledge/teach';
import { SHOP, setupHarness, type Harness } from '@xiaoer/shared/testing/wecom-harness';
import { knowledgeRows } from '../cloudfunctions/server/demo/knowledge';
import { testDeps } from './helpers/deps';

// Issue 13's acceptance messages on the demo 奶茶店: its knowledge base alone (as `kb export`
// writes it), without the shop's own handoff words, through the product's offline answerer.
const { faqs } = knowledgeRows(Date.UTC(2026, 0, 1));
const answerer = createEngineAnswerer({ listFaqs: async () => faqs });
const ask = (text: string, history: Message[] = []) => answerer.answer({ merchantId: 'demo-naicha', externalUserId: 'c1', text, history });

/** A thread as stored: the customer's messages and our replies (`answer` as reply.ts stores it). */
let seq = 0;
const msg = (sender: 'customer' | 'ai', text: string, answer?: Message['answer']): Message =>
  ({ id: `m${++seq}`, merchantId: 'demo-naicha', conversationId: 'c', sender, at: seq, type: 'text', text, ...(answer ? { answer } : {}) }) as Message;
const guessed = (id: string): Message['answer'] => ({ knowledgeIds: [], confidence: 0.2, handoff: false, suggestedId: id });
const answeredWith = (id: string): Message['answer'] => ({ knowledgeIds: [id], confidence: 0.8, handoff: false });

describe('the demo 奶茶店 hands these to a person', () => {
  it.each(['奶茶里有头发', '你们家奶茶里有根头发，怎么回事', '喝了肚子一直不舒服', '能让你们老板接个电话吗', '我昨天订的两杯到现在还没送来'])('%s', async (text) => {
    const d = await ask(text);
    expect(d).toMatchObject({ handoff: true, reply: null, knowledgeIds: [] });
  });
  it('and still answers its everyday questions itself', async () => {
    expect(await ask('你们晚上几点关门')).toMatchObject({ handoff: false, knowledgeIds: ['hours'] });
  });
});

describe('a rejected guess ("不是…")', () => {
  // the exchange of the issue: a guess at 招牌 (recommend), then "不是，我是问你们店招不招人"
  const thread = (...more: Message[]) => [msg('customer', '你们店招牌'), msg('ai', '想确认一下，您是想问「有什么推荐的」吗？', guessed('recommend')), ...more];

  it('never answers the rejected FAQ: a person, or a right answer', async () => {
    const text = '不是，我是问你们店招不招人';
    const d = await ask(text, thread(msg('customer', text)));
    expect(d.knowledgeIds).not.toContain('recommend');
    expect(d.suggestedId).not.toBe('recommend');
    expect(d.handoff).toBe(true);
  });

  it('rules the FAQ out and answers the next best one when it is sure', () => {
    const e = createOfflineEngine({ faqs }, { handoffModel: null });
    expect(e.answer('能开发票吗').got).toBe('invoice');
    const r = e.answer('能开发票吗', [], { exclude: ['invoice'], afterMiss: true });
    expect(r.got).not.toBe('invoice');
  });

  it('after a rejection, a second miss goes to a person (两次没答上), rules alone', () => {
    const e = createOfflineEngine({ faqs }, { handoffModel: null });
    const r = e.answer('你们店招不招人', [], { exclude: ['recommend'], afterMiss: true });
    expect(r).toMatchObject({ got: 'handoff', reason: 'handoff:repeated_miss' });
    // the same message without a miss before it is only a clarifying question
    expect(e.answer('你们店招不招人').got).toBe('clarify');
  });

  it('a second "不是" in the conversation hands off', async () => {
    const history = [
      msg('customer', '能开发票吗'),
      msg('ai', '可以开电子普通发票…', answeredWith('invoice')),
      msg('customer', '不对，我问的是别的'),
      msg('ai', '想确认一下，您是想问「可以用什么付款」吗？', guessed('payment')),
      msg('customer', '不是这个'),
    ];
    expect(await ask('不是这个', history)).toMatchObject({ handoff: true, reason: 'handoff:repeated_miss' });
  });

  it('a miss long ago, with an answer the customer went on from since, does not count', async () => {
    const history = [
      msg('customer', '能开发票吗'),
      msg('ai', '可以开电子普通发票…', answeredWith('invoice')),
      msg('customer', '不对，我问的是别的'),
      msg('ai', '想确认一下，您是想问「可以用什么付款」吗？', guessed('payment')),
      msg('customer', '对的'),
      msg('ai', '微信、支付宝、现金都可以。', answeredWith('payment')),
      msg('customer', '你们晚上几点关门'),
      msg('ai', '每天 10:00–22:00。', answeredWith('hours')),
      msg('customer', '不是，我问的是能开发票吗'),
    ];
    const d = await ask('不是，我问的是能开发票吗', history);
    expect(d).toMatchObject({ handoff: false, knowledgeIds: ['invoice'] });
  });

  it('a bare "不是" to an answer asks again, naming nothing', async () => {
    const d = await ask('不是', [msg('customer', '能开发票吗'), msg('ai', '可以开电子普通发票…', answeredWith('invoice')), msg('customer', '不是')]);
    expect(d).toMatchObject({ handoff: false, knowledgeIds: [] });
    expect(d.suggestedId).toBeUndefined();
  });
});

describe('a message with two requests', () => {
  const text = '今天下午3点能给公司订40杯吗，能开发票吗';

  it('answers the invoice part and hands the order part to a person, saying so', async () => {
    const d = await ask(text);
    expect(d).toMatchObject({ handoff: true, knowledgeIds: ['invoice'], reason: 'handoff:commit' });
    expect(d.partial?.answer).toContain('电子普通发票');
    expect(d.partial?.part).toContain('40杯');
  });

  it('a question about how group orders work is answered from the knowledge base', async () => {
    expect(await ask('公司团购怎么订，有优惠吗')).toMatchObject({ handoff: false, knowledgeIds: ['group_order'] });
  });
});

describe('chit-chat', () => {
  it.each(['你好', '在吗', '谢谢', '好的'])('%s gets a short friendly reply: no FAQ, no person', async (text) => {
    const d = await ask(text);
    expect(d).toMatchObject({ handoff: false, reason: 'chitchat', knowledgeIds: [] });
    expect(d.reply!.length).toBeLessThan(20);
  });
});

describe('through the WeCom channel', () => {
  let deps: Deps & { clock: ManualClock };
  let h: Harness;
  const sh = (local: string) => Date.parse(`${local}+08:00`);
  beforeEach(async () => {
    deps = testDeps();
    deps.clock.set(sh('2026-11-23T15:00:00'));
    h = await setupHarness(deps, { fragmentWindowMs: 0 });
    for (const f of await deps.storage.knowledge.listFaqs(SHOP)) await deps.storage.knowledge.removeFaq(SHOP, f.id);
    for (const f of faqs) await deps.storage.knowledge.upsertFaq({ ...f, merchantId: SHOP });
    h.ctx.answerer = createEngineAnswerer(deps.storage.knowledge);
    const m = (await deps.storage.merchants.get(SHOP))!;
    await deps.storage.merchants.save({ ...m, businessHours: { open: '10:00', close: '22:00', closedDays: [] } });
  });
  afterEach(() => deps.storage.close());
  const say = async (ext: string, text: string) => {
    h.fake.push(h.text(ext, text));
    await processInboxEntry(h.ctx, await h.kfCallback());
  };
  const state = async (ext: string) => (await deps.storage.conversations.findByCustomer(SHOP, ext, 'kf'))?.state;

  it('two requests: one reply with the answer and the part a person confirms; 待人工 names that part', async () => {
    await say('u1', '今天下午3点能给公司订40杯吗，能开发票吗');
    const [reply] = h.fake.sentTexts('u1');
    expect(reply).toContain('电子普通发票');
    expect(reply).toMatch(/「今天下午3点能给公司订40杯」，我让店员马上跟您确认/);
    expect(await state('u1')).toBe('waiting_human');
    expect((await listTeachItems(deps, SHOP)).map((i) => i.question)).toContain('今天下午3点能给公司订40杯');
  });

  it('a complaint gets an apology; a request for a person a plain "马上请店员来"', async () => {
    await say('u2', '你们家奶茶里有根头发，怎么回事');
    expect(h.fake.sentTexts('u2')[0]).toMatch(/^真抱歉给您添麻烦了/);
    await say('u3', '能让你们老板接个电话吗');
    expect(h.fake.sentTexts('u3')[0]).toContain('马上请店员来');
    expect(h.fake.sentTexts('u3')[0]).not.toContain('抱歉');
  });

  it('closed: the apology and when the shop opens', async () => {
    deps.clock.set(sh('2026-11-23T23:10:00'));
    await say('u4', '奶茶里有头发');
    expect(h.fake.sentTexts('u4')[0]).toMatch(/真抱歉.*明天 10:00开门后/);
  });

  it('a greeting twice neither hands off nor lands in the teach queue', async () => {
    await say('u5', '你好');
    await say('u5', '在吗');
    expect(await state('u5')).toBe('ai');
    expect(h.fake.sentTexts('u5')).toHaveLength(2);
    expect(await listTeachItems(deps, SHOP)).toEqual([]);
  });
});
