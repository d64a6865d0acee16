import { zeroCounters, type Counters } from '@xiaoer/shared/domain/counters';
import type { ApiResult } from '@xiaoer/shared/contracts/api';

export const me: ApiResult<'me.get'> = {
  memberId: 'mem-1',
  merchants: [
    { id: 'demo-bakery', name: '小麦面包坊', role: 'owner' },
    { id: 'shop-b', name: '街角花店', role: 'staff' },
  ],
};

const counters = (c: Partial<Counters>): Counters => ({ ...zeroCounters(), ...c });

export const dashboard = (over: Partial<ApiResult<'dashboard.today'>> = {}): ApiResult<'dashboard.today'> => ({
  merchant: { id: 'demo-bakery', name: '小麦面包坊', timezone: 'Asia/Shanghai' },
  role: 'owner',
  day: '2026-11-22',
  today: counters({ newCustomers: 3, consultations: 12, customerMessages: 40, aiAnswered: 30, aiHandoffs: 4, orders: 7, revenueFen: 123450 }),
  throughHour: 14,
  yesterday: counters({ newCustomers: 2, consultations: 12, customerMessages: 55, aiAnswered: 20, aiHandoffs: 5, orders: 9, revenueFen: 100000 }),
  lastWeek: counters({ newCustomers: 1, consultations: 8, customerMessages: 31, aiAnswered: 15, aiHandoffs: 2, orders: 6, revenueFen: 80000 }),
  waitingHuman: 2,
  revenueFen: 123450,
  hasOrders: true,
  wecomProblems: [],
  ...over,
});

/** dashboard.trends for `n` days ending 2026-11-22: consultations 1…n, aiAnswered one less, revenue 100 分 × day. */
export const trends = (n: 7 | 30 = 7, over: Partial<ApiResult<'dashboard.trends'>> = {}): ApiResult<'dashboard.trends'> => ({
  days: Array.from({ length: n }, (_, i) => {
    const d = new Date(Date.UTC(2026, 10, 22 - (n - 1 - i)));
    const day = d.toISOString().slice(0, 10);
    return {
      day,
      counters: counters({
        newCustomers: i % 3,
        consultations: i + 1,
        aiAnswered: i,
        aiHandoffs: 1,
        orders: i % 4,
        revenueFen: 100 * (i + 1),
      }),
    };
  }),
  revenueShown: true,
  ...over,
});

export const badges = (over: Partial<ApiResult<'badges.get'>> = {}): ApiResult<'badges.get'> => ({ waitingHuman: 2, unanswered: 3, ...over });

export const faq = (over: Partial<ApiResult<'kb.list'>['faqs'][number]> = {}): ApiResult<'kb.list'>['faqs'][number] => ({
  id: 'faq-1',
  question: '几点开门？',
  answer: '每天早上 7 点开门，晚上 9 点关门。\n节假日照常营业。',
  alternatives: ['营业时间', '什么时候关门'],
  enabled: true,
  updatedAt: 1763779200000,
  ...over,
});

export const teachItem = (over: Partial<ApiResult<'teach.list'>['items'][number]> = {}): ApiResult<'teach.list'>['items'][number] => ({
  id: 'teach-1',
  conversationId: 'conv-1',
  externalUserId: 'wm-1',
  customerName: '王阿姨',
  question: '生日蛋糕能送到小区吗？',
  earlier: ['你们有生日蛋糕吗'],
  reason: 'no_knowledge',
  reasonText: '知识库里没有',
  askedAt: 1763780400000,
  staffReply: { text: '3 公里内免费送。', at: 1763780500000, by: 'staff' },
  ...over,
});
