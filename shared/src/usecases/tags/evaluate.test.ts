import type { Customer } from '../../domain/customer';
import { TagRuleInput, type Condition } from '../../domain/tag-rule';
import { compile, compileRule, factsOf, monthIn, planTags, type TagFacts } from './evaluate';
import { findTemplate, INDUSTRIES, templatesFor } from './templates';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 22, 4);
const T = { now: NOW, month: 11 };

function customer(over: Partial<Customer> = {}): Customer {
  return {
    merchantId: 'm',
    externalUserId: 'wm1',
    name: '',
    source: 'qr',
    tags: [],
    totalSpentFen: 0,
    orderCount: 0,
    lost: false,
    createdAt: NOW - 100 * DAY,
    updatedAt: NOW,
    ...over,
  };
}
const test = (c: Condition, f: TagFacts) => compile(c)(f, T);

describe('evaluating conditions', () => {
  it('compares numbers and days, a missing fact never matching', () => {
    const f = factsOf(customer({ totalSpentFen: 100_000, orderCount: 3, lastOrderAt: NOW - 20 * DAY }));
    expect(test({ field: 'totalSpentFen', op: '>=', value: 100_000 }, f)).toBe(true);
    expect(test({ field: 'totalSpentFen', op: '>=', value: 100_001 }, f)).toBe(false);
    expect(test({ field: 'orderCount', op: 'in', value: [1, 3] }, f)).toBe(true);
    expect(test({ field: 'daysSinceLastOrder', op: '>=', value: 20 }, f)).toBe(true);
    expect(test({ field: 'daysSinceLastOrder', op: '>=', value: 21 }, f)).toBe(false);
    expect(test({ field: 'daysSinceAdded', op: '=', value: 100 }, f)).toBe(true);
    const never = factsOf(customer());
    // "not ordered within 30 days" is not said of someone who never ordered, unless written with not
    expect(test({ field: 'daysSinceLastOrder', op: '>=', value: 30 }, never)).toBe(false);
    expect(test({ field: 'daysSinceLastOrder', op: '!=', value: 1 }, never)).toBe(false);
    expect(test({ not: { field: 'daysSinceLastOrder', op: '<=', value: 30 } }, never)).toBe(true);
  });

  it('reads text fields, source as code or State, birthday month and campaigns', () => {
    const f = factsOf(customer({ categories: ['鲜果茶', '奶茶'], sourceState: 'counter-card', birthday: { month: 11, day: 3 }, storeId: 's1' }));
    expect(test({ field: 'categoryBought', op: '=', value: '奶茶' }, f)).toBe(true);
    expect(test({ field: 'categoryBought', op: 'contains', value: '果' }, f)).toBe(true);
    expect(test({ field: 'categoryBought', op: '!=', value: '咖啡' }, f)).toBe(true);
    expect(test({ field: 'source', op: '=', value: 'qr' }, f)).toBe(true);
    expect(test({ field: 'source', op: 'in', value: ['counter-card'] }, f)).toBe(true);
    expect(test({ field: 'storeId', op: '!=', value: 's1' }, f)).toBe(false);
    expect(test({ field: 'birthdayMonth', op: '=', value: 'current' }, f)).toBe(true);
    expect(compile({ field: 'birthdayMonth', op: '=', value: 'current' })(f, { ...T, month: 12 })).toBe(false);
    expect(test({ field: 'birthdayMonth', op: '!=', value: 11 }, factsOf(customer()))).toBe(false);
    expect(test({ field: 'repliedToCampaign', op: '=', value: false }, f)).toBe(true);
  });

  it('finds keywords only within the window, case-insensitively', () => {
    const texts = [
      { at: NOW - 40 * DAY, text: '有大码吗' },
      { at: NOW - 2 * DAY, text: 'xxl 有货吗' },
    ];
    const f = factsOf(customer(), texts);
    expect(test({ field: 'keyword', op: 'contains', value: { words: ['大码'], withinDays: 30 } }, f)).toBe(false);
    expect(test({ field: 'keyword', op: 'contains', value: { words: ['大码'], withinDays: 60 } }, f)).toBe(true);
    expect(test({ field: 'keyword', op: 'contains', value: { words: ['XXL'], withinDays: 7 } }, f)).toBe(true);
  });

  it('takes the merchant-local month', () => {
    // 2026-11-30 17:00 UTC is already December 1st in Shanghai
    expect(monthIn(Date.UTC(2026, 10, 30, 17), 'Asia/Shanghai')).toBe(12);
    expect(monthIn(Date.UTC(2026, 10, 30, 17), 'UTC')).toBe(11);
  });
});

