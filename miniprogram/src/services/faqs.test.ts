import { mockFetch, ok } from '../../test/fetch-mock';
import { allFaqs } from './faqs';

afterEach(() => jest.restoreAllMocks());

const faq = (n: number) => ({ id: `f${String(n).padStart(3, '0')}`, question: `问题 ${n}`, answer: `回答 ${n}`, alternatives: [], enabled: true, updatedAt: 0 });

describe('allFaqs', () => {
  it('follows kb.list pages until there is no next cursor', async () => {
    const all = Array.from({ length: 450 }, (_, i) => faq(i));
    const fetch = mockFetch((body) => {
      const req = body as unknown as { cursor?: string; limit: number };
      const from = req.cursor ? all.findIndex((f) => f.id === req.cursor) + 1 : 0;
      const page = all.slice(from, from + req.limit);
      return ok({ faqs: page, nextCursor: from + req.limit < all.length ? page[page.length - 1].id : null });
    });
    const got = await allFaqs('demo-bakery');
    expect(got.map((f) => f.id)).toEqual(all.map((f) => f.id));
    expect(fetch).toHaveBeenCalledTimes(3);
  });
});
