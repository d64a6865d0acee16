import { askAi } from '../usecases/knowledge/ask';
import { listFaqPage, saveFaq, setFaqEnabled } from '../usecases/knowledge/faqs';
import { importKnowledgeFile } from '../usecases/knowledge/import-file';
import { dismissFromApp, listTeachQueue, teachFromApp } from '../usecases/knowledge/teach-queue';
import type { Handlers } from './context';
import { faqView, savedFaqView, teachView } from './views';

/** The knowledge base and the "AI 没答上来" queue. */
export const knowledgeActions = {
  'kb.list': async (ctx, req) => {
    const page = await listFaqPage(ctx.deps, req.merchantId, { limit: req.limit ?? 100, cursor: req.cursor });
    return { faqs: page.faqs.map(faqView), nextCursor: page.nextCursor };
  },

  'kb.save': async (ctx, req) => savedFaqView(await saveFaq(ctx.deps, { ...req, actorId: ctx.member.id })),

  'kb.setEnabled': async (ctx, req) => ({ faq: faqView(await setFaqEnabled(ctx.deps, { merchantId: req.merchantId, actorId: ctx.member.id, id: req.id, enabled: req.enabled })) }),

  'kb.import': async (ctx, req) => importKnowledgeFile(ctx.deps, { merchantId: req.merchantId, actorId: ctx.member.id, format: req.format, content: req.content }, ctx.kbFiles),

  'kb.ask': async (ctx, req) => askAi(ctx.deps, { merchantId: req.merchantId, memberId: ctx.member.id, text: req.text }, ctx.channel?.answerer),

  'teach.list': async (ctx, req) => ({ items: (await listTeachQueue(ctx.deps, req.merchantId)).map(teachView) }),

  'teach.save': async (ctx, req) => savedFaqView(await teachFromApp(ctx.deps, { ...req, actorId: ctx.member.id })),

  'teach.dismiss': async (ctx, req) => {
    await dismissFromApp(ctx.deps, { merchantId: req.merchantId, actorId: ctx.member.id, itemId: req.itemId });
    return { itemId: req.itemId };
  },
} satisfies Partial<Handlers>;
