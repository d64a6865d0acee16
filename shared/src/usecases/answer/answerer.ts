import type { Answerer } from '../../ports/answerer';
import { createKbIndexCache, type KbIndexCache, type KbSource } from './kb-index';
import { earlierMisses, rejectedIds, withoutRejection } from './misses';
import { expandAliases, shopHandoffWord } from './shop-rules';
import type { Message } from '../../domain/conversation';

/** A short yes: 是 / 是的 / 对 / 对的 / 嗯 / 没错 / 就是 / 是这个 / ok… (nothing else in the message). */
const YES = /^(是|是的|是啊|是呀|对|对的|对啊|对呀|嗯|嗯嗯|恩|没错|就是|就是这个|是这个|对就是|好|好的|ok|yes|y)[。.!！~～]*$/i;
export const isYes = (text: string) => YES.test(text.trim().replace(/\s+/g, ''));

/** A bare "不是" to our reply: ask again, without another guess. */
const AGAIN = '不好意思，我没理解对，能再具体说说您想问什么吗？';

/** The FAQ our last reply asked about, if our last reply was a clarifying question. */
function lastSuggestion(history: Message[]): string | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const m = history[i]!;
    if (m.sender === 'customer') continue;
    return m.sender === 'ai' ? m.answer?.suggestedId : undefined;
  }
  return undefined;
}

/**
 * The offline engine behind the WeCom channel's Answerer port: the shop's enabled FAQs, the
 * customer's earlier messages as history. A clarifying question is sent as a reply (not an
 * answer); a handoff leaves the customer's message to a person.
 */
export function createEngineAnswerer(knowledge: KbSource, index: KbIndexCache = createKbIndexCache(knowledge)): Answerer {
  return {
    async answer(input) {
      // the index is rebuilt only when the shop's knowledge base changes (kb-index.ts)
      const { faqs, engine } = await index.get(input.merchantId);
      if (shopHandoffWord(input.text, input.rules)) return { reply: null, handoff: true, reason: 'handoff:merchant_word', knowledgeIds: [], confidence: 1, settled: true };
      // "是的" to our "您是想问「营业时间」吗？": the customer confirmed, answer that FAQ
      const asked = lastSuggestion(input.history);
      const confirmed = asked && isYes(input.text) ? faqs.find((f) => f.id === asked) : undefined;
      if (confirmed) return { reply: confirmed.answer, handoff: false, reason: 'confirmed', knowledgeIds: [confirmed.id], confidence: 0.9, settled: true };
      const history = input.history.filter((m) => m.sender === 'customer' && m.type === 'text').map((m) => (m as { text: string }).text);
      // "不是，我是问…": what we offered is ruled out; a second miss goes to a person
      const rejected = rejectedIds(input.history, input.text);
      if (rejected.length && earlierMisses(input.history) > 0)
        return { reply: null, handoff: true, reason: 'handoff:repeated_miss', knowledgeIds: [], confidence: 0, settled: true };
      const question = rejected.length ? withoutRejection(input.text) : input.text;
      if (!question) return { reply: AGAIN, handoff: false, reason: 'clarify', knowledgeIds: [], confidence: 0, settled: true };
      const context = rejected.length ? { exclude: rejected, afterMiss: true } : {};
      const r = engine.answer(expandAliases(question, input.rules), history.slice(0, -1), context);
      const settled = r.settled ? { settled: true } : {};
      if (r.got === 'handoff') {
        const partial = r.answered?.length && r.answers && r.part ? { partial: { answer: r.answers, part: r.part } } : {};
        return { reply: null, handoff: true, reason: r.reason, knowledgeIds: r.answered ?? [], confidence: r.confidence, ...partial, ...settled };
      }
      if (r.got === 'chitchat') return { reply: r.answer, handoff: false, reason: 'chitchat', knowledgeIds: [], confidence: r.confidence, ...settled };
      if (r.got === 'clarify')
        return { reply: r.answer, handoff: false, reason: 'clarify', knowledgeIds: [], confidence: r.confidence, ...(r.suggestion ? { suggestedId: r.suggestion } : {}) };
      return { reply: r.answer, handoff: false, reason: 'faq', knowledgeIds: [r.got], confidence: r.confidence };
    },
  };
}
