import { AppError, notFound } from '../../domain/errors';
import type { StoredFaq } from '../../domain/knowledge';
import type { TeachItem } from '../../domain/teach';
import type { Deps } from '../../ports/deps';
import { updateKv } from '../lib/kv-cas';
import { refuseOverCap } from './faqs';

/**
 * The "AI 没答上来" queue (issue: teach loop). One entry per conversation in kv, so a person's
 * reply finds its question in one read: a newer unanswered question replaces the entry's
 * question and keeps the older ones beside it. Teaching or dismissing removes the entry; the
 * FAQ it became (and the audit log) is the record.
 */
export const TEACH_NS = 'teach.queue';
/** The queue shown to the owner is capped; older entries stay until handled. */
export const TEACH_LIST_LIMIT = 200;

export interface Unanswered {
  merchantId: string;
  conversationId: string;
  externalUserId: string;
  question: string;
  reason: string;
  askedAt: number;
}

export async function recordUnanswered(deps: Deps, u: Unanswered): Promise<void> {
  const question = u.question.trim().slice(0, 2000);
  if (!question) return;
  await updateKv<TeachItem>(deps.storage.kv, u.merchantId, TEACH_NS, u.conversationId, deps.clock.now(), (cur) => {
    if (cur && cur.question === question) return undefined; // the same question again (a retry)
    const earlier = cur ? [cur.question, ...cur.earlier].filter((q) => q !== question).slice(0, 3) : [];
    return {
      id: u.conversationId,
      merchantId: u.merchantId,
      conversationId: u.conversationId,
      externalUserId: u.externalUserId,
      question,
      earlier,
      reason: u.reason.slice(0, 60),
      askedAt: u.askedAt,
      // a reply given before this question does not answer it
      staffReply: undefined,
    };
  });
}

/** A person answered in the conversation (the app or the WeCom client): keep it for teaching. */
export async function attachStaffReply(deps: Deps, merchantId: string, conversationId: string, reply: { text: string; at: number; by: 'staff' | 'servicer' }): Promise<void> {
  const text = reply.text.trim();
  if (!text) return;
  await updateKv<TeachItem>(deps.storage.kv, merchantId, TEACH_NS, conversationId, deps.clock.now(), (cur) => {
    if (!cur || reply.at < cur.askedAt) return undefined;
    if (cur.staffReply?.text.endsWith(text)) return undefined; // the same reply again (a retried send)
    // several short replies in a row read as one answer
    const joined = cur.staffReply && cur.staffReply.at >= cur.askedAt ? `${cur.staffReply.text}\n${text}` : text;
    return { ...cur, staffReply: { text: joined.slice(0, 4000), at: reply.at, by: reply.by } };
  });
}

export async function listTeachItems(deps: Deps, merchantId: string): Promise<TeachItem[]> {
  const entries = await deps.storage.kv.list<TeachItem>(merchantId, TEACH_NS, TEACH_LIST_LIMIT);
  return entries.map((e) => e.value).sort((a, b) => b.askedAt - a.askedAt);
}

export async function getTeachItem(deps: Deps, merchantId: string, itemId: string): Promise<TeachItem | null> {
  return (await deps.storage.kv.get<TeachItem>(merchantId, TEACH_NS, itemId))?.value ?? null;
}

export async function countTeachItems(deps: Deps, merchantId: string): Promise<number> {
  return (await deps.storage.kv.list(merchantId, TEACH_NS, TEACH_LIST_LIMIT)).length;
}

export async function dismissTeachItem(deps: Deps, merchantId: string, itemId: string): Promise<void> {
  if (!(await getTeachItem(deps, merchantId, itemId))) throw notFound('teach');
  await deps.storage.kv.delete(merchantId, TEACH_NS, itemId);
}

/**
 * One step from an unanswered question to knowledge: a new FAQ (question + answer), or the
 * question added as another phrasing of an existing FAQ. The entry leaves the queue.
 */
export async function teach(
  deps: Deps,
  merchantId: string,
  req: { itemId: string; question: string; answer?: string; faqId?: string },
): Promise<{ faq: StoredFaq; created: boolean }> {
  const item = await getTeachItem(deps, merchantId, req.itemId);
  if (!item) throw notFound('teach');
  const now = deps.clock.now();
  const question = req.question.trim();
  let faq: StoredFaq;
  let created: boolean;
  if (req.faqId) {
    const existing = (await deps.storage.knowledge.listFaqs(merchantId)).find((f) => f.id === req.faqId);
    if (!existing) throw notFound('faq');
    const known = [existing.question, ...existing.alternatives].some((q) => q.trim() === question);
    faq = { ...existing, alternatives: known ? existing.alternatives : [...existing.alternatives, question].slice(-30), updatedAt: now };
    created = false;
  } else {
    const answer = (req.answer ?? item.staffReply?.text ?? '').trim();
    if (!answer) throw new AppError('INPUT.INVALID', '请填上回答，AI 才知道以后怎么说', 400);
    await refuseOverCap(deps, merchantId, 1);
    faq = { id: deps.ids.id('faq'), merchantId, question, answer, alternatives: [], enabled: true, updatedAt: now };
    created = true;
  }
  await deps.storage.knowledge.upsertFaq(faq);
  await deps.storage.kv.delete(merchantId, TEACH_NS, item.id);
  return { faq, created };
}

/** The reason codes of the answer engine and the channel, as an owner reads them. */
export function reasonText(reason: string): string {
  const r = reason.replace(/^handoff:/, '');
  const map: Record<string, string> = {
    person: '客户要找人工',
    asked_for_person: '客户要找人工',
    complaint: '客户在投诉或不高兴',
    harm: '客户说出了问题（身体不适、东西坏了等）',
    order: '要人看一下客户的订单或预约',
    merchant_word: '客户说到了你设的转人工的词',
    clarify: 'AI 不太确定，问了客户一句',
    unanswered_twice: '连着两次没答上来，转给了人',
    no_match: '知识库里没找到',
    low_confidence: 'AI 不太确定',
    banned_word: 'AI 的回答里有不能说的词，没发',
    non_text: '客户发的图片、语音或文件，AI 看不了',
    budget: '本月 AI 额度用完了',
    commit: '客户要店里答应具体的事（时间、数量、预订）',
    unsure: 'AI 没把握，交给了人',
    repeated_miss: '客户说了两次不是他问的',
  };
  return map[r] ?? 'AI 没把握，交给了人';
}
