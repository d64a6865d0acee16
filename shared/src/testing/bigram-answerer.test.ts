import type { StoredFaq } from '../domain/knowledge';
import { bigrams, createFaqAnswerer, overlap } from './bigram-answerer';

const faqs: StoredFaq[] = [
  { id: 'hours', question: '你们几点开门？', answer: '10:00–22:00', alternatives: ['营业时间', '几点关门'], enabled: true, merchantId: 'm', updatedAt: 0 },
  { id: 'wifi', question: '店里有wifi吗', answer: '有，密码 12345678', alternatives: [], enabled: true, merchantId: 'm', updatedAt: 0 },
  { id: 'off', question: '营业时间是几点', answer: 'old', alternatives: [], enabled: false, merchantId: 'm', updatedAt: 0 },
];
const answerer = createFaqAnswerer({ listFaqs: async () => faqs });
const ask = (text: string) => answerer.answer({ merchantId: 'm', externalUserId: 'u', text, history: [] });

describe('FAQ answerer', () => {
  it('answers the closest FAQ by question or alternative', async () => {
    expect(await ask('请问营业时间是？')).toMatchObject({ reply: '10:00–22:00', handoff: false, reason: 'faq', knowledgeIds: ['hours'] });
    expect(await ask('有没有WiFi')).toMatchObject({ knowledgeIds: ['wifi'] });
  });

  it('hands off on request, complaints and order problems', async () => {
    expect(await ask('转人工')).toMatchObject({ reply: null, handoff: true, reason: 'asked_for_person' });
    expect(await ask('我要找老板')).toMatchObject({ handoff: true, reason: 'asked_for_person' });
    expect(await ask('我要投诉你们')).toMatchObject({ handoff: true, reason: 'complaint' });
    expect(await ask('我的订单要退款')).toMatchObject({ handoff: true, reason: 'order_issue' });
  });

  it('hands off when nothing is close enough; disabled FAQs never answer', async () => {
    const r = await ask('你们的猫叫什么名字');
    expect(r).toMatchObject({ reply: null, handoff: true, reason: 'no_match' });
    expect(r.confidence).toBeLessThan(0.4);
  });

  it('bigram overlap is symmetric and bounded', () => {
    const a = bigrams('营业时间');
    const b = bigrams('营业时间是几点');
    expect(overlap(a, b)).toBeCloseTo(overlap(b, a));
    expect(overlap(a, a)).toBe(1);
    expect(overlap(a, new Set())).toBe(0);
  });
});
