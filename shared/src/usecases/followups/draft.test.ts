import type { ChatModel, ChatRequest } from '../../ports/chat-model';
import { DEFAULT_TEXTS } from '../../domain/followup';
import { testDeps } from '../../../../test/helpers/deps';
import { createMeteredModel } from '../answer/model/metered';
import { BUDGET_NS } from '../answer/model';
import { createFollowupDrafter } from './draft';

const shop = { id: 'shop-a', name: '茶小满', industry: '奶茶', timezone: 'Asia/Shanghai' };

/** A model that answers what the test says, and remembers what it was asked. */
function model(reply: string): ChatModel & { asked: ChatRequest[] } {
  const asked: ChatRequest[] = [];
  return {
    asked,
    complete: async (req) => {
      asked.push(req);
      return { content: reply, usage: { promptTokens: 300, completionTokens: 40 } };
    },
  };
}

function drafter(m: ChatModel, budgetFen = 1000) {
  const deps = testDeps();
  return {
    deps,
    d: createFollowupDrafter(
      createMeteredModel({ model: m, kv: deps.storage.kv, clock: deps.clock, timers: deps.timers, pricePerMTokFen: { input: 200, output: 800 }, monthlyBudgetFen: budgetFen }),
    ),
  };
}

describe('follow-up drafts by the model', () => {
  it('keeps a draft that follows the rules, and books its cost in the shop’s model budget', async () => {
    const m = model('「{称呼}，好久没见啦～店里最近上了新口味，有空来尝尝！」');
    const { d, deps } = drafter(m);
    expect(await d.draft(shop, 'dormant')).toEqual({ text: '{称呼}，好久没见啦～店里最近上了新口味，有空来尝尝！', by: 'model' });
    expect(m.asked[0]!.messages[0]!.content).toContain('沉睡客户唤醒');
    const month = (await deps.storage.kv.list<{ calls: number }>('shop-a', BUDGET_NS, 5))[0]!;
    expect(month.value.calls).toBe(1);
  });

  it('drops a draft with a made-up number, an unknown variable or too many words, for the default text', async () => {
    for (const bad of ['{称呼}，本周五全场 8 折！', '{名字}，祝您生日快乐', '好'.repeat(200)]) {
      expect(await drafter(model(bad)).d.draft(shop, 'birthday')).toMatchObject({ text: DEFAULT_TEXTS.birthday, by: 'template' });
    }
  });

  it('makes no call once the month’s budget is spent', async () => {
    const m = model('{称呼}，生日快乐！');
    expect(await drafter(m, 0).d.draft(shop, 'birthday')).toEqual({ text: DEFAULT_TEXTS.birthday, by: 'template', why: 'budget' });
    expect(m.asked).toHaveLength(0);
  });
});
