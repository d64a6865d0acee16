import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { evalAnswers, type EvalSummary } from '../cloudfunctions/server/cli/eval';
import { loadConfig } from '../cloudfunctions/server/config';
import { evalCorpus, pool, UNSEEN_BATCHES } from '../scripts/handoff/corpus-eval';
import { BATCHES, SHIPPED_BATCHES } from '../scripts/handoff/corpus';

const samples = path.join(__dirname, 'fixtures', 'samples');
const offline = () => loadConfig({ ...process.env, LLM_API_KEY: '' });

describe('npm run eval:corpus (scripts/handoff/corpus-eval.ts)', () => {
  it('defaults to the batches no shipped model was trained on', () => {
    expect(UNSEEN_BATCHES.length).toBeGreaterThan(0);
    expect(UNSEEN_BATCHES.some((b) => SHIPPED_BATCHES.includes(b as (typeof SHIPPED_BATCHES)[number]))).toBe(false);
    expect([...SHIPPED_BATCHES, ...UNSEEN_BATCHES]).toEqual([...BATCHES]);
  });

  it('scores each trade exactly as eval answers does, and pools by adding counts', async () => {
    const rows = await evalCorpus({ batches: ['samples'], config: offline() });
    expect(rows.map((r) => r.trade)).toEqual(['bakery', 'fruit', 'pet']);
    for (const r of rows) {
      const out = await evalAnswers({ kbFile: path.join(samples, `kb-${r.trade}.json`), casesFile: path.join(samples, `cases-${r.trade}.json`), config: offline() });
      const s = (out[out.length - 1] as EvalSummary).summary;
      expect(r.scores).toMatchObject({ n: s.n, precision: s.precision, coverage: s.coverage, handoff_recall: s.handoff_recall });
    }
    const p = pool(rows);
    const sum = (k: 'answers' | 'correctAnswers' | 'answerable' | 'covered') => rows.reduce((n, r) => n + r.counts[k], 0);
    expect(p.n).toBe(61);
    expect(p.precision).toBeCloseTo(sum('correctAnswers') / sum('answers'), 3);
    expect(p.coverage).toBeCloseTo(sum('covered') / sum('answerable'), 3);
    expect(p.cost_per_1000).toBeUndefined();
  });

  it('with a model key runs the model path and adds up its cost per 1,000 questions', async () => {
    const requests: unknown[] = [];
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        requests.push(req.url);
        // every question the rules leave open is handed to a person by the model
        const content = JSON.stringify({ answer: null, knowledge_ids: [], confidence: 0.2, handoff: 'unsure', reason: 'not in the knowledge base' });
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            id: 'x',
            object: 'chat.completion',
            created: 0,
            model: 'fake',
            choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
            usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 },
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      const rows = await evalCorpus({
        batches: ['samples'],
        config: offline(),
        model: { 'base-url': baseUrl, model: 'fake-7b', 'api-key': 'sk-test', 'price-in': 2, 'price-out': 8 },
      });
      const p = pool(rows);
      expect(p.spend?.model).toBe('fake-7b');
      expect(p.spend?.model_calls).toBe(requests.length);
      expect(p.spend?.model_calls).toBe(rows.reduce((n, r) => n + (r.spend?.model_calls ?? 0), 0));
      expect(requests.length).toBeGreaterThan(0);
      // 1,000 tokens in at 2 元 and 100 out at 8 元 per million: 0.0028 元 a call
      expect(p.cost_per_1000).toBeCloseTo((0.0028 * requests.length * 1000) / p.n, 4);
      // the model handed every open question to a person: nothing answered, every handoff caught
      expect(p.coverage).toBe(0);
      expect(p.handoff_recall).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
