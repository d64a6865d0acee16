import { CustomerSource } from '@xiaoer/shared/domain/customer';
import { SOURCE_LABEL, sourceText } from '@xiaoer/shared/domain/customer-source';
import { sourceFromState } from '@xiaoer/shared/usecases/channel-wecom/contact-events';
import { buildDemoShop } from '../cloudfunctions/server/demo/build';
import { SOURCE_STATES } from '../cloudfunctions/server/demo/people';

/**
 * Every source code the product can give a customer has a plain-Chinese label (issue 15 §1): the
 * 来源 on 客户 and 客户资料 never shows `contact_way` or `qr`. A code added to CustomerSource
 * without a label fails here (and in tsc); so does a writer that sets a code outside it.
 */

const CJK = /^[\u4e00-\u9fff]+$/;

describe('customer source labels', () => {
  it('labels every code in plain Chinese, each its own', () => {
    for (const code of CustomerSource.options) {
      expect({ code, label: SOURCE_LABEL[code] }).toEqual({ code, label: expect.stringMatching(CJK) });
      expect(sourceText(code)).toBe(SOURCE_LABEL[code]);
    }
    expect(Object.keys(SOURCE_LABEL).sort()).toEqual([...CustomerSource.options].sort());
    expect(new Set(Object.values(SOURCE_LABEL)).size).toBe(CustomerSource.options.length);
  });

  it("labels what 客户联系 makes of a contact way's State, whatever the shop named it", () => {
    const states = [
      undefined,
      '',
      ...Object.values(SOURCE_STATES).flat(),
      'ref:wm1',
      'invite_9',
      'campaign-1111',
      'cmp:double11',
      'ACT.spring',
      'qr-door',
      'table_qr_3',
      'poster',
      '柜台卡',
      'x'.repeat(30),
    ];
    const seen = new Set(states.map(sourceFromState));
    // every kind State can name is produced by some State above
    expect([...seen].sort()).toEqual(['campaign', 'contact_way', 'other', 'qr', 'referral']);
    for (const code of seen) expect(CustomerSource.options).toContain(code);
  });

  it('labels the source of every demo shop customer (kf, search and the rest as the demo makes them)', () => {
    const { customers } = buildDemoShop(Date.UTC(2026, 10, 22, 4));
    const codes = new Set(customers.map((c) => c.source));
    expect(codes.size).toBeGreaterThanOrEqual(5);
    for (const code of codes) expect(CustomerSource.options).toContain(code);
  });

  it('names the channel QR code that brought a customer (渠道活码 · 门店柜台), and only for 渠道活码', () => {
    expect(sourceText('contact_way', '门店柜台')).toBe('渠道活码 · 门店柜台');
    expect(sourceText('contact_way', undefined)).toBe('渠道活码');
    for (const code of CustomerSource.options.filter((c) => c !== 'contact_way')) expect(sourceText(code, '门店柜台')).toBe(SOURCE_LABEL[code]);
  });

  it('reads a code it does not know as 其他, never as the code', () => {
    expect(sourceText('wechat_channels')).toBe('其他');
    expect(sourceText('toString')).toBe('其他');
  });
});
