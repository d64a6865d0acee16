import { rulesOf } from '../../domain/answer-rules';
import type { Answerer } from '../../ports/answerer';
import type { Deps } from '../../ports/deps';
import { createEngineAnswerer } from '../answer/answerer';
import { requireMerchant } from '../shop/require-merchant';
import { describeKnowledge } from './labels';
import { reasonText } from './teach';

export interface AskPreview {
  reply: string | null;
  handoff: boolean;
  reason: string;
  reasonText: string;
  confidence: number;
  knowledge: { id: string; question: string }[];
  engine: 'offline' | 'model';
}

/**
 * 问问 AI: what the engine would answer a member's question, the knowledge used and how sure it
 * is, without sending or counting anything. Without the channel's answerer, the offline engine.
 */
export async function askAi(deps: Deps, input: { merchantId: string; memberId: string; text: string }, answerer?: Answerer): Promise<AskPreview> {
  const m = await requireMerchant(deps, input.merchantId);
  const kb = deps.storage.knowledge;
  const engine =
    answerer ?? createEngineAnswerer({ listFaqs: (id) => kb.listFaqs(id), faqsVersion: (id) => kb.faqsVersion(id), listMembers: (id) => deps.storage.members.list(id) });
  const d = (await engine.answer({
    merchantId: m.id,
    // the member's own thread: a preview never mixes with a customer's history
    externalUserId: `ask:${input.memberId}`,
    text: input.text,
    history: [],
    rules: rulesOf(m),
    shop: { name: m.name, persona: m.aiPersona },
  })) as Awaited<ReturnType<Answerer['answer']>> & { engine?: string };
  const labels = await describeKnowledge(deps, m.id, d.knowledgeIds);
  const handoff = d.handoff || !d.reply?.trim();
  return {
    reply: handoff ? null : d.reply,
    handoff,
    reason: d.reason,
    reasonText: handoff ? reasonText(d.reason) : d.knowledgeIds.length ? '按知识库回答' : '不太确定，会先问客户一句',
    confidence: Math.min(1, Math.max(0, d.confidence || 0)),
    knowledge: d.knowledgeIds.map((id) => ({ id, question: labels[id] })),
    engine: d.engine === 'model' ? 'model' : 'offline',
  };
}
