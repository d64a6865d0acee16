import type { StoredFaq } from '../domain/knowledge';
import type { KnowledgeRepo } from '../ports/storage';
import type { Answerer } from '../ports/answerer';

// A deliberately simple answerer for channel tests (bigram overlap plus a few handoff words):
// the channel's behaviour is tested against it, so changes to the real engine do not move them.

/** Words that mean "a person, please" or trouble a bot must not handle (ARCHITECTURE §6 handoff rules). */
const HANDOFF_WORDS: { reason: string; words: string[] }[] = [
  { reason: 'asked_for_person', words: ['转人工', '人工', '真人', '找老板', '叫老板', '老板在吗', '找店长', '叫店长', '找客服'] },
  { reason: 'complaint', words: ['投诉', '举报', '差评', '太差了', '气死', '骗子', '12315'] },
  { reason: 'order_issue', words: ['退款', '退钱', '退货', '没收到', '送错', '少送', '漏送', '催单'] },
  { reason: 'harm', words: ['拉肚子', '吃坏', '过敏了', '食物中毒', '不舒服了', '进医院'] },
];

const PUNCT = /[\s\p{P}\p{S}]+/gu;

export function normalize(text: string): string {
  return text.toLowerCase().replace(PUNCT, '');
}

/** Character bigrams (a single character counts as its own gram). */
export function bigrams(text: string): Set<string> {
  const chars = Array.from(normalize(text));
  const out = new Set<string>();
  if (chars.length === 1) out.add(chars[0]);
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i] + chars[i + 1]);
  return out;
}

/** Dice coefficient of two bigram sets, 0–1. */
export function overlap(a: Set<string>, b: Set<string>): number {
  if (!a.size || !b.size) return 0;
  let common = 0;
  for (const g of a) if (b.has(g)) common++;
  return (2 * common) / (a.size + b.size);
}

export function scoreFaq(question: Set<string>, faq: Pick<StoredFaq, 'question' | 'alternatives'>): number {
  let best = 0;
  for (const candidate of [faq.question, ...faq.alternatives]) best = Math.max(best, overlap(question, bigrams(candidate)));
  return best;
}

export interface FaqAnswererOptions {
  /** Minimum bigram overlap to answer (default 0.4). */
  threshold?: number;
}

/**
 * The plain FAQ lookup: the enabled FAQ whose question or alternatives share the most character
 * bigrams with the customer's text answers it, above a threshold; handoff words or no match hand
 * off. A stand-in until the answer engine (retrieval + model) lands behind the same port.
 */
export function createFaqAnswerer(knowledge: Pick<KnowledgeRepo, 'listFaqs'>, opts: FaqAnswererOptions = {}): Answerer {
  const threshold = opts.threshold ?? 0.4;
  return {
    async answer(input) {
      const text = input.text.trim();
      for (const rule of HANDOFF_WORDS) {
        if (rule.words.some((w) => text.includes(w))) return { reply: null, handoff: true, reason: rule.reason, knowledgeIds: [], confidence: 0.9 };
      }
      const q = bigrams(text);
      let best: { faq: StoredFaq; score: number } | null = null;
      for (const faq of await knowledge.listFaqs(input.merchantId)) {
        if (faq.enabled === false) continue;
        const score = scoreFaq(q, faq);
        if (!best || score > best.score) best = { faq, score };
      }
      const confidence = Math.round((best?.score ?? 0) * 100) / 100;
      if (!best || best.score < threshold) return { reply: null, handoff: true, reason: 'no_match', knowledgeIds: [], confidence };
      return { reply: best.faq.answer, handoff: false, reason: 'faq', knowledgeIds: [best.faq.id], confidence };
    },
  };
}
