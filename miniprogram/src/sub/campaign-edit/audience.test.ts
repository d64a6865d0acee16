import { audienceText, parseAudience } from '@xiaoer/shared/domain/audience';
import { buildAudience, draftOfAudience, type AudienceDraft } from './audience';

const d = (include: string[], mode: 'all' | 'any', exclude: string[] = []): AudienceDraft => ({ include, mode, exclude });

describe('the audience builder', () => {
  it.each([
    ['nothing picked', d([], 'any'), null],
    ['one tag', d(['会员'], 'all'), '会员'],
    ['都要有', d(['会员', '常客'], 'all'), { all: ['会员', '常客'] }],
    ['有一个就行', d(['会员', '常客'], 'any'), { any: ['会员', '常客'] }],
    ['one tag minus one', d(['会员'], 'any', ['沉睡']), { all: ['会员', { not: '沉睡' }] }],
    ['都要有 minus two', d(['会员', '常客'], 'all', ['沉睡', '流失']), { all: ['会员', '常客', { not: '沉睡' }, { not: '流失' }] }],
    ['有一个就行 minus one', d(['会员', '常客'], 'any', ['沉睡']), { all: [{ any: ['会员', '常客'] }, { not: '沉睡' }] }],
    ['only an exclusion', d([], 'any', ['沉睡']), { not: '沉睡' }],
    ['only exclusions', d([], 'all', ['沉睡', '流失']), { all: [{ not: '沉睡' }, { not: '流失' }] }],
  ])('%s', (_, draft, expected) => {
    const built = buildAudience(draft);
    expect(built).toEqual(expected);
    // whatever it builds, the backend's parser takes as it is
    if (built !== null) expect(parseAudience(built)).toEqual(built);
  });

  it('says the audience in words through the backend’s own wording', () => {
    expect(audienceText(buildAudience(d(['会员', '常客'], 'any', ['沉睡']))!)).toBe('（有「会员」或有「常客」）且没有「沉睡」');
  });

  it.each([
    d(['会员'], 'any'),
    d(['会员', '常客'], 'all'),
    d(['会员', '常客'], 'any'),
    d(['会员', '常客'], 'any', ['沉睡']),
    d(['会员', '常客'], 'all', ['沉睡']),
    d([], 'any', ['沉睡']),
    d([], 'all', ['沉睡', '流失']),
  ])('a stored expression opens in the builder as it was built (%j)', (draft) => {
    const again = draftOfAudience(buildAudience(draft));
    expect(again).not.toBeNull();
    expect(buildAudience(again!)).toEqual(buildAudience(draft));
  });

  it('an expression the builder cannot show is left as it is', () => {
    expect(draftOfAudience({ any: [{ all: ['会员', '常客'] }, '超级VIP'] })).toBeNull();
    expect(draftOfAudience({ not: { any: ['会员', '常客'] } })).toBeNull();
    expect(draftOfAudience({ all: [{ any: ['a', 'b'] }, { any: ['c', 'd'] }] })).toBeNull();
    expect(draftOfAudience(42)).toBeNull();
  });
});
