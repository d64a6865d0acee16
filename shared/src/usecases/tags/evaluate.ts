import type { Customer } from '../../domain/customer';
import type { Condition, KeywordValue, Leaf, TagRule } from '../../domain/tag-rule';
import type { CustomerFacts } from '../../ports/storage';

/**
 * The pure side of tag rules: a condition tree compiled once into a predicate over a customer's
 * "facts", and the tag changes a set of rules makes. No I/O: the nightly batch runs 20 rules over
 * 100k customers with it, and an event runs it for one customer.
 *
 * A fact that is missing (no order yet, no birthday, no store) makes every comparison on it false,
 * `!=` included: "not ordered in 30 days" does not match someone who never ordered (write
 * `{"not":…}` to say that). `repliedToCampaign`: they answered a campaign or follow-up within 7 days of getting it.
 */

const DAY = 86_400_000;

/** One customer's text message, lower-cased (the keyword index keeps them: words.ts). */
export interface TextAt {
  at: number;
  text: string;
}

export interface TagFacts {
  totalSpentFen: number;
  orderCount: number;
  lastOrderAt?: number;
  createdAt: number;
  categories: readonly string[];
  source: string;
  sourceState?: string;
  birthdayMonth?: number;
  storeId?: string;
  repliedToCampaign: boolean;
  /** Recent texts, newest last; only read by keyword conditions. */
  texts: readonly TextAt[];
}

/** When the rules run: `month` is the merchant-local month (1–12) of `now`, for `"current"`. */
export interface EvalTime {
  now: number;
  month: number;
}

export type Predicate = (f: TagFacts, t: EvalTime) => boolean;

const NONE: readonly never[] = [];

/** The facts rules compare, from a whole customer (events) or storage's rule facts (batches); absent ones stay undefined. */
export function factsOf(c: Customer | CustomerFacts, texts: readonly TextAt[] = NONE): TagFacts {
  return fillFacts(blankFacts(), c, texts);
}

export const blankFacts = (): TagFacts => ({
  totalSpentFen: 0,
  orderCount: 0,
  lastOrderAt: undefined,
  createdAt: 0,
  categories: NONE,
  source: '',
  sourceState: undefined,
  birthdayMonth: undefined,
  storeId: undefined,
  repliedToCampaign: false,
  texts: NONE,
});

/** `factsOf` into an existing object: a batch refills one for every customer (predicates keep no reference to it). */
export function fillFacts(into: TagFacts, c: Customer | CustomerFacts, texts: readonly TextAt[] = NONE): TagFacts {
  into.totalSpentFen = c.totalSpentFen;
  into.orderCount = c.orderCount;
  into.lastOrderAt = c.lastOrderAt;
  into.createdAt = c.createdAt;
  into.categories = c.categories ?? NONE;
  into.source = c.source;
  // an empty State or store is none
  into.sourceState = c.sourceState || undefined;
  into.birthdayMonth = (c as CustomerFacts).birthdayMonth ?? (c as Customer).birthday?.month;
  into.storeId = c.storeId || undefined;
  into.repliedToCampaign = c.campaignReplyAt !== undefined;
  into.texts = texts;
  return into;
}

const daysSince = (t: number | undefined, now: number) => (t === undefined ? undefined : Math.floor((now - t) / DAY));

function compare(op: Leaf['op'], value: Leaf['value']): (x: number | undefined) => boolean {
  const v = value as number;
  switch (op) {
    case '>=':
      return (x) => x !== undefined && x >= v;
    case '<=':
      return (x) => x !== undefined && x <= v;
    case '=':
      return (x) => x === v;
    case '!=':
      return (x) => x !== undefined && x !== v;
    default: {
      const set = new Set(value as number[]);
      return (x) => x !== undefined && set.has(x);
    }
  }
}

/** Text fields: a value names one item; `contains` is a substring of it. */
function textTest(op: Leaf['op'], value: Leaf['value']): (items: readonly string[]) => boolean {
  if (op === 'in') {
    const set = new Set(value as string[]);
    return (items) => items.some((i) => set.has(i));
  }
  const v = value as string;
  if (op === 'contains') return (items) => items.some((i) => i.includes(v));
  if (op === '!=') return (items) => items.length > 0 && !items.includes(v);
  return (items) => items.includes(v);
}

function keywordTest(value: KeywordValue): Predicate {
  const words = value.words.map((w) => w.trim().toLowerCase()).filter(Boolean);
  const span = value.withinDays * DAY;
  return (f, t) => {
    const since = t.now - span;
    // newest last: walk back until the window ends
    for (let i = f.texts.length - 1; i >= 0; i--) {
      const m = f.texts[i]!;
      if (m.at < since) break;
      for (const w of words) if (m.text.includes(w)) return true;
    }
    return false;
  };
}

