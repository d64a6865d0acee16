import { createOfflineEngine, shippedHandoffModel } from './engine';
import { handoffFeatures, loadHandoffModel, ngrams, ngramText, sigmoid, type HandoffModelData } from './handoff-model';
import SHIPPED from './handoff-model.json';
import { handoffSignals, memberTerms } from './handoff-signals';

describe('handoff model features', () => {
  it('marks the ends, folds digits and punctuation, keeps ? and !', () => {
    expect(ngramText('３点能到吗？？')).toBe('^0点能到吗?$');
    expect(ngramText('  太慢了！！ 等了40分钟。')).toBe('^太慢了!等了0分钟$');
    const g = ngrams('还没到', 3);
    expect(g).toEqual(expect.arrayContaining(['还', '没', '到', '^还', '到$', '还没', '^还没', '没到$', '还没到']));
    expect(g).not.toContain('^');
    expect(g.every((x) => !x.startsWith(' ') && !x.endsWith(' '))).toBe(true);
  });

  it('weights each known n-gram by 1/sqrt(known n-grams) and each signal by 1', () => {
    const known = new Set(['没到', '还没', '#bad']);
    const x = handoffFeatures('还没到', 3, (f) => known.has(f));
    expect(x.get('还没')).toBeCloseTo(1 / Math.sqrt(2));
    expect(x.get('没到')).toBeCloseTo(1 / Math.sqrt(2));
    expect(x.has('还')).toBe(false);
    expect(handoffFeatures('东西坏了', 3, (f) => known.has(f)).get('#bad')).toBe(1);
  });

  it('scores with the stored integer weights times the scale', () => {
    const data: HandoffModelData = { version: 1, maxN: 2, scale: 0.5, bias: -1, weights: { 头发: 8, '#neg': 2 }, thresholds: { handoff: 0.9, unsure: 0.5 } };
    const m = loadHandoffModel(data);
    expect(m.score('有头发')).toBeCloseTo(sigmoid(-1 + 4));
    expect(m.score('太差劲了')).toBeCloseTo(sigmoid(-1 + 1));
    expect(m.score('几点开门')).toBeCloseTo(sigmoid(-1));
  });
});

describe('handoff signals', () => {
  const team = memberTerms([
    { name: '张姐', role: '店长' },
    { name: '阿强', role: '推拿技师（8号）' },
    { name: '芳', role: '前台' },
  ]);
  it('reads names and roles from the team (a one-character name is too ambiguous to use)', () => {
    expect(team).toEqual({ names: ['张姐', '阿强'], roles: ['店长', '推拿技师', '前台'] });
  });
  it.each([
    ['这服务态度，以后不来了', '#neg'],
    ['第三回了，又是这样', '#again'],
    ['说好的今天给我，结果还没弄', '#broken'],
    ['我昨天拿回去的椅子腿松了', '#past_bad'],
    ['能让你们师傅给我回个电话吗', '#person'],
    ['阿强今天在吗', '#member_ask'],
    ['孩子在你们那摔了一跤，膝盖流血了', '#harm'],
    ['急死了，在线等', '#urgent'],
    ['明天下午3点能给我留两个位子吗', '#commit'],
  ])('%s shows %s', (q, signal) => expect(handoffSignals(q, team)).toContain(signal));
  it('shows no problem signal on a plain question', () => {
    const s = handoffSignals('你们几点开门', team);
    expect(s.filter((x) => !['#general_q', '#hypo'].includes(x))).toEqual([]);
  });
});

describe('the shipped handoff model', () => {
  it('is small, within its own feature budget, and its thresholds are probabilities', () => {
    const data = SHIPPED as HandoffModelData;
    expect(JSON.stringify(data).length).toBeLessThan(120_000);
    expect(Object.keys(data.weights).length).toBeGreaterThan(100);
    expect(data.thresholds.unsure).toBeGreaterThan(0);
    expect(data.thresholds.unsure).toBeLessThanOrEqual(data.thresholds.handoff);
    expect(data.thresholds.handoff).toBeLessThan(1);
  });

  it('separates a problem from a question it has never seen (no rule fires on either)', () => {
    const m = shippedHandoffModel();
    expect(m.score('上回那件事到现在也没人给个交代，你们就这么做生意的？')).toBeGreaterThan(m.thresholds.handoff);
    expect(m.score('周末营业到几点呀')).toBeLessThan(m.thresholds.unsure);
  });

  it('never sends a bare greeting, thanks or "I have a question" to a person', () => {
    const m = shippedHandoffModel();
    for (const q of ['您好！', '在吗？', '谢谢', '问一下', '您好，请问']) expect(m.score(q)).toBe(0);
    expect(createOfflineEngine({ faqs: [{ id: 'hours', question: '几点开门？', answer: '9 点。' }] }).answer('您好！').got).toBe('chitchat');
  });

  it('hands off through the engine when retrieval would answer or ask', () => {
    const e = createOfflineEngine({ faqs: [{ id: 'hours', question: '几点开门？', answer: '每天 9:00 到 21:00。' }] });
    const r = e.answer('上回那件事到现在也没人给个交代，你们就这么做生意的？');
    expect(r.got).toBe('handoff');
    expect(r.reason).toMatch(/^handoff:(model|unsure)$/);
    expect(e.answer('几点开门').got).toBe('hours');
    // the rules alone (no model) would not have handed it off
    expect(
      createOfflineEngine({ faqs: [{ id: 'hours', question: '几点开门？', answer: '每天 9:00 到 21:00。' }] }, { handoffModel: null }).answer(
        '上回那件事到现在也没人给个交代，你们就这么做生意的？',
      ).got,
    ).not.toBe('handoff');
  });

  it('asks for a member of the team by name through the rules', () => {
    const e = createOfflineEngine({ faqs: [{ id: 'hours', question: '几点开门？', answer: '9 点。' }], members: [{ name: '阿强', role: '技师' }] });
    expect(e.answer('阿强今天在不在').reason).toBe('handoff:person');
    expect(e.answer('找一下阿强').reason).toBe('handoff:person');
  });
});
