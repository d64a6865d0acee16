import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../cloudfunctions/server/cli/main';

// copies of ../shared/samples, so the tests run from any checkout
const SAMPLES = path.resolve(__dirname, 'fixtures/samples');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-eval-'));
const dataDir = path.join(tmp, 'data');

beforeAll(() => {
  process.env.DATA_DIR = dataDir;
});
afterAll(() => {
  delete process.env.DATA_DIR;
});

const ratio = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 10000) / 10000);

describe('eval answers', () => {
  it.each(['bakery', 'fruit', 'pet'])('scores the %s sample: format, consistent summary, targets', async (shop) => {
    const kb = path.join(SAMPLES, `kb-${shop}.json`);
    const casesFile = path.join(SAMPLES, `cases-${shop}.json`);
    const out = await runCli(['eval', 'answers', '--kb', kb, '--cases', casesFile, '--json']);
    expect(out.code).toBe(0);
    const lines = out.stdout.split('\n').map((l) => JSON.parse(l));
    const cases = JSON.parse(fs.readFileSync(casesFile, 'utf8')) as { q: string; expect: string }[];
    const ids = new Set((JSON.parse(fs.readFileSync(kb, 'utf8')).faqs as { id: string }[]).map((f) => f.id));
    expect(lines).toHaveLength(cases.length + 1);
    const rows = lines.slice(0, -1);
    rows.forEach((l, i) => {
      // §5's keys, and on a clarifying question the FAQ it names (a "是的" next answers it)
      expect(Object.keys(l).sort()).toEqual(['answer', 'confidence', 'expect', 'got', 'ms', 'q', ...(l.suggestion !== undefined ? ['suggestion'] : [])].sort());
      if (l.suggestion !== undefined) expect(l.got === 'clarify' && ids.has(l.suggestion)).toBe(true);
      expect(l.q).toBe(cases[i]!.q);
      expect(l.expect).toBe(cases[i]!.expect);
      expect(l.got === 'handoff' || l.got === 'clarify' || ids.has(l.got)).toBe(true);
      expect(l.answer === null || typeof l.answer === 'string').toBe(true);
      expect(l.confidence).toBeGreaterThanOrEqual(0);
      expect(l.confidence).toBeLessThanOrEqual(1);
      expect(l.ms).toBeGreaterThanOrEqual(0);
    });
    const { summary } = lines[lines.length - 1];
    expect(Object.keys(summary).sort()).toEqual([
      'confirmed_coverage',
      'confirmed_coverage_ci',
      'coverage',
      'coverage_ci',
      'handoff_recall',
      'handoff_recall_ci',
      'n',
      'p50_ms',
      'p99_ms',
      'precision',
      'precision_ci',
    ]);
    for (const k of ['precision', 'coverage', 'handoff_recall']) {
      const [lo, hi] = summary[`${k}_ci`] as [number, number];
      expect(lo).toBeLessThanOrEqual(summary[k]);
      expect(hi).toBeGreaterThanOrEqual(summary[k]);
      expect(hi - lo).toBeGreaterThan(0);
    }
    const answers = rows.filter((l) => l.got !== 'handoff' && l.got !== 'clarify');
    const correct = answers.filter((l) => l.got === l.expect).length;
    const handoffs = rows.filter((l) => l.expect === 'handoff');
    expect(summary.n).toBe(cases.length);
    expect(summary.precision).toBe(ratio(correct, answers.length));
    expect(summary.coverage).toBe(ratio(correct, rows.length - handoffs.length));
    expect(summary.handoff_recall).toBe(ratio(handoffs.filter((l) => l.got === 'handoff').length, handoffs.length));
    expect(summary.confirmed_coverage).toBe(ratio(correct + rows.filter((l) => l.got === 'clarify' && l.suggestion === l.expect).length, rows.length - handoffs.length));
    expect(summary.p50_ms).toBeLessThanOrEqual(summary.p99_ms);
    console.log(`${shop}: ${JSON.stringify(summary)}`);
    // targets reached on every sample shop (measured: precision 1, handoff recall 1, coverage ≥ 0.875)
    expect(summary.precision).toBeGreaterThanOrEqual(0.95);
    expect(summary.handoff_recall).toBe(1);
    expect(summary.coverage).toBeGreaterThanOrEqual(0.75);
    // (latency is measured by `npm run bench`, not asserted here)
    // eval never opens the runtime, so DATA_DIR is never created
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  // Shops written blind to the engine (test/fixtures/heldout/README.md); the rules and lexicon were
  // then widened on their misses, so these are regression guards now, not unseen measurements.
  it.each([
    ['heldout', 'naicha'],
    ['heldout', 'clothing'],
    ['heldout', 'beauty'],
    ['heldout', 'restaurant'],
    ['heldout', 'flowers'],
    ['heldout', 'gym'],
    ['heldout2', 'barber'],
    ['heldout2', 'optical'],
    ['heldout2', 'laundry'],
    ['heldout2', 'breakfast'],
    ['heldout3', 'carwash'],
    ['heldout3', 'babystore'],
    ['heldout3', 'phonefix'],
    ['heldout3', 'cleaning'],
  ])('keeps the %s/%s shop (written blind, then tuned on) at its measured level', async (set, shop) => {
    const dir = path.resolve(__dirname, 'fixtures', set);
    const out = await runCli(['eval', 'answers', '--kb', path.join(dir, `kb-${shop}.json`), '--cases', path.join(dir, `cases-${shop}.json`), '--json']);
    expect(out.code).toBe(0);
    const { summary } = JSON.parse(out.stdout.trim().split('\n').pop()!);
    console.log(`${shop}: ${JSON.stringify(summary)}`);
    // measured with the answer gate (answer-gate.json, session 6): handoff recall 1 everywhere;
    // precision ≥ 0.94 (heldout3: ≥ 0.90); coverage ≥ 0.60, except the third batch (0.40–0.67: its
    // wording is furthest from its FAQs). The gate answers less often than the old fixed threshold and
    // is wrong less often (README: leave-one-trade-out figures).
    const third = set === 'heldout3';
    expect(summary.handoff_recall).toBe(1);
    expect(summary.precision).toBeGreaterThanOrEqual(third ? 0.9 : 0.94);
    expect(summary.coverage).toBeGreaterThanOrEqual(third ? 0.4 : 0.6);
  });

  // Four batches written blind (test/fixtures/heldout4–7/README.md, first looks there), now part of
  // the corpus the handoff model is trained on: regression guards on seen data, not unseen
  // measurements (`npm run eval:loto` gives those). Measured with the shipped model and answer gate
  // (session 6): handoff recall 1 everywhere, precision 0.87–1, coverage 0.52–0.97 (the lowest on
  // heldout9, added after its first look).
  it.each(
    ['heldout4', 'heldout5', 'heldout6', 'heldout7', 'heldout8', 'heldout9'].flatMap((set) =>
      fs
        .readdirSync(path.resolve(__dirname, 'fixtures', set))
        .filter((f) => f.startsWith('cases-'))
        .map((f) => [set, f.slice('cases-'.length, -'.json'.length)]),
    ),
  )('keeps the %s/%s shop (written blind, then trained on) at its measured level', async (set, shop) => {
    const dir = path.resolve(__dirname, 'fixtures', set);
    const out = await runCli(['eval', 'answers', '--kb', path.join(dir, `kb-${shop}.json`), '--cases', path.join(dir, `cases-${shop}.json`), '--json']);
    expect(out.code).toBe(0);
    const { summary } = JSON.parse(out.stdout.trim().split('\n').pop()!);
    expect(summary.handoff_recall).toBeGreaterThanOrEqual(0.95);
    expect(summary.precision).toBeGreaterThanOrEqual(0.86);
    expect(summary.coverage).toBeGreaterThanOrEqual(0.5);
  });

  it('ignores unknown keys in case files and honours accept', async () => {
    const casesFile = path.join(tmp, 'accept-cases.json');
    fs.writeFileSync(
      casesFile,
      JSON.stringify([
        { q: '我要投诉你们，太差了', expect: 'hours', accept: ['handoff'], reason: 'complaint', note: 'a person may take it too' },
        { q: '我要投诉你们，太差了', expect: 'hours' },
        { q: '我要投诉你们，太差了', expect: 'handoff', reason: 'complaint', answered: ['hours'] },
      ]),
    );
    const out = await runCli(['eval', 'answers', '--kb', path.join(SAMPLES, 'kb-pet.json'), '--cases', casesFile, '--json']);
    expect(out.code).toBe(0);
    const lines = out.stdout.split('\n').map((l) => JSON.parse(l));
    expect(lines.slice(0, -1).map((l) => l.got)).toEqual(['handoff', 'handoff', 'handoff']);
    // the accepted handoff is a right outcome, the other answerable one a miss
    expect(lines[3].summary).toMatchObject({ n: 3, coverage: 0.5, handoff_recall: 1, precision: 0 });
  });

  it('scores a message with two requests: handed off, with the FAQs it also answered', async () => {
    const kbFile = path.join(tmp, 'two-part-kb.json');
    fs.writeFileSync(
      kbFile,
      JSON.stringify({
        faqs: [
          { id: 'invoice', question: '能开发票吗？', answer: '可以开电子发票。' },
          { id: 'hours', question: '几点开门？', answer: '每天 9:00 到 21:00。' },
        ],
      }),
    );
    const casesFile = path.join(tmp, 'two-part-cases.json');
    const q = '明天下午3点能给我们送30杯吗 对了能开发票吗';
    fs.writeFileSync(
      casesFile,
      JSON.stringify([
        { q, expect: 'handoff', reason: 'commit', answered: ['invoice'] },
        { q, expect: 'handoff', reason: 'commit', answered: ['hours'] },
        { q: '几点开门', expect: 'hours' },
      ]),
    );
    const out = await runCli(['eval', 'answers', '--kb', kbFile, '--cases', casesFile, '--json']);
    expect(out.code).toBe(0);
    const lines = out.stdout.split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ got: 'handoff', answered: ['invoice'] });
    expect(lines[2].answered).toBeUndefined();
    // right once of two; the invoice answered inside the handoff is an answer: right for the first case, wrong for the second
    expect(lines[3].summary).toMatchObject({ n: 3, handoff_recall: 1, two_part: 0.5, two_part_n: 2, precision: 0.6667 });
    expect(lines[3].summary.two_part_ci[0]).toBeLessThan(0.5);
  });

  it('prints a short human summary without --json', async () => {
    const out = await runCli(['eval', 'answers', '--kb', path.join(SAMPLES, 'kb-pet.json'), '--cases', path.join(SAMPLES, 'cases-pet.json')]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^21 条用例：准确率 [\d.]+%，覆盖率 [\d.]+%（顾客答一句「是的」后 [\d.]+%），转人工召回 [\d.]+%/);
  });

  it('rejects bad files with INPUT.INVALID naming the field or line', async () => {
    const badKb = path.join(tmp, 'bad-kb.json');
    fs.writeFileSync(
      badKb,
      JSON.stringify({
        faqs: [
          { id: 'a', question: 'q', answer: 'x' },
          { id: 'b', question: 'q2' },
        ],
      }),
    );
    const r1 = JSON.parse((await runCli(['eval', 'answers', '--kb', badKb, '--cases', path.join(SAMPLES, 'cases-pet.json'), '--json'])).stdout);
    expect(r1).toMatchObject({ ok: false, code: 'INPUT.INVALID' });
    expect(r1.message).toContain('faqs.1.answer');

    const badJson = path.join(tmp, 'bad-cases.json');
    fs.writeFileSync(badJson, '[\n  {"q": "a", "expect": "b"},\n  {"q": oops}\n]');
    const r2 = await runCli(['eval', 'answers', '--kb', path.join(SAMPLES, 'kb-pet.json'), '--cases', badJson, '--json']);
    expect(r2.code).toBe(1);
    expect(JSON.parse(r2.stdout)).toMatchObject({ code: 'INPUT.INVALID', details: { line: 3 } });

    const missing = JSON.parse((await runCli(['eval', 'answers', '--kb', path.join(SAMPLES, 'kb-pet.json'), '--json'])).stdout);
    expect(missing.code).toBe('INPUT.INVALID');
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});
