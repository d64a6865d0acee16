import { TagRuleInput, type Condition, type Leaf } from '@xiaoer/shared/domain/tag-rule';
import { leafText } from '../tags/rule-text';

/**
 * The rule builder's form and the rule JSON the api accepts (`{name, tags, removeTags?, when}`,
 * shared/src/domain/tag-rule.ts). The form is a flat list of conditions joined by 全部满足 (all)
 * or 满足任意一个 (any), each of which may be turned around (not) — the trees an owner builds by
 * hand. A stored tree the form cannot show (groups inside groups, like the 新客 template) keeps
 * its conditions as they are: the owner can still rename it and change its tags.
 */

export type Kind = 'spend' | 'orders' | 'noOrderFor' | 'orderedWithin' | 'addedOver' | 'addedWithin' | 'keyword' | 'category' | 'source' | 'birthday';

/** The kinds the 加一个条件 menu offers, in the owner's words. */
export const KINDS: { kind: Kind; label: string }[] = [
  { kind: 'spend', label: '累计消费' },
  { kind: 'orders', label: '下单次数' },
  { kind: 'noOrderFor', label: '多久没下单' },
  { kind: 'orderedWithin', label: '最近下过单' },
  { kind: 'addedOver', label: '加好友多久了' },
  { kind: 'addedWithin', label: '新加的好友' },
  { kind: 'keyword', label: '聊天说过' },
  { kind: 'category', label: '买过什么' },
  { kind: 'source', label: '从哪来的' },
  { kind: 'birthday', label: '生日月' },
];

export interface Row {
  key: string;
  kind: Kind;
  /** spend and orders: at least (>=) or at most (<=). */
  op: '>=' | '<=';
  /** The number the owner typed: yuan for spend, a count, or days. */
  amount: string;
  /** keyword: the window in days. */
  days: string;
  /** keyword: the words, separated by spaces or commas; category: the category's name. */
  text: string;
  /** source: the source code; birthday: 'current' or '1'…'12'. */
  pick: string;
  /** The customers this condition does NOT match. */
  negate: boolean;
}

export interface Draft {
  name: string;
  tags: string;
  removeTags: string;
  mode: 'all' | 'any';
  rows: Row[];
  /** A stored tree the form cannot show: kept as it is. */
  fixedWhen: Condition | null;
}

let seq = 0;
const nextKey = () => `c${++seq}`;

export function newRow(kind: Kind): Row {
  return {
    key: nextKey(),
    kind,
    op: '>=',
    amount: '',
    days: kind === 'keyword' ? '30' : '',
    text: '',
    pick: kind === 'birthday' ? 'current' : kind === 'source' ? 'kf' : '',
    negate: false,
  };
}

export const emptyDraft = (): Draft => ({ name: '', tags: '', removeTags: '', mode: 'all', rows: [newRow('spend')], fixedWhen: null });

/** Tags typed in one field: spaces, commas and 、 separate them; each kept once. */
export const splitTags = (s: string): string[] => [...new Set(s.split(/[\s,，、;；]+/).filter(Boolean))];

const isInt = (s: string) => /^\d+$/.test(s.trim());

/** One row as the condition the api takes, or what is missing in the owner's words. */
export function rowLeaf(r: Row): { leaf: Leaf } | { problem: string } {
  const n = Number(r.amount.trim());
  const needCount = (what: string): { problem: string } | null => (isInt(r.amount) ? null : { problem: `要填${what}（整数）` });
  switch (r.kind) {
    case 'spend': {
      const s = r.amount.trim();
      if (!/^\d+(\.\d{1,2})?$/.test(s)) return { problem: '要填金额，比如 1000' };
      return { leaf: { field: 'totalSpentFen', op: r.op, value: Math.round(Number(s) * 100) } };
    }
    case 'orders':
      return needCount('几次') ?? { leaf: { field: 'orderCount', op: r.op, value: n } };
    case 'noOrderFor':
      return needCount('天数') ?? { leaf: { field: 'daysSinceLastOrder', op: '>=', value: n } };
    case 'orderedWithin':
      return needCount('天数') ?? { leaf: { field: 'daysSinceLastOrder', op: '<=', value: n } };
    case 'addedOver':
      return needCount('天数') ?? { leaf: { field: 'daysSinceAdded', op: '>=', value: n } };
    case 'addedWithin':
      return needCount('天数') ?? { leaf: { field: 'daysSinceAdded', op: '<=', value: n } };
    case 'keyword': {
      const words = splitTags(r.text);
      if (words.length === 0) return { problem: '要填客户说过的词，比如 大码' };
      if (!isInt(r.days) || Number(r.days) < 1 || Number(r.days) > 90) return { problem: '最近几天要填 1 到 90' };
      return { leaf: { field: 'keyword', op: 'contains', value: { words, withinDays: Number(r.days) } } };
    }
    case 'category': {
      const t = r.text.trim();
      return t ? { leaf: { field: 'categoryBought', op: '=', value: t } } : { problem: '要填买过的品类，比如 果茶' };
    }
    case 'source':
      return { leaf: { field: 'source', op: '=', value: r.pick } };
    case 'birthday':
      return { leaf: { field: 'birthdayMonth', op: '=', value: r.pick === 'current' ? 'current' : Number(r.pick) } };
  }
}

