import type { ApiResult, FaqView, TeachItemView } from '../contracts/api';
import { rulesOf } from '../domain/answer-rules';
import { AppError, notFound } from '../domain/errors';
import type { StoredFaq } from '../domain/knowledge';
import type { TeachItem } from '../domain/teach';
import { createEngineAnswerer } from '../usecases/answer/answerer';
import { bannedWordsIn } from '../usecases/answer/safety';
import { importKnowledge } from '../usecases/knowledge/import';
import { dismissTeachItem, listTeachItems, reasonText, teach } from '../usecases/knowledge/teach';
import type { CallContext, Handlers } from './handlers';

export const faqView = (f: StoredFaq): FaqView => ({ id: f.id, question: f.question, answer: f.answer, alternatives: f.alternatives, enabled: f.enabled !== false, updatedAt: f.updatedAt });

export async function teachView(ctx: CallContext, item: TeachItem): Promise<TeachItemView> {
  const name = (await ctx.deps.storage.customers.get(item.merchantId, item.externalUserId))?.name || '客户';
  return {
    id: item.id,
    conversationId: item.conversationId,
    externalUserId: item.externalUserId,
    customerName: name,
    question: item.question,
    earlier: item.earlier ?? [],
    reason: item.reason,
    reasonText: reasonText(item.reason),
    askedAt: item.askedAt,
    staffReply: item.staffReply ?? null,
  };
}

/** An answer the AI could never send (a banned word in it) is refused when it is written, not when a customer asks. */
async function refuseBanned(ctx: CallContext, merchantId: string, text: string) {
  const m = await ctx.deps.storage.merchants.get(merchantId);
  const words = bannedWordsIn(text, m ? rulesOf(m).bannedWords : []);
  if (words.length) throw new AppError('INPUT.BANNED_WORD', `回答里有不能说的词：${words.join('、')}。AI 不会发这样的话，请改一下`, 400, { words });
}

type K = 'kb.list' | 'kb.save' | 'kb.setEnabled' | 'kb.import' | 'kb.ask' | 'teach.list' | 'teach.save' | 'teach.dismiss';

