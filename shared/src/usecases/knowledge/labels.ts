import type { Deps } from '../../ports/deps';

/** Facts and products the model may cite, as the owner reads them. */
export function knowledgeLabel(id: string): string {
  if (id.startsWith('fact:')) return `店铺信息：${id.slice(5)}`;
  if (id.startsWith('product:')) return `商品：${id.slice(8)}`;
  return id;
}

/** What each knowledge id an answer used stands for: a FAQ's question, else its label (用到的知识). */
export async function describeKnowledge(deps: Deps, merchantId: string, ids: Iterable<string>): Promise<Record<string, string>> {
  const wanted = [...new Set(ids)];
  if (!wanted.length) return {};
  const questions = new Map((await deps.storage.knowledge.listFaqs(merchantId)).map((f) => [f.id, f.question]));
  return Object.fromEntries(wanted.map((id) => [id, questions.get(id) ?? knowledgeLabel(id)]));
}
