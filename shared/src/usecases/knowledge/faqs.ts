import { rulesOf } from '../../domain/answer-rules';
import { AppError, notFound } from '../../domain/errors';
import type { StoredFaq } from '../../domain/knowledge';
import type { Deps } from '../../ports/deps';
import { bannedWordsIn } from '../answer/safety';
import { recordAudit } from '../shop/audit';

/** An answer the AI could never send (a banned word in it) is refused when it is written, not when a customer asks. */
export async function refuseBannedAnswer(deps: Deps, merchantId: string, text: string): Promise<void> {
  const m = await deps.storage.merchants.get(merchantId);
  const words = bannedWordsIn(text, m ? rulesOf(m).bannedWords : []);
  if (words.length) throw new AppError('INPUT.BANNED_WORD', `回答里有不能说的词：${words.join('、')}。AI 不会发这样的话，请改一下`, 400, { words });
}

export function listFaqs(deps: Deps, merchantId: string): Promise<StoredFaq[]> {
  return deps.storage.knowledge.listFaqs(merchantId);
}

/** At most this many FAQs per shop (README "知识库"): the answer engine scores every one on each message. */
export const MAX_FAQS_PER_SHOP = 5_000;

export function kbFull(count: number, adding: number): AppError {
  return new AppError(
    'CONFLICT.KB_FULL',
    `知识库最多 ${MAX_FAQS_PER_SHOP.toLocaleString('en-US')} 条问答，现在有 ${count.toLocaleString('en-US')} 条，${adding > 1 ? `再加 ${adding.toLocaleString('en-US')} 条就超了` : '已经满了'}。请把意思相近的问答合并（多的问法写进"相似问法"），或先导入一部分`,
    409,
    { max: MAX_FAQS_PER_SHOP, count, adding },
  );
}

/** Refuses, before anything is written, `adding` new FAQs that would take the shop past the cap. */
export async function refuseOverCap(deps: Deps, merchantId: string, adding: number): Promise<void> {
  if (adding <= 0) return;
  const count = (await deps.storage.knowledge.listFaqs(merchantId)).length;
  if (count + adding > MAX_FAQS_PER_SHOP) throw kbFull(count, adding);
}

/**
 * One page of FAQs in id order; the cursor is the last id of the previous page, so FAQs added or
 * edited between pages neither repeat nor shift the rest. The cap keeps a whole-list read cheap.
 */
export async function listFaqPage(deps: Deps, merchantId: string, page: { limit: number; cursor?: string }): Promise<{ faqs: StoredFaq[]; nextCursor: string | null }> {
  const all = (await listFaqs(deps, merchantId)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rest = page.cursor === undefined ? all : all.filter((f) => f.id > (page.cursor as string));
  const faqs = rest.slice(0, page.limit);
  return { faqs, nextCursor: rest.length > page.limit ? faqs[faqs.length - 1].id : null };
}

async function requireFaq(deps: Deps, merchantId: string, id: string): Promise<StoredFaq> {
  const faq = (await deps.storage.knowledge.listFaqs(merchantId)).find((f) => f.id === id);
  if (!faq) throw notFound('faq');
  return faq;
}

export interface FaqInput {
  merchantId: string;
  /** The member writing it (audited). */
  actorId: string;
  /** Absent: a new FAQ. */
  id?: string;
  question: string;
  answer: string;
  alternatives: string[];
  enabled: boolean;
}

/** Adds or edits a FAQ; the engine answers from it at once. Alternatives are trimmed, deduplicated and never the question itself. */
export async function saveFaq(deps: Deps, input: FaqInput): Promise<{ faq: StoredFaq; created: boolean }> {
  await refuseBannedAnswer(deps, input.merchantId, input.answer);
  const now = deps.clock.now();
  const existing = input.id ? await requireFaq(deps, input.merchantId, input.id) : undefined;
  if (!existing) await refuseOverCap(deps, input.merchantId, 1);
  const alternatives = [...new Set(input.alternatives.map((a) => a.trim()).filter((a) => a && a !== input.question.trim()))];
  const faq: StoredFaq = {
    id: existing?.id ?? deps.ids.id('faq'),
    merchantId: input.merchantId,
    question: input.question.trim(),
    answer: input.answer.trim(),
    alternatives,
    enabled: input.enabled,
    updatedAt: now,
  };
  await deps.storage.knowledge.upsertFaq(faq);
  await recordAudit(deps, { merchantId: input.merchantId, actor: input.actorId, action: existing ? 'kb.edit' : 'kb.add', target: faq.id });
  return { faq, created: !existing };
}

/** Switches a FAQ off (the AI stops using it) or back on. */
export async function setFaqEnabled(deps: Deps, input: { merchantId: string; actorId: string; id: string; enabled: boolean }): Promise<StoredFaq> {
  const existing = await requireFaq(deps, input.merchantId, input.id);
  const faq = { ...existing, enabled: input.enabled, updatedAt: deps.clock.now() };
  await deps.storage.knowledge.upsertFaq(faq);
  await recordAudit(deps, { merchantId: input.merchantId, actor: input.actorId, action: input.enabled ? 'kb.enable' : 'kb.disable', target: faq.id });
  return faq;
}
