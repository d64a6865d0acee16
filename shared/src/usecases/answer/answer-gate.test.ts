import SHIPPED from './answer-gate.json';
import { GATE_FEATURES, loadAnswerGate, type AnswerGateData, type GateFeatures } from './answer-gate';
import { createOfflineEngine, shippedAnswerGate } from './engine';

const FAQS = [
  { id: 'hours', question: '你们几点开门？营业时间是多少', answer: '我们每天 10:00–22:00 营业，21:45 停止点单。', alternatives: ['几点关门'] },
  { id: 'delivery', question: '可以送外卖吗？配送范围多大', answer: '门店 3 公里内可以配送，满 30 元免配送费。', alternatives: ['能送到吗'] },
  { id: 'parking', question: '附近好停车吗', answer: '大厦地下车库前 30 分钟免费。', alternatives: ['停车方便吗'] },
];

describe('the answer gate', () => {
  it('refuses weights made for other features', () => {
    const data = SHIPPED as AnswerGateData;
    expect(() => loadAnswerGate({ ...data, features: [...data.features].reverse() })).toThrow(/features/);
    expect(() => loadAnswerGate({ ...data, features: data.features.slice(1), weights: data.weights.slice(1) })).toThrow(/features/);
  });

  it('is a probability that rises with what the question shares with the FAQ', () => {
    const gate = shippedAnswerGate();
    const base = Object.fromEntries(GATE_FEATURES.map((k) => [k, 0])) as GateFeatures;
    const weak = { ...base, confidence: 0.2, ratio: 0.3, margin: 0.1, cover: 0.2, coverAsks: 0.1, matched: Math.log(2), length: Math.log(8), unseen: 0.6, missingMax: 0.8 };
    const strong = { ...weak, confidence: 0.9, ratio: 1.5, margin: 0.8, cover: 1, coverAsks: 1, matched: Math.log(5), unseen: 0, missingMax: 0, faqCover: 1, agree: 1 };
    expect(gate.p(weak)).toBeGreaterThanOrEqual(0);
    expect(gate.p(strong)).toBeLessThanOrEqual(1);
    expect(gate.p(strong)).toBeGreaterThan(gate.threshold);
    expect(gate.p(weak)).toBeLessThan(gate.threshold);
  });

  it('answers what the knowledge base says, even in other words', () => {
    const e = createOfflineEngine({ faqs: FAQS });
    expect(e.answer('晚上几点关门呀').got).toBe('hours');
    expect(e.answer('车停哪里方便').got).toBe('parking');
  });

  it('never answers from single shared characters, even when only one FAQ scores (a new shop with three FAQs)', () => {
    const e = createOfflineEngine({ faqs: FAQS });
    const r = e.answer('店里养的猫叫什么名字');
    expect(r.got).not.toBe('delivery');
    // too weak to name as a guess either
    expect(r.suggestion).toBeUndefined();
  });
});
