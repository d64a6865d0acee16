import { checkSuggestions, numbersIn } from './monthly-prompt';

const input = '营业额比上月少 20%；订单 1,032 笔，AI 回答率 75%，平均等 2.5 小时';
const reply = (...s: string[]) => JSON.stringify({ suggestions: s });
const A = '周末做一次限时优惠，用企业微信告诉老客户。';
const B = '把 AI 没答上来的问题补进知识库里。';

describe('the model-written monthly suggestions check', () => {
  it('reads numbers the way they compare: full-width digits, thousands commas, trailing zeros', () => {
    expect([...numbersIn('２０% 和 1,032 笔，2.50 小时')]).toEqual(['20', '1032', '2.5']);
  });

  it('accepts numbers that were in the input, in any of their written forms', () => {
    expect(checkSuggestions(reply('订单 1032 笔，营业额少了２０%，周末做个优惠。', A, B), input)).toEqual({
      ok: true,
      suggestions: ['订单 1032 笔，营业额少了２０%，周末做个优惠。', A, B],
    });
  });

  it('refuses a number the input did not have, even a plausible one', () => {
    expect(checkSuggestions(reply('AI 回答率 75%，争取下个月到 80%。', A, B), input)).toMatchObject({ ok: false, why: 'invented_numbers', detail: '80' });
  });

  it('refuses duplicates, blank items and line breaks', () => {
    expect(checkSuggestions(reply(A, A, B), input)).toMatchObject({ ok: false, why: 'invalid' });
    expect(checkSuggestions(reply(A, '  ', B), input)).toMatchObject({ ok: false, why: 'invalid' });
    expect(checkSuggestions(reply(A, `${B}\n再补一句。`, B.slice(1)), input)).toMatchObject({ ok: false, why: 'invalid' });
  });

  it('refuses markdown, numbering and emoji', () => {
    for (const junk of ['**周末**做一次限时优惠。', '1. 周末做一次限时优惠。', '- 周末做一次限时优惠。', '周末做一次限时优惠 🎉'])
      expect(checkSuggestions(reply(junk, A, B), input)).toMatchObject({ ok: false, why: 'invalid' });
  });

  it('refuses extra fields (the reply must be exactly what was asked)', () => {
    expect(checkSuggestions(JSON.stringify({ suggestions: [A, B, '每天看一眼报表。'], note: 'x' }), input)).toMatchObject({ ok: false, why: 'invalid' });
  });
});
