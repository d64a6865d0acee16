import { addCounts, countCases, scoresOf, wilson } from './eval-score';

describe('eval scoring', () => {
  it('gives the 95% Wilson interval', () => {
    // reference values: Wilson (1927), z = 1.96
    expect(wilson(5, 10)).toEqual([0.2366, 0.7634]);
    expect(wilson(0, 10)).toEqual([0, 0.2775]);
    expect(wilson(10, 10)).toEqual([0.7225, 1]);
    expect(wilson(0, 0)).toEqual([0, 1]);
  });

  it('counts precision, coverage and recall, with accept honoured', () => {
    const c = countCases([
      { expect: 'hours', got: 'hours' },
      { expect: 'hours', got: 'price' }, // wrong answer
      { expect: 'price', got: 'clarify', suggestion: 'price' }, // not answered; right after one "是的"
      { expect: 'price', got: 'clarify', suggestion: 'hours' }, // a guess at the wrong FAQ
      { expect: 'menu', got: 'handoff', accept: ['handoff'] }, // acceptable handoff
      { expect: 'menu', got: 'handoff' }, // needless handoff
      { expect: 'handoff', got: 'handoff' },
      { expect: 'handoff', got: 'hours' }, // an answer on a handoff case is wrong
      { expect: 'handoff', got: 'clarify' },
    ]);
    expect(c).toEqual({ n: 9, answers: 3, correctAnswers: 1, answerable: 6, covered: 2, handoffCases: 3, handedOff: 1, twoPartCases: 0, twoPartRight: 0, confirmed: 3 });
    const s = scoresOf(c);
    expect(s).toMatchObject({ n: 9, precision: 0.3333, coverage: 0.3333, handoff_recall: 0.3333, confirmed_coverage: 0.5 });
    expect(s.precision_ci[0]).toBeLessThan(s.precision);
    expect(s.precision_ci[1]).toBeGreaterThan(s.precision);
    expect(scoresOf(addCounts(c, c))).toMatchObject({ n: 18, confirmed_coverage: 0.5 });
  });
});
