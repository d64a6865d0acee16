import { AppError } from '../../domain/errors';
import { handoffReasonOf, isTeachable } from '../../domain/handoff-reason';
import type { StoredFaq } from '../../domain/knowledge';
import type { TeachItem } from '../../domain/teach';
import type { Deps } from '../../ports/deps';
import { customerName } from '../customers/queries';
import { recordAudit } from '../shop/audit';
import { refuseBannedAnswer } from './faqs';
import { dismissTeachItem, getTeachItem, listTeachItems, teach } from './teach';
import { refuseRefundPromise } from './refund-promise';

/** An entry of the "AI 没答上来" queue with who asked. */
export interface NamedTeachItem {
  item: TeachItem;
  customerName: string;
}

export async function nameTeachItem(deps: Deps, item: TeachItem): Promise<NamedTeachItem> {
  return { item, customerName: await customerName(deps, item.merchantId, item.externalUserId) };
}

export async function listTeachQueue(deps: Deps, merchantId: string): Promise<NamedTeachItem[]> {
  const items = await listTeachItems(deps, merchantId);
  return Promise.all(items.map((i) => nameTeachItem(deps, i)));
}

/** 教 AI from the app: the question becomes a new FAQ (its answer checked for banned words) or another phrasing of one. Audited. */
export async function teachFromApp(
  deps: Deps,
  input: { merchantId: string; actorId: string; itemId: string; question: string; answer?: string; faqId?: string },
): Promise<{ faq: StoredFaq; created: boolean }> {
  const { merchantId } = input;
  const item = await getTeachItem(deps, merchantId, input.itemId);
  // a complaint, an order or a harm is the shop's to handle: taught, the AI would answer the next one
  if (item && !isTeachable(handoffReasonOf(item.reason)))
    throw new AppError('TEACH.NEEDS_HANDLING', '这条是要店里处理的事（投诉、订单、受伤这类），不能教给 AI 当标准回答。处理好以后点「不用教」就行。', 409);
  if (!input.faqId && input.answer) await refuseBannedAnswer(deps, merchantId, input.answer);
  // the staff reply a new FAQ is made from by default is checked the same way (teach.ts)
  if (!input.faqId) refuseRefundPromise(input.answer ?? item?.staffReply?.text);
  const out = await teach(deps, merchantId, { itemId: input.itemId, question: input.question, answer: input.answer, faqId: input.faqId });
  await recordAudit(deps, { merchantId, actor: input.actorId, action: out.created ? 'teach.new' : 'teach.alternative', target: out.faq.id });
  return out;
}

/** 不用教: the question leaves the queue. Audited. */
export async function dismissFromApp(deps: Deps, input: { merchantId: string; actorId: string; itemId: string }): Promise<void> {
  await dismissTeachItem(deps, input.merchantId, input.itemId);
  await recordAudit(deps, { merchantId: input.merchantId, actor: input.actorId, action: 'teach.dismiss', target: input.itemId });
}
