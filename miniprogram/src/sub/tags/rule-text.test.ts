import { ConditionSchema, TAG_FIELDS, TAG_OPS, type Condition, type Leaf } from '@xiaoer/shared/domain/tag-rule';
import { conditionText, leafText, tagChangeText, yuan } from './rule-text';

const leaf = (field: Leaf['field'], op: Leaf['op'], value: Leaf['value']): Leaf => ({ field, op, value });

/** What an owner must not read in a condition: field names, operator codes, programming values. */
const JARGON = /[a-z]{3,}|>=|<=|!=|undefined|null|NaN/i;

describe('tag-rule conditions in plain Chinese', () => {
  it('says each kind of condition the way an owner would', () => {
    expect(leafText(leaf('totalSpentFen', '>=', 100000))).toBe('累计消费 ≥ ¥1000');
    expect(leafText(leaf('totalSpentFen', '<=', 299999))).toBe('累计消费 ≤ ¥2999.99');
    expect(leafText(leaf('orderCount', '>=', 2))).toBe('下单次数 ≥ 2 次');
    expect(leafText(leaf('orderCount', '=', 0))).toBe('还没下过单');
    expect(leafText(leaf('daysSinceLastOrder', '>=', 30))).toBe('超过 30 天没下单');
    expect(leafText(leaf('daysSinceLastOrder', '<=', 14))).toBe('最近 14 天内下过单');
    expect(leafText(leaf('daysSinceAdded', '>=', 60))).toBe('加好友超过 60 天');
    expect(leafText(leaf('daysSinceAdded', '<=', 7))).toBe('最近 7 天内加的好友');
    expect(leafText(leaf('keyword', 'contains', { words: ['大码'], withinDays: 7 }))).toBe('最近 7 天说过「大码」');
    expect(leafText(leaf('keyword', 'contains', { words: ['会员卡', '充值'], withinDays: 90 }))).toBe('最近 90 天说过「会员卡」或「充值」');
    expect(leafText(leaf('categoryBought', '=', '果茶'))).toBe('买过「果茶」');
    expect(leafText(leaf('source', '=', 'campaign'))).toBe('来源是活动');
    expect(leafText(leaf('source', 'in', ['kf', 'contact_way']))).toBe('来源是微信客服或渠道活码');
    expect(leafText(leaf('source', '=', '门店收银台'))).toBe('来源是渠道「门店收银台」');
    expect(leafText(leaf('birthdayMonth', '=', 'current'))).toBe('本月生日');
    expect(leafText(leaf('birthdayMonth', 'in', [3, 4]))).toBe('3 月、4 月生日');
    expect(leafText(leaf('birthdayMonth', '!=', 'current'))).toBe('生日不在本月');
    expect(leafText(leaf('repliedToCampaign', '=', true))).toBe('回复过活动');
    expect(leafText(leaf('repliedToCampaign', '!=', true))).toBe('没回复过活动');
  });

  it('joins groups with 并且 / 或者 and says NOT as 不满足, brackets for groups inside groups', () => {
    const when: Condition = {
      all: [leaf('daysSinceAdded', '>=', 15), { not: leaf('daysSinceLastOrder', '<=', 14) }, { any: [leaf('orderCount', '>=', 2), leaf('totalSpentFen', '>=', 50000)] }],
    };
    expect(conditionText(when)).toBe('加好友超过 15 天，并且不满足「最近 14 天内下过单」，并且（下单次数 ≥ 2 次，或者累计消费 ≥ ¥500）');
    expect(conditionText({ not: { any: [leaf('orderCount', '>=', 1)] } })).toBe('不满足下单次数 ≥ 1 次');
  });

  it('never shows a field name or an operator code, for every field and op the api accepts', () => {
    const values: Leaf['value'][] = [
      3,
      0,
      [1, 2],
      'current',
      '果茶',
      '门店收银台',
      ['果茶', '花茶'],
      ['kf', 'qr'],
      'referral',
      'search',
      'import',
      'other',
      true,
      false,
      { words: ['大码'], withinDays: 30 },
    ];
    let accepted = 0;
    for (const field of TAG_FIELDS)
      for (const op of TAG_OPS)
        for (const value of values) {
          const c = leaf(field, op, value);
          if (!ConditionSchema.safeParse(c).success) continue;
          accepted++;
          const text = leafText(c);
          // what the owner typed (a tag, a word, a channel's name) is quoted as written
          const ours = text.replace(/「[^」]*」/g, '');
          expect({ c, text, jargon: JARGON.test(ours) }).toEqual({ c, text, jargon: false });
        }
    // every field was tried with something it takes
    expect(accepted).toBeGreaterThan(TAG_FIELDS.length * 2);
  });

  it('money reads as yuan, cents only when there are any', () => {
    expect(yuan(100000)).toBe('¥1000');
    expect(yuan(12345)).toBe('¥123.45');
    expect(yuan(0)).toBe('¥0');
  });

  it('what a rule does to the tags', () => {
    expect(tagChangeText(['VIP'], ['普通', '超级VIP'])).toBe('打上「VIP」，去掉「普通」「超级VIP」');
    expect(tagChangeText([], ['本月生日'])).toBe('去掉「本月生日」');
  });
});
