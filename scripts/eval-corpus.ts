/**
 * `npm run eval:corpus [-- --batches heldout15,heldout16] [--base-url <https://…/v1> --model <name> --price-in <元> --price-out <元>] [--out f.json]`:
 * the answer engine as the product would run it over whole batches of the blind corpus, a table
 * per batch and pooled (95% Wilson intervals), with the model's cost per 1,000 questions when
 * LLM_API_KEY (or --api-key) is set. Default batches: those the shipped models never saw.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { EvalModelFlags } from '../cloudfunctions/server/cli/eval-model';
import { evalCorpus, pool, UNSEEN_BATCHES, type Pooled } from './handoff/corpus-eval';

const { values } = parseArgs({
  options: {
    batches: { type: 'string' },
    out: { type: 'string' },
    'base-url': { type: 'string' },
    model: { type: 'string' },
    'api-key': { type: 'string' },
    'price-in': { type: 'string' },
    'price-out': { type: 'string' },
  },
});
const model = EvalModelFlags.parse({
  'base-url': values['base-url'],
  model: values.model,
  'api-key': values['api-key'],
  'price-in': values['price-in'],
  'price-out': values['price-out'],
});
const batches = values.batches ? values.batches.split(',') : UNSEEN_BATCHES;

const f = (x: number, ci: [number, number]) => `${x.toFixed(3)} (${ci[0].toFixed(3)}–${ci[1].toFixed(3)})`;
const line = (name: string, p: Pooled) =>
  `| ${name} | ${p.trades} | ${p.n} | ${f(p.handoff_recall, p.handoff_recall_ci)} | ${f(p.precision, p.precision_ci)} | ${f(p.coverage, p.coverage_ci)} | ${f(p.confirmed_coverage, p.confirmed_coverage_ci)} | ${Math.round(p.two_part * p.two_part_n)}/${p.two_part_n} | ${p.cost_per_1000 === undefined ? '–' : `${p.cost_per_1000.toFixed(2)}${p.spend?.cost_estimated ? ' (estimated)' : ''}`} |`;

async function main() {
  const rows = await evalCorpus({ batches, model, onRow: (r) => console.error(`${r.batch}/${r.trade}: ${JSON.stringify(r.scores)}`) });
  const groups = [...batches.map((b) => [b, rows.filter((r) => r.batch === b)] as const), ['**pooled**', rows] as const];
  const table = [
    '| batch | trades | cases | handoff recall (95% CI) | precision (95% CI) | coverage (95% CI) | right after one 「是的」 (95% CI) | two-part right | 元 per 1,000 questions |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, rs] of groups) if (rs.length) table.push(line(name, pool(rs)));
  console.log(table.join('\n'));
  if (values.out) fs.writeFileSync(values.out, JSON.stringify({ batches, rows, pooled: pool(rows) }, null, 2) + '\n');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
