/**
 * `npm run train:handoff`: trains the shipped handoff model on the whole blind corpus
 * (test/fixtures, every trade) and writes shared/src/usecases/answer/handoff-model.json.
 * The thresholds come from leave-one-trade-out: each trade scored by a model trained on the
 * others, then the pair that best meets the targets on those scores. Deterministic: the corpus
 * is read in a fixed order and training starts from zero weights, so a rerun writes the same file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadCorpus } from './handoff/corpus';
import { chooseThresholds, outOfFold, rulesOnly } from './handoff/loto';
import { DEFAULT_TRAIN, trainHandoffModel } from './handoff/train';

const OUT = path.resolve(__dirname, '../shared/src/usecases/answer/handoff-model.json');

const corpus = loadCorpus();
const bases = new Map(corpus.map((t) => [t.trade, rulesOnly(t)]));
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
console.log(JSON.stringify({ out: path.relative(process.cwd(), OUT), bytes: Buffer.byteLength(json) + 1, features: Object.keys(model.weights).length, thresholds }));
