import type { Condition, TagRuleInput } from '../../domain/tag-rule';

/**
 * Rule templates per industry (issue 15 §3), usable as they are: spend tiers, frequency
 * (新客/复购/沉睡 with the industry's own cycle), keyword tags and birthday month. Each template
 * is a few rules; turning one on stores them under ids of the template, so turning it on twice
 * keeps one copy.
 */

export const INDUSTRIES = ['milktea', 'clothing', 'beauty', 'general'] as const;
export type Industry = (typeof INDUSTRIES)[number];
export const INDUSTRY_LABEL: Record<Industry, string> = { milktea: '奶茶店', clothing: '服装店', beauty: '美容院', general: '通用' };

interface Tuning {
  /** VIP and 超级VIP from this much total spend (fen). */
  vipFen: number;
  superVipFen: number;
  /** A customer's buying cycle: no order in this many days is 沉睡. */
  cycleDays: number;
  keywords: ('bigSize' | 'memberCard')[];
}

const TUNING: Record<Industry, Tuning> = {
  milktea: { vipFen: 100_000, superVipFen: 300_000, cycleDays: 14, keywords: ['memberCard'] },
  clothing: { vipFen: 300_000, superVipFen: 1_000_000, cycleDays: 60, keywords: ['bigSize', 'memberCard'] },
  // a course of treatments comes back about monthly
  beauty: { vipFen: 500_000, superVipFen: 2_000_000, cycleDays: 35, keywords: ['memberCard'] },
  general: { vipFen: 100_000, superVipFen: 500_000, cycleDays: 30, keywords: ['bigSize', 'memberCard'] },
};

export interface TagTemplate {
  /** `<industry>:<key>`. */
  id: string;
  industry: Industry;
  key: 'spend' | 'frequency' | 'keywords' | 'birthday';
  name: string;
  description: string;
  rules: TagRuleInput[];
}

const yuan = (fen: number) => `¥${fen / 100}`;
const leaf = (field: string, op: string, value: unknown) => ({ field, op, value }) as Condition;

function spend(t: Tuning): TagRuleInput[] {
  return [
    { name: `超级VIP：累计消费满${yuan(t.superVipFen)}`, tags: ['超级VIP'], removeTags: ['普通', 'VIP'], when: leaf('totalSpentFen', '>=', t.superVipFen) },
    {
      name: `VIP：累计消费满${yuan(t.vipFen)}`,
      tags: ['VIP'],
      removeTags: ['普通', '超级VIP'],
      when: { all: [leaf('totalSpentFen', '>=', t.vipFen), leaf('totalSpentFen', '<=', t.superVipFen - 1)] },
    },
    {
      name: `普通：买过、消费不到${yuan(t.vipFen)}`,
      tags: ['普通'],
      removeTags: ['VIP', '超级VIP'],
      when: { all: [leaf('orderCount', '>=', 1), leaf('totalSpentFen', '<=', t.vipFen - 1)] },
    },
  ];
}

function frequency(t: Tuning): TagRuleInput[] {
  const d = t.cycleDays;
  return [
    {
      name: `新客：${d} 天内加的好友或第一次下单`,
      tags: ['新客'],
      removeTags: ['复购', '沉睡'],
      when: { all: [leaf('orderCount', '<=', 1), { any: [leaf('daysSinceAdded', '<=', d), leaf('daysSinceLastOrder', '<=', d)] }] },
    },
    {
      name: `复购：买过两次以上，${d} 天内还买过`,
      tags: ['复购'],
      removeTags: ['新客', '沉睡'],
      when: { all: [leaf('orderCount', '>=', 2), leaf('daysSinceLastOrder', '<=', d)] },
    },
    {
      name: `沉睡：超过 ${d} 天没下单`,
      tags: ['沉睡'],
      removeTags: ['新客', '复购'],
      when: { all: [leaf('daysSinceAdded', '>=', d + 1), { not: leaf('daysSinceLastOrder', '<=', d) }] },
    },
  ];
}

const KEYWORD_RULES: Record<Tuning['keywords'][number], TagRuleInput> = {
  bigSize: {
    name: '咨询过大码：90 天内问过大码、加大',
    tags: ['咨询过大码'],
    when: leaf('keyword', 'contains', { words: ['大码', '加大', '加肥', 'xxl', '2xl', '3xl'], withinDays: 90 }),
  },
  memberCard: {
    name: '问过会员卡：90 天内问过会员卡、办卡、充值',
    tags: ['问过会员卡'],
    when: leaf('keyword', 'contains', { words: ['会员卡', '办卡', '办会员', '充值', '储值'], withinDays: 90 }),
  },
};

const BIRTHDAY: TagRuleInput[] = [
  { name: '本月生日', tags: ['本月生日'], when: leaf('birthdayMonth', '=', 'current') },
  { name: '生日月过了就去掉「本月生日」', tags: [], removeTags: ['本月生日'], when: { not: leaf('birthdayMonth', '=', 'current') } },
];

export function templatesFor(industry: Industry): TagTemplate[] {
  const t = TUNING[industry];
  const id = (key: TagTemplate['key']) => `${industry}:${key}`;
  return [
    { id: id('spend'), industry, key: 'spend', name: '按消费分等级', description: `普通 / VIP（满${yuan(t.vipFen)}）/ 超级VIP（满${yuan(t.superVipFen)}）`, rules: spend(t) },
    { id: id('frequency'), industry, key: 'frequency', name: '按来店频率', description: `新客 / 复购 / 沉睡（${t.cycleDays} 天没下单）`, rules: frequency(t) },
    {
      id: id('keywords'),
      industry,
      key: 'keywords',
      name: '按聊天关键词',
      description: t.keywords.map((k) => KEYWORD_RULES[k].tags[0]).join(' / '),
      rules: t.keywords.map((k) => KEYWORD_RULES[k]),
    },
    { id: id('birthday'), industry, key: 'birthday', name: '生日月', description: '生日在本月的客户打上「本月生日」，过了自动去掉', rules: BIRTHDAY },
  ];
}

export function findTemplate(id: string): TagTemplate | null {
  const [industry] = id.split(':');
  if (!(INDUSTRIES as readonly string[]).includes(industry ?? '')) return null;
  return templatesFor(industry as Industry).find((t) => t.id === id) ?? null;
}

/** The industry a shop's free-text industry (奶茶, 女装, 美甲…) is closest to. */
export function industryOf(text: string | undefined): Industry {
  const s = (text ?? '').toLowerCase();
  if (/奶茶|茶饮|饮品|咖啡|果汁|milk ?tea|tea|coffee/.test(s)) return 'milktea';
  if (/服装|女装|男装|童装|衣|鞋|clothing|fashion/.test(s)) return 'clothing';
  if (/美容|美甲|美发|美睫|spa|护肤|beauty|salon/.test(s)) return 'beauty';
  return 'general';
}

/** Stored rule ids of a template: the same on every turn-on. */
export const templateRuleId = (templateId: string, i: number) => `tpl:${templateId}:${i + 1}`;
