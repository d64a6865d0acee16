import { asksForCommitment } from './commit';
import { createOfflineEngine, shippedAnswerGate } from './engine';
import { asPart, isQuestion, splitPieces } from './parts';
import { chitchatReply, handoffReply, partialReply } from './replies';

// Issue 13 §3's policy fixes, on the rules alone (no learned model), so each is the policy's doing.
const KB = {
  faqs: [
    { id: 'lactose', question: '乳糖不耐受可以喝吗？', answer: '可以换燕麦奶。', alternatives: ['能换燕麦奶吗'] },
    { id: 'hours', question: '几点开门？', answer: '每天 9:00 到 21:00。' },
    { id: 'recommend', question: '有什么推荐的？', answer: '招牌是杨枝甘露。', alternatives: ['招牌是什么'] },
    { id: 'booking', question: '怎么预约？', answer: '微信上说一声时间就行，提前一天。', alternatives: ['可以预约吗'] },
    { id: 'invoice', question: '能开发票吗？', answer: '可以开电子发票。' },
    { id: 'refund', question: '可以退款吗？', answer: '做好前可以取消，做好后有质量问题可退。', alternatives: ['不好喝能退吗'] },
  ],
};
const engine = createOfflineEngine(KB, { handoffModel: null });

describe('an upset or problem message is never met with a clarifying question', () => {
  it.each([
    ['等了快一个小时了还是没人理', 'handoff:complaint'],
    ['第三次了，每次都给我做错', 'handoff:complaint'],
  ])('%s → %s', (q, reason) => {
    expect(engine.answer(q)).toMatchObject({ got: 'handoff', reason });
  });
  it('while a plain question retrieval is unsure about still gets one', () => {
    expect(engine.answer('有没有停车的地方').got).toBe('clarify');
  });
});

describe('a match on one character never reaches the answer threshold', () => {
  it('招 of 招人 does not answer the FAQ about 招牌 (at most it asks)', () => {
    const r = engine.answer('你们店招不招人');
    expect(r.got).toBe('clarify');
    expect(r.confidence).toBeLessThan(shippedAnswerGate().threshold);
  });
  it('a real word still answers', () => {
    expect(engine.answer('招牌是啥').got).toBe('recommend');
  });
});

describe('a request that the shop commit to something specific', () => {
  it.each(['周六上午十点能给我留两个位子吗', '这个价能不能再便宜50', '能不能破例让我带狗进去', '明天下午两点前能做好20份吗'])('%s goes to a person', (q) => {
    expect(asksForCommitment(q)).toBe(true);
    expect(engine.answer(q)).toMatchObject({ got: 'handoff', reason: 'handoff:commit' });
  });
  it.each(['预约要提前多久', '周末几点开门', '能打折吗', '可以预约吗', '晚上八点还能去吗'])('"how does it work": %s is not one', (q) => {
    expect(asksForCommitment(q)).toBe(false);
  });
});

describe('a message with two requests', () => {
  it('answers the part the knowledge base covers and names the rest', () => {
    const r = engine.answer('明天下午3点能给我们送30杯吗 对了能开发票吗');
    expect(r).toMatchObject({ got: 'handoff', reason: 'handoff:commit', answered: ['invoice'], part: '明天下午3点能给我们送30杯' });
    expect(r.answer).toContain('可以开电子发票');
    expect(r.answer).toContain('「明天下午3点能给我们送30杯」');
  });
  it('does not answer a piece that goes on about the problem ("…，是不是…了")', () => {
    const r = engine.answer('昨天喝完拉肚子，是不是乳糖不耐受喝不了');
    expect(r.got).toBe('handoff');
    expect(r.answered).toBeUndefined();
    // the same question as a request of its own is answered
    expect(engine.answer('昨天喝完拉肚子 另外乳糖不耐受可以喝吗').answered).toEqual(['lactose']);
  });
  it('splits at linking words and after a whole question', () => {
    expect(splitPieces('上次的单子还没到 另外你们几点关门')).toEqual([
      { text: '上次的单子还没到', opens: true },
      { text: '你们几点关门', opens: true },
    ]);
    expect(splitPieces('眼睛又胀又疼，是不是配错了').map((p) => p.opens)).toEqual([true, false]);
    expect(asPart(['今天下午3点能订40杯吗'])).toBe('今天下午3点能订40杯');
  });
  it('reads a 吧 ending as a question that ends a request ("发票能开吧")', () => {
    expect(isQuestion('发票能开吧')).toBe(true);
    expect(isQuestion('诊费多少来着')).toBe(true);
    expect(splitPieces('公司的抬头能开吧 门口停车方便吗').map((p) => p.opens)).toEqual([true, true]);
    expect(splitPieces('我到门口了吧 停车方便吗').map((p) => p.opens)).toEqual([true, true]);
    expect(splitPieces('杯子摔碎了 停车方便吗').map((p) => p.opens)).toEqual([true, false]);
  });
});

describe('replies that fit the reason', () => {
  it('apologizes for a complaint or harm, says "马上请店员来" for a person, gives the opening time when closed', () => {
    expect(handoffReply('handoff:complaint', { open: true })).toMatch(/^真抱歉给您添麻烦了/);
    expect(handoffReply('handoff:harm', { open: false, label: '明天 10:00' })).toMatch(/^真抱歉给您添麻烦了。现在店里下班了，明天 10:00开门后/);
    expect(handoffReply('handoff:person', { open: true })).toBe('好的，马上请店员来，请稍等。');
    expect(handoffReply('handoff:unsure', { open: true })).toBeNull();
    expect(partialReply('可以开电子发票。', '40杯下午3点', 'handoff:commit', { open: true })).toBe('可以开电子发票。\n您说的「40杯下午3点」，我让店员马上跟您确认。');
  });
  it('answers greetings and thanks in kind, and nothing else', () => {
    expect(chitchatReply('你好！')).toMatch(/您好/);
    expect(chitchatReply('谢谢啦')).toMatch(/不客气/);
    expect(chitchatReply('你好，几点开门')).toBeNull();
    expect(engine.answer('你好').got).toBe('chitchat');
    expect(engine.answer('你好，几点开门').got).toBe('hours');
  });
});
