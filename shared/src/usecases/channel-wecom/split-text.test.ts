import { KF_TEXT_MAX_BYTES, splitByBytes } from './split-text';
import { MSGID_PATTERN, outgoingMsgId, stableHash, utf8Length } from './msgid';

describe('splitByBytes', () => {
  it('leaves short text alone', () => {
    expect(splitByBytes('  你好！  ')).toEqual(['你好！']);
    expect(splitByBytes('')).toEqual([]);
  });

  it('cuts after the last sentence end that fits', () => {
    const s = '一二三。四五六！七八九？十';
    // 3 bytes per CJK character: 12 bytes fit 4 characters
    expect(splitByBytes(s, 12)).toEqual(['一二三。', '四五六！', '七八九？', '十']);
  });

  it('falls back to a clause mark, then to a hard cut on a character boundary', () => {
    expect(splitByBytes('一二，三四五六七八', 12)).toEqual(['一二，', '三四五六', '七八']);
    const emoji = '😀'.repeat(5); // 4 bytes each
    const parts = splitByBytes(emoji, 10);
    expect(parts).toEqual(['😀😀', '😀😀', '😀']);
  });

  it('keeps every part within 2048 bytes and loses nothing', () => {
    const text = Array.from({ length: 300 }, (_, i) => `第${i}句，含 emoji 😀 和 English words.`).join('\n');
    const parts = splitByBytes(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(utf8Length(p)).toBeLessThanOrEqual(KF_TEXT_MAX_BYTES);
    expect(parts.join('\n')).toBe(text);
  });
});

describe('msgids', () => {
  it('are deterministic, distinct per part, and in WeCom’s alphabet', () => {
    const a = outgoingMsgId('CAQQluDa4QUY0On2rYSAgAMgzPrShAE=', '0');
    expect(a).toBe(outgoingMsgId('CAQQluDa4QUY0On2rYSAgAMgzPrShAE=', '0'));
    expect(a).not.toBe(outgoingMsgId('CAQQluDa4QUY0On2rYSAgAMgzPrShAE=', '1'));
    expect(a).toMatch(MSGID_PATTERN);
    expect(a).toHaveLength(32);
    expect(stableHash('a', 'b')).not.toBe(stableHash('ab'));
    expect(utf8Length('a¢€😀')).toBe(1 + 2 + 3 + 4);
  });
});
