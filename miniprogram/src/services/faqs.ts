import type { ApiResult } from '@xiaoer/shared/contracts/api';
import { call } from './api';

type Faq = ApiResult<'kb.list'>['faqs'][number];

/**
 * Every FAQ of a shop, page by page (`kb.list` pages at 200; a shop holds at most 5,000): for the
 * pages that need the whole list, such as picking the FAQ a taught reply joins, or opening one by id.
 */
export async function allFaqs(merchantId: string): Promise<Faq[]> {
  const out: Faq[] = [];
  let cursor: string | null | undefined;
  for (let page = 0; page < 50; page++) {
    const res = await call({ action: 'kb.list', merchantId, limit: 200, ...(cursor ? { cursor } : {}) });
    out.push(...res.faqs);
    cursor = res.nextCursor;
    if (!cursor) break;
  }
  return out;
}