export const knowledgeHandlers: Pick<Handlers, K> = {
  'kb.list': async (ctx, req) => {
    const faqs = await ctx.deps.storage.knowledge.listFaqs(req.merchantId);
    return { faqs: faqs.map(faqView) };
  },

  'kb.save': async (ctx, req) => {
    await refuseBanned(ctx, req.merchantId, req.answer);
    const now = ctx.deps.clock.now();
    const all = await ctx.deps.storage.knowledge.listFaqs(req.merchantId);
    const existing = req.id ? all.find((f) => f.id === req.id) : undefined;
    if (req.id && !existing) throw notFound('faq');
    const alternatives = [...new Set(req.alternatives.map((a) => a.trim()).filter((a) => a && a !== req.question.trim()))];
    const faq: StoredFaq = {
      id: existing?.id ?? ctx.deps.ids.id('faq'),
      merchantId: req.merchantId,
      question: req.question.trim(),
      answer: req.answer.trim(),
      alternatives,
      enabled: req.enabled,
      updatedAt: now,
    };
    await ctx.deps.storage.knowledge.upsertFaq(faq);
    await audit(ctx, req.merchantId, existing ? 'kb.edit' : 'kb.add', faq.id);
    return { faq: faqView(faq), created: !existing };
  },

  'kb.setEnabled': async (ctx, req) => {
    const existing = (await ctx.deps.storage.knowledge.listFaqs(req.merchantId)).find((f) => f.id === req.id);
    if (!existing) throw notFound('faq');
    const faq = { ...existing, enabled: req.enabled, updatedAt: ctx.deps.clock.now() };
    await ctx.deps.storage.knowledge.upsertFaq(faq);
    await audit(ctx, req.merchantId, req.enabled ? 'kb.enable' : 'kb.disable', faq.id);
    return { faq: faqView(faq) };
  },

  'kb.import': async (ctx, req) => {
    if (!ctx.kbFiles) throw new AppError('CONFIG.NO_IMPORT', '这里暂时不能导入文件，请用电脑上的命令行导入', 503);
    const file = await ctx.kbFiles(req.format, req.content);
    const size = async () => (await ctx.deps.storage.knowledge.listFaqs(req.merchantId)).length + (await ctx.deps.storage.knowledge.listProducts(req.merchantId)).length;
    const before = await size();
    const result = await importKnowledge(ctx.deps, req.merchantId, file.rows, { facts: file.facts });
    const added = Math.max(0, (await size()) - before);
    await audit(ctx, req.merchantId, 'kb.import', req.format);
    const errors = [...file.errors, ...result.errors].slice(0, 100).map((e) => ({ line: e.line, message: `${e.note ? `${e.note}：` : ''}${e.field ? `${e.field} ` : ''}${e.message}` }));
    return { added, updated: Math.max(0, result.imported - added), errors };
  },

  'kb.ask': async (ctx, req) => {
    const m = await ctx.deps.storage.merchants.get(req.merchantId);
    if (!m) throw notFound('merchant');
    const answerer = ctx.channel?.answerer ?? createEngineAnswerer(ctx.deps.storage.knowledge);
    const d = (await answerer.answer({
      merchantId: m.id,
      externalUserId: `ask:${ctx.member.id}`,
      text: req.text,
      history: [],
      rules: rulesOf(m),
      shop: { name: m.name, persona: m.aiPersona },
    })) as Awaited<ReturnType<typeof answerer.answer>> & { engine?: string };
    const faqs = new Map((await ctx.deps.storage.knowledge.listFaqs(m.id)).map((f) => [f.id, f.question]));
    const handoff = d.handoff || !d.reply?.trim();
    return {
      reply: handoff ? null : d.reply,
      handoff,
      reason: d.reason,
      reasonText: handoff ? reasonText(d.reason) : d.knowledgeIds.length ? '按知识库回答' : '不太确定，会先问客户一句',
      confidence: Math.min(1, Math.max(0, d.confidence || 0)),
      knowledge: d.knowledgeIds.map((id) => ({ id, question: faqs.get(id) ?? knowledgeLabel(id) })),
      engine: d.engine === 'model' ? 'model' : 'offline',
    } satisfies ApiResult<'kb.ask'>;
  },

  'teach.list': async (ctx, req) => {
    const items = await listTeachItems(ctx.deps, req.merchantId);
    return { items: await Promise.all(items.map((i) => teachView(ctx, i))) };
  },

  'teach.save': async (ctx, req) => {
    if (!req.faqId && req.answer) await refuseBanned(ctx, req.merchantId, req.answer);
    const out = await teach(ctx.deps, req.merchantId, { itemId: req.itemId, question: req.question, answer: req.answer, faqId: req.faqId });
    await audit(ctx, req.merchantId, out.created ? 'teach.new' : 'teach.alternative', out.faq.id);
    return { faq: faqView(out.faq), created: out.created };
  },

  'teach.dismiss': async (ctx, req) => {
    await dismissTeachItem(ctx.deps, req.merchantId, req.itemId);
    await audit(ctx, req.merchantId, 'teach.dismiss', req.itemId);
    return { itemId: req.itemId };
  },
};

/** Facts and products the model may cite, as the owner reads them. */
export function knowledgeLabel(id: string): string {
  if (id.startsWith('fact:')) return `店铺信息：${id.slice(5)}`;
  if (id.startsWith('product:')) return `商品：${id.slice(8)}`;
  return id;
}

async function audit(ctx: CallContext, merchantId: string, action: string, target: string) {
  await ctx.deps.storage.audit.append({ id: ctx.deps.ids.id('aud'), merchantId, actor: ctx.member.id, action, target, detail: {}, at: ctx.deps.clock.now() });
}
