import { invalid } from './errors';

/**
 * A campaign's audience as data (issue 16 §1): `A` = a tag name | `{"all":[A…]}` | `{"any":[A…]}`
 * | `{"not":A}`. The CLI, the api and the stored campaign take this one shape. Checked by hand, as
 * tag rules are, so a bad part is named by its path (`audience.all.1`) in words an owner can read.
 */
export type Audience = string | { all: Audience[] } | { any: Audience[] } | { not: Audience };

export const MAX_AUDIENCE_DEPTH = 5;
export const MAX_AUDIENCE_TAGS = 30;
const TAG_CHARS = 30;

/** The expression, checked; INPUT.INVALID naming the part otherwise. */
export function parseAudience(raw: unknown, path = 'audience'): Audience {
  let tags = 0;
  const walk = (x: unknown, at: string, depth: number): Audience => {
    if (depth > MAX_AUDIENCE_DEPTH) throw invalid(`人群条件最多套 ${MAX_AUDIENCE_DEPTH} 层`, [{ path: at }]);
    if (typeof x === 'string') {
      const tag = x.trim();
      if (!tag || tag.length > TAG_CHARS) throw invalid(`标签名要 1–${TAG_CHARS} 个字`, [{ path: at }]);
      if (++tags > MAX_AUDIENCE_TAGS) throw invalid(`人群条件最多用 ${MAX_AUDIENCE_TAGS} 个标签`, [{ path: at }]);
      return tag;
    }
    if (!x || typeof x !== 'object' || Array.isArray(x)) throw invalid('人群条件要么是一个标签名，要么是 all / any / not', [{ path: at }]);
    const keys = Object.keys(x);
    const key = keys[0];
    if (keys.length !== 1 || (key !== 'all' && key !== 'any' && key !== 'not')) throw invalid('人群条件只认 all（都有）、any（有一个）、not（没有）', [{ path: at }]);
    const v = (x as Record<string, unknown>)[key];
    if (key === 'not') return { not: walk(v, `${at}.not`, depth + 1) };
    if (!Array.isArray(v) || v.length === 0) throw invalid(`${key} 后面要跟至少一个条件`, [{ path: `${at}.${key}` }]);
    const parts = v.map((p, i) => walk(p, `${at}.${key}.${i}`, depth + 1));
    return key === 'all' ? { all: parts } : { any: parts };
  };
  return walk(raw, path, 1);
}

/** Whether a customer with these tags is in the audience. */
export function inAudience(a: Audience, tags: ReadonlySet<string>): boolean {
  if (typeof a === 'string') return tags.has(a);
  if ('all' in a) return a.all.every((p) => inAudience(p, tags));
  if ('any' in a) return a.any.some((p) => inAudience(p, tags));
  return !inAudience(a.not, tags);
}

/** The audience in the owner's words: 有「VIP」且没有「沉睡」. */
export function audienceText(a: Audience): string {
  const part = (x: Audience, top: boolean): string => {
    if (typeof x === 'string') return `有「${x}」`;
    if ('not' in x) return typeof x.not === 'string' ? `没有「${x.not}」` : `不是（${part(x.not, true)}）`;
    const joined = ('all' in x ? x.all : x.any).map((p) => part(p, false)).join('all' in x ? '且' : '或');
    return top || ('all' in x ? x.all : x.any).length === 1 ? joined : `（${joined}）`;
  };
  return part(a, true);
}
