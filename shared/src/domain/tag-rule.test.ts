import { AppError } from './errors';
import { parseInput } from './validation';
import { MAX_CONDITIONS, MAX_DEPTH, TagRuleInput } from './tag-rule';

const leaf = { field: 'totalSpentFen', op: '>=', value: 100_000 };
const rule = (when: unknown, extra: object = {}) => ({ name: 'VIP', tags: ['VIP'], when, ...extra });

/** The refusal's code and the paths it names. */
function refusal(raw: unknown): { code: string; paths: string[]; message: string } {
  try {
    parseInput(TagRuleInput, raw);
  } catch (err) {
    const e = err as AppError;
    return { code: e.code, paths: (e.details as { path: string }[]).map((d) => d.path), message: e.message };
  }
  throw new Error('accepted');
}

/** {all:[{all:[… leaf]}]} with `levels` levels in all, the leaf counted. */
function nested(levels: number): unknown {
  let c: unknown = leaf;
  for (let i = 1; i < levels; i++) c = { all: [c] };
  return c;
}

describe('tag rule shape', () => {
  it('accepts the issue shape: all / any / not over every field', () => {
    const when = {
      all: [
        leaf,
        { any: [{ field: 'orderCount', op: 'in', value: [2, 3] }, { not: { field: 'daysSinceLastOrder', op: '<=', value: 30 } }] },
        { field: 'keyword', op: 'contains', value: { words: ['大码'], withinDays: 30 } },
        { field: 'categoryBought', op: 'contains', value: '果茶' },
        { field: 'source', op: '=', value: 'counter-card' },
        { field: 'birthdayMonth', op: '=', value: 'current' },
        { field: 'storeId', op: 'in', value: ['s1', 's2'] },
        { field: 'repliedToCampaign', op: '=', value: false },
        { field: 'daysSinceAdded', op: '!=', value: 0 },
      ],
    };
    expect(parseInput(TagRuleInput, rule(when, { removeTags: ['普通'] }))).toEqual(rule(when, { removeTags: ['普通'] }));
  });

  it('names an unknown field', () => {
    const r = refusal(rule({ all: [leaf, { field: 'age', op: '>=', value: 18 }] }));
    expect(r).toMatchObject({ code: 'INPUT.INVALID', paths: ['when.all.1.field'] });
    expect(r.message).toContain('age');
  });

  it('names a value of the wrong type for its field, and an op the field does not take', () => {
    expect(refusal(rule({ field: 'totalSpentFen', op: '>=', value: '1000' })).paths).toEqual(['when.value']);
    expect(refusal(rule({ field: 'birthdayMonth', op: '=', value: 13 })).paths).toEqual(['when.value']);
    expect(refusal(rule({ any: [{ field: 'repliedToCampaign', op: '=', value: 'yes' }] })).paths).toEqual(['when.any.0.value']);
    expect(refusal(rule({ field: 'orderCount', op: 'contains', value: 3 })).paths).toEqual(['when.op']);
    expect(refusal(rule({ field: 'keyword', op: 'contains', value: { words: [], withinDays: 400 } })).paths).toEqual(['when.value.words', 'when.value.withinDays']);
    expect(refusal(rule({ field: 'orderCount', op: 'in', value: [] })).paths).toEqual(['when.value']);
  });

  it(`refuses a tree deeper than ${MAX_DEPTH} levels, at the level that is too deep`, () => {
    expect(() => parseInput(TagRuleInput, rule(nested(MAX_DEPTH)))).not.toThrow();
    const r = refusal(rule(nested(MAX_DEPTH + 1)));
    expect(r.code).toBe('INPUT.INVALID');
    expect(r.paths).toEqual([`when${'.all.0'.repeat(MAX_DEPTH)}`]);
    expect(r.message).toContain('最多 5 层');
  });

  it(`refuses more than ${MAX_CONDITIONS} conditions`, () => {
    expect(() => parseInput(TagRuleInput, rule({ any: Array.from({ length: MAX_CONDITIONS }, () => leaf) }))).not.toThrow();
    const r = refusal(rule({ any: Array.from({ length: MAX_CONDITIONS + 1 }, () => leaf) }));
    expect(r).toMatchObject({ code: 'INPUT.INVALID', paths: ['when'] });
    expect(r.message).toContain('最多 50 个');
  });

  it('refuses malformed nodes and rules without tags', () => {
    expect(refusal(rule({ all: [] })).paths).toEqual(['when.all']);
    expect(refusal(rule({ all: [leaf], any: [leaf] })).paths).toEqual(['when']);
    expect(refusal(rule({ ...leaf, extra: 1 })).paths).toEqual(['when.extra']);
    expect(refusal(rule([leaf])).paths).toEqual(['when']);
    expect(refusal({ name: 'x', tags: [], when: leaf }).paths).toEqual(['tags']);
    expect(refusal({ name: 'x', tags: ['一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一'], when: leaf }).paths).toEqual(['tags.0']);
    // a rule that only takes a tag off is fine
    expect(() => parseInput(TagRuleInput, { name: 'x', tags: [], removeTags: ['本月生日'], when: leaf })).not.toThrow();
  });
});
