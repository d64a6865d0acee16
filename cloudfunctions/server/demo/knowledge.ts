import type { StoredFaq, StoredProduct } from '@xiaoer/shared/domain/knowledge';
import { DEMO_FACTS, DEMO_FAQS, DEMO_MERCHANT_ID, DEMO_PRODUCTS } from './catalog';
import { DAY } from './time';

/** The knowledge base as stored: the catalog without what only writes demo chats, last edited three days ago. */
export function knowledgeRows(anchor: number): { faqs: StoredFaq[]; products: StoredProduct[]; facts: Record<string, unknown> } {
  const kbAt = anchor - 3 * DAY;
  return {
    faqs: DEMO_FAQS.map(({ asks: _a, weight: _w, ...f }) => ({ ...f, merchantId: DEMO_MERCHANT_ID, updatedAt: kbAt })),
    products: DEMO_PRODUCTS.map(({ popularity: _p, ...pr }) => ({ ...pr, merchantId: DEMO_MERCHANT_ID, updatedAt: kbAt })),
    facts: { ...DEMO_FACTS },
  };
}
