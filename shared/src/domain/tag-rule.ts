import { z } from 'zod';
import { Instant, MerchantId } from './ids';

/**
 * Tag rules as data (issue 15 §2): `{name, tags, removeTags?, when}` where `when` is a condition
 * tree — `{all:[…]}` | `{any:[…]}` | `{not:C}` | `{field, op, value}`. The CLI, the api and the
 * stored form all accept this one shape. The tree is checked by hand (not a zod union) so a bad
 * part is named by its exact path (`when.all.1.value`) with a message an owner can read.
 */

export const TAG_FIELDS = [
  'totalSpentFen',
  'orderCount',
  'daysSinceLastOrder',
  'daysSinceAdded',
  'keyword',
  'categoryBought',
  'source',
  'birthdayMonth',
  'storeId',
  'repliedToCampaign',
] as const;
export type TagField = (typeof TAG_FIELDS)[number];
export const TAG_OPS = ['>=', '<=', '=', '!=', 'in', 'contains'] as const;
export type TagOp = (typeof TAG_OPS)[number];

/** Limits of a tree: deeper or bigger trees are refused (they are mistakes, and cost every night). */
export const MAX_DEPTH = 5;
export const MAX_CONDITIONS = 50;
/** Keyword conditions look back at most this far: the per-customer word index keeps no more. */
export const MAX_KEYWORD_DAYS = 90;

export type KeywordValue = { words: string[]; withinDays: number };
export type LeafValue = number | string | boolean | KeywordValue | (number | string)[];
export type Leaf = { field: TagField; op: TagOp; value: LeafValue };
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | Leaf;

type Kind = 'number' | 'text' | 'month' | 'bool' | 'keyword';
const KIND: Record<TagField, Kind> = {
  totalSpentFen: 'number',
  orderCount: 'number',
  daysSinceLastOrder: 'number',
  daysSinceAdded: 'number',
  keyword: 'keyword',
  categoryBought: 'text',
  source: 'text',
  birthdayMonth: 'month',
  storeId: 'text',
  repliedToCampaign: 'bool',
};
/** The owner's words for each field, in messages. */
export const FIELD_LABEL: Record<TagField, string> = {
  totalSpentFen: '累计消费',
  orderCount: '下单次数',
  daysSinceLastOrder: '距上次下单天数',
  daysSinceAdded: '加好友天数',
  keyword: '聊天关键词',
  categoryBought: '买过的品类',
  source: '来源渠道',
  birthdayMonth: '生日月份',
  storeId: '门店',
  repliedToCampaign: '回复过活动',
};
const OPS_OF: Record<Kind, readonly TagOp[]> = {
  number: ['>=', '<=', '=', '!=', 'in'],
  text: ['=', '!=', 'in', 'contains'],
  month: ['=', '!=', 'in'],
  bool: ['=', '!='],
  keyword: ['contains', 'in'],
};

type Issue = { path: (string | number)[]; message: string };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1e12;
const isText = (v: unknown) => typeof v === 'string' && v.trim().length > 0 && v.length <= 60;
const isMonth = (v: unknown) => v === 'current' || (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 12);

function scalarOk(kind: Kind, v: unknown): boolean {
  if (kind === 'number') return isCount(v);
  if (kind === 'text') return isText(v);
  if (kind === 'month') return isMonth(v);
  return typeof v === 'boolean';
}

const VALUE_HINT: Record<Kind, string> = {
  number: '要填 0 或正整数（金额按分）',
  text: '要填 1–60 个字',
  month: '要填 1–12 的月份，或 "current"（当月）',
  bool: '要填 true 或 false',
  keyword: '要填 {"words":["词"…],"withinDays":天数}',
};

function checkLeaf(node: Record<string, unknown>, path: (string | number)[], out: Issue[]): void {
  for (const k of Object.keys(node)) if (k !== 'field' && k !== 'op' && k !== 'value') out.push({ path: [...path, k], message: `条件里不认识 ${k} 这一项` });
  const field = node.field;
  if (typeof field !== 'string' || !(TAG_FIELDS as readonly string[]).includes(field)) {
    out.push({ path: [...path, 'field'], message: `没有 ${String(field)} 这种条件，能用的有：${TAG_FIELDS.join('、')}` });
    return;
  }
  const kind = KIND[field as TagField];
  const label = FIELD_LABEL[field as TagField];
  const op = node.op;
  if (typeof op !== 'string' || !OPS_OF[kind].includes(op as TagOp)) {
    out.push({ path: [...path, 'op'], message: `${label}只能用 ${OPS_OF[kind].join(' ')} 比较` });
    return;
  }
  const v = node.value;
  const bad = () => out.push({ path: [...path, 'value'], message: `${label}${VALUE_HINT[kind]}` });
  if (kind === 'keyword') {
    const okWords =
      isObj(v) && Array.isArray(v.words) && v.words.length >= 1 && v.words.length <= 20 && v.words.every((w) => typeof w === 'string' && w.trim().length > 0 && w.length <= 20);
    const okDays = isObj(v) && typeof v.withinDays === 'number' && Number.isInteger(v.withinDays) && v.withinDays >= 1 && v.withinDays <= MAX_KEYWORD_DAYS;
    const extra = isObj(v) ? Object.keys(v).filter((k) => k !== 'words' && k !== 'withinDays') : [];
    if (!okWords) out.push({ path: [...path, 'value', 'words'], message: '关键词要填 1–20 个词，每个词 1–20 个字' });
    if (!okDays) out.push({ path: [...path, 'value', 'withinDays'], message: `关键词要说明最近几天内（1–${MAX_KEYWORD_DAYS} 天）` });
    for (const k of extra) out.push({ path: [...path, 'value', k], message: `关键词条件里不认识 ${k} 这一项` });
    return;
  }
  if (op === 'in') {
    if (!Array.isArray(v) || v.length < 1 || v.length > 50 || !v.every((x) => scalarOk(kind, x))) bad();
    return;
  }
  if (!scalarOk(kind, v)) bad();
}