describe('planning tag changes', () => {
  const vip = compileRule({ id: 'vip', tags: ['VIP'], removeTags: ['普通'], when: { field: 'totalSpentFen', op: '>=', value: 100_000 } });
  const plain = compileRule({ id: 'plain', tags: ['普通'], removeTags: ['VIP'], when: { field: 'totalSpentFen', op: '<=', value: 99_999 } });

  it('adds and removes once: the plan applied to its own result changes nothing', () => {
    const f = factsOf(customer({ totalSpentFen: 120_000 }));
    const first = planTags(['普通', '会员'], [vip, plain], f, T);
    expect(first).toEqual({ tags: ['会员', 'VIP'], added: ['VIP'], removed: ['普通'] });
    expect(planTags(first.tags, [vip, plain], f, T)).toEqual({ tags: ['会员', 'VIP'], added: [], removed: [] });
  });

  it('lets an add win over a remove, whatever the order of the rules', () => {
    const other = compileRule({ id: 'x', tags: ['普通'], when: { field: 'orderCount', op: '>=', value: 0 } });
    const f = factsOf(customer({ totalSpentFen: 120_000 }));
    expect(planTags(['普通'], [vip, other], f, T).tags.sort()).toEqual(['VIP', '普通']);
    expect(planTags(['普通'], [other, vip], f, T).tags.sort()).toEqual(['VIP', '普通']);
  });
});

describe('templates', () => {
  it('are valid rules, per industry', () => {
    for (const ind of INDUSTRIES) {
      const ts = templatesFor(ind);
      expect(ts.map((t) => t.key)).toEqual(['spend', 'frequency', 'keywords', 'birthday']);
      for (const t of ts) for (const r of t.rules) expect(TagRuleInput.safeParse(r).success).toBe(true);
    }
    expect(findTemplate('milktea:spend')?.description).toContain('¥1000');
    expect(findTemplate('nope:spend')).toBeNull();
  });

  it('put every buyer on exactly one spend tier and every customer on at most one frequency tag', () => {
    for (const ind of INDUSTRIES) {
      const spend = findTemplate(`${ind}:spend`)!.rules.map((r, i) => compileRule({ ...r, id: `${i}` }));
      const freq = findTemplate(`${ind}:frequency`)!.rules.map((r, i) => compileRule({ ...r, id: `${i}` }));
      for (const fen of [100, 99_999, 100_000, 299_999, 300_000, 500_000, 2_000_000, 5_000_000]) {
        const tags = planTags([], spend, factsOf(customer({ totalSpentFen: fen, orderCount: 1 })), T).tags;
        expect(tags).toHaveLength(1);
      }
      for (const added of [1, 10, 50, 200])
        for (const last of [undefined, 1, 13, 40, 100])
          for (const orders of [0, 1, 2, 5]) {
            const c = customer({ createdAt: NOW - added * DAY, orderCount: last === undefined ? 0 : orders, ...(last === undefined ? {} : { lastOrderAt: NOW - last * DAY }) });
            expect(planTags([], freq, factsOf(c), T).tags.length).toBeLessThanOrEqual(1);
          }
    }
  });
});
