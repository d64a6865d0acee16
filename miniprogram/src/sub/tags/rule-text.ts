import type { Condition, KeywordValue, Leaf } from '@xiaoer/shared/domain/tag-rule';

/**
 * Tag-rule conditions in the words a shop owner uses (「累计消费 ≥ ¥1000」「超过 30 天没下单」
 * 「最近 7 天说过「大码」」): the rule list, the rule builder and the template previews all read
 * a rule through here, so no field name or operator code ever reaches the screen.
 */

/** Where a customer came from, for the 来源 condition (the product's source codes). */
export const SOURCE_LABEL: Record<string, string> = {
  kf: '微信客服',
  contact_way: '渠道活码',
  qr: '扫码',
  campaign: '活动',
  referral: '朋友推荐',
  search: '搜索',
  import: '导入',
  other: '其他',
  contact: '企业微信好友',
};

/** 100000 → "¥1000", 299999 → "¥2999.99". */
export function yuan(fen: number): string {
  return fen % 100 === 0 ? `¥${fen / 100}` : `¥${(fen / 100).toFixed(2)}`;
}

const quote = (s: string | number) => `「${s}」`;
/** A source code as the owner knows it; a channel's own name (its State) as written. */
const sourceName = (v: string | number) => SOURCE_LABEL[String(v)] ?? `渠道${quote(v)}`;
const monthName = (v: string | number) => (v === 'current' ? '本月' : `${v} 月`);
const list = (v: unknown): (string | number)[] => (Array.isArray(v) ? (v as (string | number)[]) : [v as string | number]);
/** A text condition's one value (text fields take a word, validated by the api). */
const one = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const OP_SIGN: Record<string, string> = { '>=': '≥', '<=': '≤', '=': '=', '!=': '≠' };

function numberText(label: string, op: string, value: unknown, show: (n: number) => string): string {
  if (op === 'in')
    return `${label}是 ${list(value)
      .map((n) => show(Number(n)))
      .join('、')} 之一`;
  return `${label} ${OP_SIGN[op] ?? op} ${show(Number(value))}`;
}

/** One condition (a leaf) as a short phrase. */
export function leafText(c: Leaf): string {
  const { op, value } = c;
  const n = Number(value);
  switch (c.field) {
    case 'totalSpentFen':
      return numberText('累计消费', op, value, yuan);
    case 'orderCount':
      if (op === '=' && n === 0) return '还没下过单';
      return numberText('下单次数', op, value, (x) => `${x} 次`);
    case 'daysSinceLastOrder':
      if (op === '>=') return `超过 ${n} 天没下单`;
      if (op === '<=') return `最近 ${n} 天内下过单`;
      return numberText('距上次下单', op, value, (x) => `${x} 天`);
    case 'daysSinceAdded':
      if (op === '>=') return `加好友超过 ${n} 天`;
      if (op === '<=') return `最近 ${n} 天内加的好友`;
      return numberText('加好友', op, value, (x) => `${x} 天`);
    case 'keyword': {
      const k = value as KeywordValue;
      return `最近 ${k.withinDays} 天说过${k.words.map(quote).join('或')}`;
    }
    case 'categoryBought':
      if (op === '!=') return `买过东西，但没买过${quote(one(value))}`;
      if (op === 'contains') return `买过名字带${quote(one(value))}的东西`;
      return `买过${list(value).map(quote).join('或')}`;
    case 'source':
      if (op === '!=') return `来源不是${sourceName(value as string)}`;
      if (op === 'contains') return `来源渠道名字带${quote(one(value))}`;
      return `来源是${list(value).map(sourceName).join('或')}`;
    case 'birthdayMonth': {
      const months = list(value).map(monthName).join('、');
      if (op === '!=') return `生日不在${months}`;
      return value === 'current' ? '本月生日' : `${months}生日`;
    }
    case 'storeId':
      if (op === '!=') return `不是门店${quote(one(value))}的客户`;
      return `门店${op === 'contains' ? '名字带' : '是'}${list(value).map(quote).join('或')}`;
    case 'repliedToCampaign':
      return (op === '=') === (value === true) ? '回复过活动' : '没回复过活动';
  }
}

/** A whole condition tree as one sentence: groups joined with 并且 / 或者, NOT as 不满足. */
export function conditionText(c: Condition, nested = false): string {
  if ('all' in c || 'any' in c) {
    const parts = 'all' in c ? c.all : c.any;
    const text = parts.map((p) => conditionText(p, true)).join('all' in c ? '，并且' : '，或者');
    return nested && parts.length > 1 ? `（${text}）` : text;
  }
  if ('not' in c) return `不满足${'field' in c.not ? quote(leafText(c.not)) : conditionText(c.not, true)}`;
  return leafText(c);
}

/** What a rule does to the tags, e.g. "打上「VIP」，去掉「普通」". */
export function tagChangeText(tags: readonly string[], removeTags: readonly string[]): string {
  const parts: string[] = [];
  if (tags.length) parts.push(`打上${tags.map(quote).join('')}`);
  if (removeTags.length) parts.push(`去掉${removeTags.map(quote).join('')}`);
  return parts.join('，');
}
