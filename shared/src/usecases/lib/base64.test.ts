import { toBase64 } from './base64';

describe('toBase64', () => {
  it('matches the platform encoder on every padding case and all byte values', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const len of [0, 1, 2, 3, 4, 5, 256]) {
      const bytes = all.subarray(0, len);
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
    expect(toBase64(new TextEncoder().encode('店小二'))).toBe('5bqX5bCP5LqM');
  });
});