/** The row's condition as a sentence, or null while it is not filled in. */
export function rowText(r: Row): string | null {
  const x = rowLeaf(r);
  if (!('leaf' in x)) return null;
  return r.negate ? `不满足「${leafText(x.leaf)}」` : leafText(x.leaf);
}

const wrap = (r: Row, leaf: Leaf): Condition => (r.negate ? { not: leaf } : leaf);

/** The part of the form an api path points at (`when.all.1.value` → 第 2 个条件). */
export function partName(path: (string | number)[], fixed: boolean): string {
  const [head, a, b] = path;
  if (head === 'name') return '规则名字';
  if (head === 'tags') return '要打上的标签';
  if (head === 'removeTags') return '要去掉的标签';
  if (head === 'when') {
    if (fixed) return '条件';
    if ((a === 'all' || a === 'any') && typeof b === 'number') return `第 ${b + 1} 个条件`;
    if (a === 'all' || a === 'any') return '条件';
    return '第 1 个条件';
  }
  return '规则';
}

/** A refusal's text (`输入有误：rule.when.all.1.value 累计消费要填…`) with the part named in words. */
export function refusalText(message: string, fixed = false): string {
  const m = /^输入有误：(\S+) ([\s\S]+)$/.exec(message);
  if (!m) return message;
  const path = m[1]!
    .split('.')
    .filter((p, i) => !(i === 0 && p === 'rule'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return `${partName(path, fixed)}：${m[2]}`;
}

export type Built = { ok: true; rule: TagRuleInput } | { ok: false; problems: string[] };

/** The form as the rule JSON the api accepts, checked with the api's own schema first. */
export function buildRule(d: Draft): Built {
  const problems: string[] = [];
  const leaves: Condition[] = [];
  if (!d.fixedWhen) {
    if (d.rows.length === 0) problems.push('至少要有一个条件');
    d.rows.forEach((r, i) => {
      const x = rowLeaf(r);
      if ('leaf' in x) leaves.push(wrap(r, x.leaf));
      else problems.push(`第 ${i + 1} 个条件：${x.problem}`);
    });
  }
  const tags = splitTags(d.tags);
  const removeTags = splitTags(d.removeTags);
  if (!d.name.trim()) problems.push('规则要有名字');
  if (tags.length === 0 && removeTags.length === 0) problems.push('至少要打上或去掉一个标签');
  if (problems.length) return { ok: false, problems };

  const when: Condition = d.fixedWhen ?? (leaves.length === 1 ? leaves[0]! : d.mode === 'all' ? { all: leaves } : { any: leaves });
  const raw = { name: d.name.trim(), tags, ...(removeTags.length ? { removeTags } : {}), when };
  const parsed = TagRuleInput.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.slice(0, 5).map((i) => `${partName(i.path, Boolean(d.fixedWhen))}：${i.message}`) };
  return { ok: true, rule: raw as TagRuleInput };
}

/** A stored condition as a form row, or null when the form has no such row. */
function leafRow(c: Condition): Row | null {
  const negate = 'not' in c;
  const leaf = negate ? (c as { not: Condition }).not : c;
  if (!('field' in leaf)) return null;
  const { field, op, value } = leaf;
  const row = (kind: Kind, over: Partial<Row>): Row => ({ ...newRow(kind), negate, ...over });
  const num = typeof value === 'number' ? value : null;
  if (field === 'totalSpentFen' && num !== null && (op === '>=' || op === '<=')) return row('spend', { op, amount: String(num / 100) });
  if (field === 'orderCount' && num !== null && (op === '>=' || op === '<=')) return row('orders', { op, amount: String(num) });
  if (field === 'daysSinceLastOrder' && num !== null && (op === '>=' || op === '<=')) return row(op === '>=' ? 'noOrderFor' : 'orderedWithin', { amount: String(num) });
  if (field === 'daysSinceAdded' && num !== null && (op === '>=' || op === '<=')) return row(op === '>=' ? 'addedOver' : 'addedWithin', { amount: String(num) });
  if (field === 'keyword' && typeof value === 'object' && value !== null && 'words' in value)
    return row('keyword', { text: value.words.join(' '), days: String(value.withinDays) });
  if (field === 'categoryBought' && op === '=' && typeof value === 'string') return row('category', { text: value });
  if (field === 'source' && op === '=' && typeof value === 'string') return row('source', { pick: value });
  if (field === 'birthdayMonth' && op === '=' && (value === 'current' || num !== null)) return row('birthday', { pick: value === 'current' ? value : String(num) });
  return null;
}

/** A stored rule as the form: its conditions as rows when the form can show them, else kept whole. */
export function draftOf(rule: { name: string; tags: string[]; removeTags: string[]; when?: unknown }): Draft {
  const when = rule.when as Condition;
  const base = { name: rule.name, tags: rule.tags.join(' '), removeTags: rule.removeTags.join(' ') };
  const group = 'all' in when ? { mode: 'all' as const, parts: when.all } : 'any' in when ? { mode: 'any' as const, parts: when.any } : { mode: 'all' as const, parts: [when] };
  const rows = group.parts.map(leafRow);
  if (rows.every((r): r is Row => r !== null)) return { ...base, mode: group.mode, rows, fixedWhen: null };
  return { ...base, mode: 'all', rows: [], fixedWhen: when };
}
