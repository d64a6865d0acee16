/**
 * `npm run train:handoff`: trains the shipped answer gate and handoff model on the blind corpus
 * (test/fixtures, the batches in SHIPPED_BATCHES) and writes shared/src/usecases/answer/answer-gate.json and
 * handoff-model.json. The gate's threshold: the most answers at GATE_PRECISION over
 * leave-one-trade-out scores (scripts/handoff/gate.ts); the handoff model is tuned over what the
 * engine does with that gate.
 * The thresholds come from leave-one-trade-out: each trade scored by a model trained on the
 * others, then the pair that best meets the targets on those scores. Deterministic: the corpus
 * is read in a fixed order and training starts from zero weights, so a rerun writes the same file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadCorpus, SHIPPED_BATCHES } from './handoff/corpus';
import { chooseThresholds, outOfFold, rulesOnly } from './handoff/loto';
import { DEFAULT_TRAIN, trainHandoffModel } from './handoff/train';
import { GATE_PRECISION, trainGateWithThreshold } from './handoff/gate';

const OUT = path.resolve(__dirname, '../shared/src/usecases/answer/handoff-model.json');
const GATE_OUT = path.resolve(__dirname, '../shared/src/usecases/answer/answer-gate.json');

const corpus = loadCorpus(undefined, SHIPPED_BATCHES);
const gate = trainGateWithThreshold(corpus, corpus.length);
gate.trainedOn = {
  trades: corpus.length,
  answerable: corpus.reduce((n, t) => n + t.cases.filter((c) => c.expect !== 'handoff').length, 0),
  batches: [...new Set(corpus.map((t) => t.batch))],
  thresholdFrom: `leave-one-trade-out scores, the most answers at precision ≥ ${GATE_PRECISION} (scripts/handoff/gate.ts)`,
};
fs.writeFileSync(GATE_OUT, JSON.stringify(gate) + '\n');
const bases = new Map(corpus.map((t) => [t.trade, rulesOnly(t, gate)]));
const oof = outOfFold(corpus, bases, corpus.length, DEFAULT_TRAIN);
const thresholds = chooseThresholds(oof);
const model = trainHandoffModel(corpus, DEFAULT_TRAIN);
model.thresholds = thresholds;
model.trainedOn = {
  trades: corpus.length,
  cases: corpus.reduce((n, t) => n + t.cases.length, 0),
  batches: [...new Set(corpus.map((t) => t.batch))],
  options: DEFAULT_TRAIN,
  thresholdsFrom: 'leave-one-trade-out scores over every trade (scripts/handoff/loto.ts chooseThresholds)',
};
const json = JSON.stringify(model);
fs.writeFileSync(OUT, json + '\n');
console.log(
  JSON.stringify({
    out: path.relative(process.cwd(), OUT),
    bytes: Buffer.byteLength(json) + 1,
    features: Object.keys(model.weights).length,
    thresholds,
    gate: { weights: gate.weights, bias: gate.bias, threshold: gate.threshold },
  }),
);
