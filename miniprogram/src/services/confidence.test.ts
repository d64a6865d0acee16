import { confidenceWords } from './confidence';

describe('confidenceWords', () => {
  it('says how sure the AI was in words, never a percentage', () => {
    expect(confidenceWords(0.95)).toBe('很有把握');
    expect(confidenceWords(0.8)).toBe('很有把握');
    expect(confidenceWords(0.79)).toBe('比较有把握');
    expect(confidenceWords(0.5)).toBe('比较有把握');
    expect(confidenceWords(0.49)).toBe('不太确定');
    expect(confidenceWords(0)).toBe('不太确定');
    expect(confidenceWords(Number.NaN)).toBe('不太确定');
  });
});
