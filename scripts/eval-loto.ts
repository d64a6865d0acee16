/**
 * `npm run eval:loto [-- --inner 6 --out loto.json --trades a,b]`: leave-one-trade-out over the
 * blind corpus (test/fixtures, every batch in BATCHES: those already seen). For each trade: train the handoff model on the other trades,
 * choose its thresholds on those trades only (out-of-fold scores from `--inner` groups of them),
 * then run the whole offline engine (rules, model, retrieval) on the held-out trade. Prints a
 * table per trade and pooled, each figure with its 95% Wilson interval; `--out` also writes JSON.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { addCounts, countCases, type Counts, scoresOf, type Scores } from '../cloudfunctions/server/cli/eval-score';
import { createOfflineEngine } from '../shared/src/usecases/answer/engine';
import { loadHandoffModel } from '../shared/src/usecases/answer/handoff-model';
import { loadAnswerGate } from '../shared/src/usecases/answer/answer-gate';
import { trainGateWithThreshold } from './handoff/gate';
import { loadCorpus, type Trade } from './handoff/corpus';
import { chooseThresholds, decide, outOfFold, probabilities, rulesOnly, type Thresholds } from './handoff/loto';
import { DEFAULT_TRAIN, trainHandoffModel } from './handoff/train';

const { values } = parseArgs({ options: { inner: { type: 'string' }, out: { type: 'string' }, trades: { type: 'string' } } });
const inner = Number(values.inner ?? 6);
const corpus = loadCorpus();
const only = values.trades ? new Set(values.trades.split(',')) : undefined;

/** `needless`: answerable cases (no `accept` of a handoff) sent to a person, the owner's extra load. */
/** `partial`: FAQs answered inside handoffs (two-part messages), and how many of them were right. */
type Row = {
  batch: string;
  trade: string;
  counts: Counts;
  scores: Scores;
  needless: number;
  thresholds: Thresholds;
  gate: number;
  mismatches: number;
  partial: { n: number; right: number };
};
const rows: Row[] = [];
for (const held of corpus) {
  if (only && !only.has(held.trade)) continue;
  const train: Trade[] = corpus.filter((t) => t !== held);
  // the answer gate from the training trades alone (its threshold from their out-of-fold scores)
  const gate = trainGateWithThreshold(train, inner);
  const bases = new Map(corpus.map((t) => [t.trade, rulesOnly(t, gate)]));
  // the handoff thresholds from the training trades alone
  const thresholds = chooseThresholds(outOfFold(train, bases, inner, DEFAULT_TRAIN));
  const model = { ...trainHandoffModel(train, DEFAULT_TRAIN), thresholds };
  const engine = createOfflineEngine(held.kb, { handoffModel: loadHandoffModel(model), answerGate: loadAnswerGate(gate) });
  const results = held.cases.map((c) => engine.answer(c.q));
  const got = results.map((r) => r.got);
  // the engine and the threshold search must agree on every decision
  const p = probabilities(model, held);
  const base = bases.get(held.trade)!;
  const mismatches = got.filter((g, i) => g !== decide(base[i]!, p[i]!, thresholds)).length;
  // a two-part case (`answered`) is right when handed off with those FAQs answered (eval-score.ts)
  const counts = countCases(
    held.cases.map((c, i) => ({
      expect: c.expect,
      got: got[i]!,
      accept: c.accept,
      answered: results[i]!.answered,
      expectAnswered: c.answered,
      suggestion: results[i]!.suggestion,
    })),
  );
  const needless = held.cases.filter((c, i) => c.expect !== 'handoff' && !(c.accept ?? []).includes('handoff') && got[i] === 'handoff').length;
  const partial = { n: 0, right: 0 };
  held.cases.forEach((c, i) => {
    for (const id of results[i]!.answered ?? []) {
      partial.n++;
      if ((c.answered ?? []).includes(id)) partial.right++;
    }
  });
  const row = { batch: held.batch, trade: held.trade, counts, scores: scoresOf(counts), needless, thresholds, gate: gate.threshold, mismatches, partial };
  rows.push(row);
  console.error(`${held.batch}/${held.trade}: ${JSON.stringify(row.scores)} ${JSON.stringify(thresholds)} gate ${gate.threshold}${mismatches ? ` MISMATCHES ${mismatches}` : ''}`);
}

const pool = (rs: Row[]) => {
  const counts = rs.map((r) => r.counts).reduce(addCounts);
  const partial = { n: rs.reduce((n, r) => n + r.partial.n, 0), right: rs.reduce((n, r) => n + r.partial.right, 0) };
  return { ...scoresOf(counts), needless_handoffs: rs.reduce((n, r) => n + r.needless, 0), answerable: counts.answerable, partial_answers: partial };
};
const f = (x: number, ci: [number, number]) => `${x.toFixed(3)} (${ci[0].toFixed(3)}–${ci[1].toFixed(3)})`;
const line = (name: string, s: Scores, needless: number, answerable: number) =>
  `| ${name} | ${s.n} | ${f(s.handoff_recall, s.handoff_recall_ci)} | ${f(s.precision, s.precision_ci)} | ${f(s.coverage, s.coverage_ci)} | ${needless}/${answerable} | ${s.two_part_n ? `${Math.round(s.two_part * s.two_part_n)}/${s.two_part_n}` : '–'} |`;
const out: string[] = [
  '| trade | cases | handoff recall (95% CI) | precision (95% CI) | coverage (95% CI) | answerable sent to a person | two-part right |',
  '|---|---|---|---|---|---|---|',
];
for (const r of rows) out.push(line(`${r.batch}/${r.trade}`, r.scores, r.needless, r.counts.answerable));
/** A batch's number (heldout4 → 4; samples and heldout → 0), so groups hold as batches are added. */
const batchNo = (b: string) => Number(/^heldout(\d+)$/.exec(b)?.[1] ?? 0);
const later = [...new Set(rows.map((r) => r.batch))].filter((b) => batchNo(b) >= 4).sort((a, b) => batchNo(a) - batchNo(b));
const groups: [string, Row[]][] = [
  ['**pooled, all trades**', rows],
  ['pooled, samples + heldout–heldout3', rows.filter((r) => batchNo(r.batch) < 4)],
  [`pooled, heldout4–${later[later.length - 1] ?? 'heldout4'}`, rows.filter((r) => batchNo(r.batch) >= 4)],
  ...later.map((b): [string, Row[]] => [`pooled, ${b}`, rows.filter((r) => r.batch === b)]),
];
for (const [name, rs] of groups) {
  if (!rs.length) continue;
  const p = pool(rs);
  out.push(line(name, p, p.needless_handoffs, p.answerable));
}
console.log(out.join('\n'));
const mism = rows.reduce((n, r) => n + r.mismatches, 0);
if (mism) console.error(`engine and threshold search disagreed on ${mism} cases`);
if (values.out)
  fs.writeFileSync(
    values.out,
    JSON.stringify(
      { inner, options: DEFAULT_TRAIN, rows, pooled: Object.fromEntries(groups.filter(([, rs]) => rs.length).map(([n, rs]) => [n.replace(/\*/g, ''), pool(rs)])) },
      null,
      2,
    ) + '\n',
  );
