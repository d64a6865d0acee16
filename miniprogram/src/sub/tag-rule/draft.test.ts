import { buildRule, draftOf, emptyDraft, newRow, refusalText, rowText, splitTags, type Draft, type Row } from './draft';

const row = (kind: Row['kind'], over: Partial<Row> = {}): Row => ({ ...newRow(kind), ...over });
const draft = (over: Partial<Draft>): Draft => ({ ...emptyDraft(), name: 'VIP', tags: 'VIP', ...over });

describe('the rule builder form → the rule JSON the api accepts', () => {
  it('one condition is the leaf itself, yuan turned into fen', () => {
    const built = buildRule(draft({ rows: [row('spend', { amount: '1000' })], removeTags: '普通' }));
    expect(built).toEqual({ ok: true, rule: { name: 'VIP', tags: ['VIP'], removeTags: ['普通'], when: { field: 'totalSpentFen', op: '>=', value: 100000 } } });
  });

  it('several conditions join with all or any; a turned-around one is wrapped in not', () => {
    const rows = [
      row('noOrderFor', { amount: '30' }),
      row('keyword', { text: '大码， 加大 大码', days: '7' }),
      row('orders', { op: '<=', amount: '2', negate: true }),
      row('birthday', { pick: 'current' }),
      row('birthday', { pick: '5' }),
      row('source', { pick: 'contact_way' }),
      row('category', { text: ' 果茶 ' }),
      row('orderedWithin', { amount: '14' }),
      row('addedOver', { amount: '60' }),
      row('addedWithin', { amount: '7' }),
      row('spend', { op: '<=', amount: '2999.99' }),
    ];
    const built = buildRule(draft({ name: ' 沉睡 ', tags: '沉睡 爱买大码、沉睡', mode: 'any', rows }));
    expect(built).toEqual({
      ok: true,
      rule: {
        name: '沉睡',
        tags: ['沉睡', '爱买大码'],
        when: {
          any: [
            { field: 'daysSinceLastOrder', op: '>=', value: 30 },
            { field: 'keyword', op: 'contains', value: { words: ['大码', '加大'], withinDays: 7 } },
            { not: { field: 'orderCount', op: '<=', value: 2 } },
            { field: 'birthdayMonth', op: '=', value: 'current' },
            { field: 'birthdayMonth', op: '=', value: 5 },
            { field: 'source', op: '=', value: 'contact_way' },
            { field: 'categoryBought', op: '=', value: '果茶' },
            { field: 'daysSinceLastOrder', op: '<=', value: 14 },
            { field: 'daysSinceAdded', op: '>=', value: 60 },
            { field: 'daysSinceAdded', op: '<=', value: 7 },
            { field: 'totalSpentFen', op: '<=', value: 299999 },
          ],
        },
      },
    });
  });

  it('says what is missing, condition by condition, in words', () => {
    const built = buildRule(draft({ name: '', tags: '', rows: [row('spend', { amount: '' }), row('keyword', { text: '大码', days: '120' }), row('orders', { amount: '1.5' })] }));
    expect(built).toEqual({
      ok: false,
      problems: ['第 1 个条件：要填金额，比如 1000', '第 2 个条件：最近几天要填 1 到 90', '第 3 个条件：要填几次（整数）', '规则要有名字', '至少要打上或去掉一个标签'],
    });
    expect(buildRule(draft({ rows: [] }))).toEqual({ ok: false, problems: ['至少要有一个条件'] });
  });

  it("checks the whole rule with the api's own schema and names the part", () => {
    const built = buildRule(draft({ tags: '这是一个特别特别特别特别特别特别特别特别长的标签名字超过三十个字了', rows: [row('spend', { amount: '1' })] }));
    expect(built).toEqual({ ok: false, problems: ['要打上的标签：标签名最多 30 个字'] });
  });

  it('shows each row as a sentence, or nothing while it is not filled in', () => {
    expect(rowText(row('spend', { amount: '1000' }))).toBe('累计消费 ≥ ¥1000');
    expect(rowText(row('noOrderFor', { amount: '30' }))).toBe('超过 30 天没下单');
    expect(rowText(row('keyword', { text: '大码', days: '7' }))).toBe('最近 7 天说过「大码」');
    expect(rowText(row('orderedWithin', { amount: '14', negate: true }))).toBe('不满足「最近 14 天内下过单」');
    expect(rowText(row('spend', { amount: 'abc' }))).toBeNull();
  });

  it('splits typed tags on spaces, commas and 、, each once', () => {
    expect(splitTags(' VIP，老客、VIP  会员,新客 ')).toEqual(['VIP', '老客', '会员', '新客']);
  });
});

describe("the api's refusal, in words", () => {
  it('names the condition a path points at', () => {
    expect(refusalText('输入有误：rule.when.all.1.value 累计消费要填 0 或正整数（金额按分）')).toBe('第 2 个条件：累计消费要填 0 或正整数（金额按分）');
    expect(refusalText('输入有误：rule.when.any.0.not.op 下单次数只能用 >= <= = != in 比较')).toBe('第 1 个条件：下单次数只能用 >= <= = != in 比较');
    expect(refusalText('输入有误：rule.when.field 没有 x 这种条件')).toBe('第 1 个条件：没有 x 这种条件');
    expect(refusalText('输入有误：rule.name 规则要有名字')).toBe('规则名字：规则要有名字');
    expect(refusalText('输入有误：rule.removeTags.0 标签名不能是空的')).toBe('要去掉的标签：标签名不能是空的');
    // a tree the form keeps whole: the form has no numbered rows to point at
    expect(refusalText('输入有误：rule.when.all.0.any.1.value 加好友天数要填 0 或正整数', true)).toBe('条件：加好友天数要填 0 或正整数');
    expect(refusalText('一家店最多 50 条标签规则，先删掉不用的')).toBe('一家店最多 50 条标签规则，先删掉不用的');
  });
});

describe('a stored rule opened in the form', () => {
  it('a flat tree becomes rows, and builds back to the same JSON', () => {
    const stored = {
      name: 'VIP：累计消费满¥1000',
      tags: ['VIP'],
      removeTags: ['普通', '超级VIP'],
      when: {
        all: [
          { field: 'totalSpentFen', op: '>=', value: 100000 },
          { field: 'totalSpentFen', op: '<=', value: 299999 },
          { not: { field: 'daysSinceLastOrder', op: '>=', value: 60 } },
        ],
      },
    };
    const d = draftOf(stored);
    expect(d.fixedWhen).toBeNull();
    expect(d.rows.map(rowText)).toEqual(['累计消费 ≥ ¥1000', '累计消费 ≤ ¥2999.99', '不满足「超过 60 天没下单」']);
    expect(buildRule(d)).toEqual({ ok: true, rule: stored });
  });

  it('a nested tree is kept whole: name and tags still change', () => {
    const when = {
      all: [
        { field: 'orderCount', op: '<=', value: 1 },
        {
          any: [
            { field: 'daysSinceAdded', op: '<=', value: 14 },
            { field: 'daysSinceLastOrder', op: '<=', value: 14 },
          ],
        },
      ],
    };
    const d = draftOf({ name: '新客', tags: ['新客'], removeTags: [], when });
    expect(d.rows).toEqual([]);
    expect(d.fixedWhen).toEqual(when);
    expect(buildRule({ ...d, tags: '新朋友' })).toEqual({ ok: true, rule: { name: '新客', tags: ['新朋友'], when } });
  });
});