function leaf(c: Leaf): Predicate {
  switch (c.field) {
    case 'totalSpentFen': {
      const test = compare(c.op, c.value);
      return (f) => test(f.totalSpentFen);
    }
    case 'orderCount': {
      const test = compare(c.op, c.value);
      return (f) => test(f.orderCount);
    }
    case 'daysSinceLastOrder': {
      const test = compare(c.op, c.value);
      return (f, t) => test(daysSince(f.lastOrderAt, t.now));
    }
    case 'daysSinceAdded': {
      const test = compare(c.op, c.value);
      return (f, t) => test(daysSince(f.createdAt, t.now));
    }
    case 'keyword':
      return keywordTest(c.value as KeywordValue);
    case 'categoryBought': {
      const test = textTest(c.op, c.value);
      return (f) => test(f.categories);
    }
    case 'source': {
      // the product's source code (kf, qr, …) or the contact way's State, kept verbatim
      const test = textTest(c.op, c.value);
      return (f) => test(f.sourceState ? [f.source, f.sourceState] : [f.source]);
    }
    case 'storeId': {
      const test = textTest(c.op, c.value);
      return (f) => test(f.storeId ? [f.storeId] : []);
    }
    case 'birthdayMonth': {
      const list = (Array.isArray(c.value) ? c.value : [c.value]) as (number | 'current')[];
      const hit = (m: number, t: EvalTime) => list.some((x) => (x === 'current' ? t.month : x) === m);
      return c.op === '!=' ? (f, t) => f.birthdayMonth !== undefined && !hit(f.birthdayMonth, t) : (f, t) => f.birthdayMonth !== undefined && hit(f.birthdayMonth, t);
    }
    case 'repliedToCampaign':
      return c.op === '=' ? (f) => f.repliedToCampaign === c.value : (f) => f.repliedToCampaign !== c.value;
  }
}

export function compile(c: Condition): Predicate {
  if ('all' in c) {
    const ps = c.all.map(compile);
    return (f, t) => ps.every((p) => p(f, t));
  }
  if ('any' in c) {
    const ps = c.any.map(compile);
    return (f, t) => ps.some((p) => p(f, t));
  }
  if ('not' in c) {
    const p = compile(c.not);
    return (f, t) => !p(f, t);
  }
  return leaf(c);
}

export interface CompiledRule {
  id: string;
  tags: readonly string[];
  removeTags: readonly string[];
  test: Predicate;
}

export const compileRule = (r: Pick<TagRule, 'id' | 'tags' | 'removeTags' | 'when'>): CompiledRule => ({
  id: r.id,
  tags: r.tags,
  removeTags: r.removeTags ?? [],
  test: compile(r.when),
});

/** Rules that matched in the current `tagChanges` call (it is synchronous: one array serves every call). */
const matched: CompiledRule[] = [];

/**
 * What the matching rules change on a customer's tags, null for nothing: every tag a matching
 * rule adds that the customer lacks, and every tag they have that a matching rule removes and
 * none adds — an add wins over a remove, whatever the rules' order. Applied to its own result it
 * changes nothing (the same facts): a customer gains or loses a tag once. Allocates nothing when
 * nothing changes (the nightly batch's usual case, 100k times).
 */
export function tagChanges(current: readonly string[], rules: readonly CompiledRule[], f: TagFacts, t: EvalTime): { added: string[]; removed: string[] } | null {
  matched.length = 0;
  for (const r of rules) if (r.test(f, t)) matched.push(r);
  if (!matched.length) return null;
  let added: string[] | null = null;
  let removes = false;
  for (const r of matched) {
    for (const x of r.tags) if (!current.includes(x) && !added?.includes(x)) (added ??= []).push(x);
    if (r.removeTags.length) removes = true;
  }
  let removed: string[] | null = null;
  if (removes) {
    for (const x of current) if (matched.some((r) => r.removeTags.includes(x)) && !matched.some((r) => r.tags.includes(x))) (removed ??= []).push(x);
  }
  matched.length = 0;
  return added || removed ? { added: added ?? [], removed: removed ?? [] } : null;
}

export interface TagPlan {
  tags: string[];
  added: string[];
  removed: string[];
}

/** `tagChanges` with the tags the customer ends up with. */
export function planTags(current: readonly string[], rules: readonly CompiledRule[], f: TagFacts, t: EvalTime): TagPlan {
  const change = tagChanges(current, rules, f, t);
  if (!change) return { tags: [...current], added: [], removed: [] };
  const gone = new Set(change.removed);
  return { tags: [...current.filter((x) => !gone.has(x)), ...change.added], ...change };
}

const monthFormats = new Map<string, Intl.DateTimeFormat>();

/** The merchant-local month (1–12) of an instant (a formatter per zone, kept: making one costs more than the rules). */
export function monthIn(now: number, timeZone: string): number {
  let f = monthFormats.get(timeZone);
  if (!f) monthFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, month: 'numeric' })));
  return Number(f.format(new Date(now)));
}
