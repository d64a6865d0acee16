import { testDeps } from '../../../../test/helpers/deps';
import { AppError } from '../../domain/errors';
import { createMerchant } from '../shop/merchants';
import { VECTOR_A } from '../../testing/wecom-harness';
import { promisesRefund } from './refund-promise';
import { attachStaffReply, getTeachItem, recordUnanswered } from './teach';
import { teachFromApp } from './teach-queue';

describe('promisesRefund', () => {
  it.each([
    '不好意思，这单给您全额退款',
    '已经给您退了，请注意查收',
    '实在抱歉，给您退款，您别生气',
    '真对不起，赔您一杯新的',
    '刚才那杯我们免单，您看可以吗',
    '这次给您退一半',
    '我们马上给你补偿一张优惠券',
  ])('a promise to this customer: %s', (a) => expect(promisesRefund(a)).toBe(true));

  it.each([
    '收到商品 7 天内可以申请退款，请保留小票',
    '如有质量问题，我们会为您退款或重做',
    '退款一般 1-3 个工作日原路退回',
    '制作前取消订单可全额退款，制作后不支持退款',
    '我们的蛋糕是当天现做的，每天早上十点开门',
    '会员卡办理后不退费，余额可以一直用',
  ])('a policy or no refund at all: %s', (a) => expect(promisesRefund(a)).toBe(false));
});

describe('teach.save refuses a refund promise as a FAQ answer', () => {
  it('for a typed answer and for the staff reply taken as it is; a refund policy is saved', async () => {
    const deps = testDeps();
    try {
      await createMerchant(deps, { id: 'shop', name: '茶小满', ...VECTOR_A });
      const ask = (conversationId: string, question: string) =>
        recordUnanswered(deps, { merchantId: 'shop', conversationId, externalUserId: 'u1', question, reason: 'clarify', askedAt: 1 });
      const save = (itemId: string, answer?: string) =>
        teachFromApp(deps, { merchantId: 'shop', actorId: 'local-owner', itemId, question: '能退款吗', ...(answer ? { answer } : {}) });

      await ask('c1', '能退款吗');
      const refused = await save('c1', '这单给您全额退款，抱歉').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(AppError);
      expect(refused).toMatchObject({ code: 'INPUT.REFUND_PROMISE', status: 400 });
      expect((refused as Error).message).toContain('不能存成 AI 的标准回答');
      expect(await getTeachItem(deps, 'shop', 'c1')).not.toBeNull(); // still in the queue

      await attachStaffReply(deps, 'shop', 'c1', { text: '已经给您退了，请查收', at: 2, by: 'staff' });
      await expect(save('c1')).rejects.toMatchObject({ code: 'INPUT.REFUND_PROMISE' });

      const ok = await save('c1', '制作前取消可以全额退款，做好以后就不能退了');
      expect(ok).toMatchObject({ created: true, faq: { answer: '制作前取消可以全额退款，做好以后就不能退了' } });
    } finally {
      await deps.storage.close();
    }
  });
});
