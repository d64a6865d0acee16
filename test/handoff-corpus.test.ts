import shippedGate from '../shared/src/usecases/answer/answer-gate.json';
import shippedModel from '../shared/src/usecases/answer/handoff-model.json';
import { BATCHES, loadCorpus, SHIPPED_BATCHES } from '../scripts/handoff/corpus';

// The corpus behind `npm run eval:loto` (every batch already seen) and `npm run train:handoff`
// (SHIPPED_BATCHES). A batch added to one list must not silently change what the other measures.
describe('the blind corpus (scripts/handoff/corpus.ts)', () => {
  it('ships the answer gate and handoff model trained on exactly SHIPPED_BATCHES, the first batches of BATCHES', () => {
    expect(BATCHES.slice(0, SHIPPED_BATCHES.length)).toEqual([...SHIPPED_BATCHES]);
    // re-running train:handoff rewrites the shipped files only if these still describe them
    expect(shippedGate.trainedOn.batches).toEqual([...SHIPPED_BATCHES]);
    expect(shippedModel.trainedOn.batches).toEqual([...SHIPPED_BATCHES]);
    const trades = loadCorpus(undefined, SHIPPED_BATCHES);
    expect(shippedGate.trainedOn.trades).toBe(trades.length);
    expect(shippedModel.trainedOn.trades).toBe(trades.length);
    expect(shippedModel.trainedOn.cases).toBe(trades.reduce((n, t) => n + t.cases.length, 0));
    expect(shippedGate.trainedOn.answerable).toBe(trades.reduce((n, t) => n + t.cases.filter((c) => c.expect !== 'handoff').length, 0));
  });

  it('has trades in every batch and names every trade once (leave-one-trade-out keys its results by trade name)', () => {
    const corpus = loadCorpus();
    expect([...new Set(corpus.map((t) => t.batch))]).toEqual([...BATCHES]);
    const names = corpus.map((t) => t.trade);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});
