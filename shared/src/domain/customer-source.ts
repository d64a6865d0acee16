import type { CustomerSource } from './customer';

/**
 * How a customer came to the shop, in the owner's words (客户资料's 来源, the list). Every code
 * a customer's `source` can hold has one: the record type makes a new code without a label a
 * compile error, and customer-source.test.ts checks each code the product sets (微信客服,
 * 客户联系 from a contact way's State, the demo shop) lands here.
 */
export const SOURCE_LABEL: Record<CustomerSource, string> = {
  kf: '微信客服',
  contact_way: '渠道活码',
  qr: '扫码添加',
  campaign: '活动',
  referral: '老客推荐',
  search: '搜索添加',
  import: '导入',
  other: '其他',
};

/**
 * The label of a stored source; a code this version does not know (a newer writer's) reads as 其他.
 * A customer brought by one of the shop's channel QR codes also names it: 渠道活码 · 门店柜台.
 */
export function sourceText(source: string, channelName?: string): string {
  const label = Object.hasOwn(SOURCE_LABEL, source) ? SOURCE_LABEL[source as CustomerSource] : SOURCE_LABEL.other;
  return source === 'contact_way' && channelName ? `${label} · ${channelName}` : label;
}