/** Walks a raw tree: every problem with its path; the number of conditions (leaves) seen. */
function walk(node: unknown, path: (string | number)[], depth: number, out: Issue[], count: { n: number }): void {
  if (depth > MAX_DEPTH) {
    out.push({ path, message: `条件嵌套太深了，最多 ${MAX_DEPTH} 层` });
    return;
  }
  if (!isObj(node)) {
    out.push({ path, message: '条件要写成 {"all":[…]}、{"any":[…]}、{"not":…} 或 {"field","op","value"}' });
    return;
  }
  const keys = Object.keys(node);
  const group = keys.find((k) => k === 'all' || k === 'any');
  if (group || 'not' in node) {
    if (keys.length !== 1) {
      out.push({ path, message: 'all、any、not 要单独写，不能和别的放在一起' });
      return;
    }
    if (group) {
      const list = node[group];
      if (!Array.isArray(list) || list.length === 0) {
        out.push({ path: [...path, group], message: `${group} 里要有至少一个条件` });
        return;
      }
      list.forEach((c, i) => walk(c, [...path, group, i], depth + 1, out, count));
    } else walk(node.not, [...path, 'not'], depth + 1, out, count);
    return;
  }
  count.n++;
  checkLeaf(node, path, out);
}

/** The condition tree, validated as described above (a ZodIssue per problem, at its path). */
export const ConditionSchema = z.unknown().transform((v, ctx): Condition => {
  const issues: Issue[] = [];
  const count = { n: 0 };
  walk(v, [], 1, issues, count);
  if (count.n > MAX_CONDITIONS) issues.push({ path: [], message: `条件太多了（${count.n} 个），一条规则最多 ${MAX_CONDITIONS} 个` });
  for (const i of issues) ctx.addIssue({ code: z.ZodIssueCode.custom, path: i.path, message: i.message });
  return issues.length ? z.NEVER : (v as Condition);
});

/** A tag as customers carry it (WeCom corp tag names are ≤ 30 characters too). */
export const TagName = z.string().trim().min(1, '标签名不能是空的').max(30, '标签名最多 30 个字');

/** The rule as the owner writes it (CLI `--rule`, the api, templates). */
const RuleFields = z.object({
  name: z.string().trim().min(1, '规则要有名字').max(60),
  /** Added while the condition holds. May be empty when the rule only takes tags off. */
  tags: z.array(TagName).max(10),
  removeTags: z.array(TagName).max(10).optional(),
  when: ConditionSchema,
});
const someTag = (r: { tags: string[]; removeTags?: string[] | undefined }) => r.tags.length > 0 || (r.removeTags?.length ?? 0) > 0;
const SOME_TAG = { message: '规则至少要加或去掉一个标签', path: ['tags'] };

export const TagRuleInput = RuleFields.refine(someTag, SOME_TAG);
export type TagRuleInput = z.infer<typeof TagRuleInput>;

/** The stored rule: the input plus who owns it, whether it runs, and which template it came from. */
export const TagRule = RuleFields.extend({
  id: z.string().min(1).max(80),
  merchantId: MerchantId,
  enabled: z.boolean().default(true),
  /** `<industry>:<template>` when a template made it. */
  templateId: z.string().max(80).optional(),
  createdAt: Instant,
  updatedAt: Instant,
}).refine(someTag, SOME_TAG);
export type TagRule = z.infer<typeof TagRule>;

/** Every field a tree uses (to skip reading what no rule needs, e.g. message words). */
export function fieldsOf(c: Condition, into = new Set<TagField>()): Set<TagField> {
  if ('all' in c) c.all.forEach((x) => fieldsOf(x, into));
  else if ('any' in c) c.any.forEach((x) => fieldsOf(x, into));
  else if ('not' in c) fieldsOf(c.not, into);
  else into.add(c.field);
  return into;
}
