import { createEngineAnswerer } from '@xiaoer/shared/usecases/answer/answerer';
import { knowledgeRows } from '../cloudfunctions/server/demo/knowledge';

// Issue 13's acceptance messages on the demo 奶茶店: its knowledge base alone (as `kb export`
// writes it), without the shop's own handoff words, through the product's offline answerer.
describe('the demo 奶茶店 hands these to a person', () => {
  const { faqs } = knowledgeRows(Date.UTC(2026, 0, 1));
  const answerer = createEngineAnswerer({ listFaqs: async () => faqs });
  it.each(['奶茶里有头发', '你们家奶茶里有根头发，怎么回事', '喝了肚子一直不舒服', '能让你们老板接个电话吗', '我昨天订的两杯到现在还没送来'])('%s', async (text) => {
    const d = await answerer.answer({ merchantId: 'demo-naicha', externalUserId: 'c1', text, history: [] });
    expect(d).toMatchObject({ handoff: true, reply: null, knowledgeIds: [] });
  });
  it('and still answers its everyday questions itself', async () => {
    const d = await answerer.answer({ merchantId: 'demo-naicha', externalUserId: 'c1', text: '你们晚上几点关门', history: [] });
    expect(d).toMatchObject({ handoff: false, knowledgeIds: ['hours'] });
  });
});
