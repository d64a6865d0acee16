import type { KnowledgeRepo } from '../../ports/storage';
import type { Answerer } from '../wecom/answerer';
import { createOfflineEngine } from './engine';
import { expandAliases, shopHandoffWord } from './shop-rules';

/**
 * The offline engine behind the WeCom channel's Answerer port: the shop's enabled FAQs, the
 * customer's earlier messages as history. A clarifying question is sent as a reply (not an
 * answer); a handoff leaves the customer's message to a person.
 */
export function createEngineAnswerer(knowledge: Pick<KnowledgeRepo, 'listFaqs'>): Answerer {
  // the index is rebuilt only when the shop's knowledge base changes
  const cache = new Map<string, { version: string; engine: ReturnType<typeof createOfflineEngine> }>();
  return {
    async answer(input) {
      const faqs = (await knowledge.listFaqs(input.merchantId)).filter((f) => f.enabled !== false);
      const version = `${faqs.length}:${faqs.reduce((v, f) => Math.max(v, f.updatedAt), 0)}:${faqs.map((f) => f.id).join(',')}`;
      let hit = cache.get(input.merchantId);
      if (!hit || hit.version !== version) {
        hit = { version, engine: createOfflineEngine({ faqs }) };
        cache.set(input.merchantId, hit);
      }
      const engine = hit.engine;
      if (shopHandoffWord(input.text, input.rules)) return { reply: null, handoff: true, reason: 'handoff:merchant_word', knowledgeIds: [], confidence: 1 };
      const history = input.history.filter((m) => m.sender === 'customer' && m.type === 'text').map((m) => (m as { text: string }).text);
      const r = engine.answer(expandAliases(input.text, input.rules), history.slice(0, -1));
      if (r.got === 'handoff') return { reply: null, handoff: true, reason: r.reason, knowledgeIds: [], confidence: r.confidence };
      if (r.got === 'clarify') return { reply: r.answer, handoff: false, reason: 'clarify', knowledgeIds: [], confidence: r.confidence };
      return { reply: r.answer, handoff: false, reason: 'faq', knowledgeIds: [r.got], confidence: r.confidence };
    },
  };
}
