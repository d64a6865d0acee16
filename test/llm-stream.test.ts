import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../cloudfunctions/server/config';
import { createEngineAnswerer } from '@xiaoer/shared/usecases/answer/answerer';
import { BUDGET_NS, createModelAnswerer, type BudgetEntry } from '@xiaoer/shared/usecases/answer/model';
import { createOpenAIChatModel } from '../cloudfunctions/server/llm/openai-model';
import { testDeps } from './helpers/deps';

const M = 'm1';
type Chunk = Record<string, unknown>;
/**
 * What the fake answers next. `chunks`: an SSE stream (one `data:` event each, `[DONE]` unless `noDone`),
 * `gapMs` between events, `cutAfter`: destroy the socket after that many events. `body`: a plain JSON reply.
 * `sseText`: a text/event-stream body sent in one go, whatever the request asked for.
 */
type Reply = { chunks?: Chunk[]; gapMs?: number; cutAfter?: number; noDone?: boolean; body?: unknown; sseText?: string };

/** A programmable OpenAI-compatible server that streams (SSE) when asked to: `next` answers every request until changed. */
function fakeServer() {
  const state = { next: {} as Reply, requests: [] as any[], finishedAt: 0 };
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      state.requests.push(JSON.parse(raw));
      const r = state.next;
      if (r.sseText !== undefined) {
        res.writeHead(200, { 'content-type': 'text/event-stream' }).end(r.sseText);
        return;
      }
      if (r.body !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const events = [...(r.chunks ?? []).map((c) => JSON.stringify(c)), ...(r.noDone ? [] : ['[DONE]'])];
      let i = 0;
      const step = () => {
        if (res.destroyed) return;
        if (r.cutAfter !== undefined && i >= r.cutAfter) {
          res.socket?.destroy();
          return;
        }
        if (i >= events.length) {
          state.finishedAt = Date.now();
          res.end();
          return;
        }
        res.write(`data: ${events[i++]}\n\n`);
        if (r.gapMs) {
          const t = setTimeout(() => {
            timers.delete(t);
            step();
          }, r.gapMs);
          timers.add(t);
        } else setImmediate(step);
      };
      step();
    });
  });
  const close = async () => {
    for (const t of timers) clearTimeout(t);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return { server, state, close };
}

const json = (o: unknown) => JSON.stringify(o);
const ask = (text: string) => ({ merchantId: M, externalUserId: 'u1', text, history: [] });
const base = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 0, model: 'fake' };
const delta = (d: Record<string, unknown>, finish: string | null = null): Chunk => ({ ...base, choices: [{ index: 0, delta: d, finish_reason: finish }] });
const usageChunk = (p: number, c: number): Chunk => ({ ...base, choices: [], usage: { prompt_tokens: p, completion_tokens: c, total_tokens: p + c } });
/** `text` streamed `size` characters at a time: role first, then content pieces, then finish_reason. */
function pieces(text: string, size = 3): Chunk[] {
  const out: Chunk[] = [delta({ role: 'assistant', content: '' })];
  for (let i = 0; i < text.length; i += size) out.push(delta({ content: text.slice(i, i + size) }));
  out.push(delta({}, 'stop'));
  return out;
}
const hoursAnswer = json({ answer: '我们每天十点开门哦', knowledge_ids: ['hours'], confidence: 0.9, handoff: false, reason: 'faq' });
const toolCallChunks: Chunk[] = [
  delta({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup_hours', arguments: '' } }] }),
  delta({ tool_calls: [{ index: 0, function: { arguments: '{"day":' } }] }),
  delta({ tool_calls: [{ index: 0, function: { arguments: '"today"}' } }] }),
  delta({}, 'tool_calls'),
];

describe('model answer engine over a streaming (SSE) fake OpenAI-compatible server', () => {
  const deps = testDeps();
  const fake = fakeServer();
  let baseURL = '';
  const fallbacks: Array<{ why: string; error?: unknown }> = [];
  const make = (o: { timeoutMs?: number; stream?: boolean } = {}) =>
    createModelAnswerer({
      knowledge: deps.storage.knowledge,
      model: createOpenAIChatModel({ apiKey: 'sk-test', baseURL, model: 'fake-model', maxRetries: 0, stream: o.stream ?? true }),
      offline: createEngineAnswerer(deps.storage.knowledge),
      kv: deps.storage.kv,
      clock: deps.clock,
      timers: deps.timers,
      pricePerMTokFen: { input: 200, output: 800 },
      monthlyBudgetFen: 10_000,
      timeoutMs: o.timeoutMs ?? 2000,
      onFallback: ({ why, error }) => fallbacks.push({ why, error }),
    });
  const budget = async () => (await deps.storage.kv.get<BudgetEntry>(M, BUDGET_NS, '2026-11'))?.value ?? { spentFen: 0, calls: 0 };

  beforeAll(async () => {
    await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r));
    baseURL = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/v1`;
    const faq = (id: string, question: string, answer: string, alternatives: string[] = []) =>
      deps.storage.knowledge.upsertFaq({ id, merchantId: M, question, answer, alternatives, enabled: true, updatedAt: 0 });
    await faq('hours', '你们几点开门', '每天早上十点开门，晚上十点打烊', ['营业时间']);
    await faq('delivery', '可以送货上门吗', '三公里内免费配送，超出每公里加收两元', ['能送吗', '配送']);
  });
  beforeEach(() => {
    fake.state.requests = [];
    fallbacks.length = 0;
  });
  afterAll(async () => {
    await fake.close();
    await deps.storage.close();
  });

  test('(a) JSON streamed across many chunks with a usage chunk → model answer, cost recorded', async () => {
    fake.state.next = { chunks: [...pieces(hoursAnswer, 2), usageChunk(1000, 100)] };
    const before = await budget();
    const d = await make().answer(ask('几点开门呀'));
    expect(d).toMatchObject({ reply: '我们每天十点开门哦', handoff: false, reason: 'model', knowledgeIds: ['hours'], engine: 'model' });
    expect(d.costFen).toBeCloseTo(0.28, 6); // 1000 × 200 + 100 × 800 per million
    const after = await budget();
    expect(after.spentFen).toBeCloseTo(before.spentFen + 0.28, 6);
    expect(after.calls).toBe(before.calls + 1);
    const req = fake.state.requests[0];
    expect(req).toMatchObject({ model: 'fake-model', stream: true, stream_options: { include_usage: true }, response_format: { type: 'json_object' } });
  });

  test('(b) a stream without usage → model answer, estimated cost > 0 recorded', async () => {
    fake.state.next = { chunks: pieces(hoursAnswer, 5) };
    const before = await budget();
    const d = await make().answer(ask('几点开门呀'));
    expect(d).toMatchObject({ reply: '我们每天十点开门哦', engine: 'model' });
    expect(d.costFen).toBeGreaterThan(0);
    expect((await budget()).spentFen).toBeCloseTo(before.spentFen + d.costFen!, 6);
  });

  test('(b2) the adapter marks estimated usage (prompt ≈ chars ÷ 1.5, completion ≈ chars ÷ 1.5)', async () => {
    fake.state.next = { chunks: pieces('{"a":1}', 2) };
    const model = createOpenAIChatModel({ apiKey: 'sk-test', baseURL, model: 'fake-model', maxRetries: 0, stream: true });
    const r = await model.complete({ system: 'x'.repeat(300), messages: [{ role: 'user', content: '几点开门' }], timeoutMs: 2000 });
    expect(r).toEqual({ content: '{"a":1}', usage: { promptTokens: Math.ceil(304 / 1.5), completionTokens: Math.ceil(7 / 1.5), estimated: true } });
    // with usage reported, nothing is estimated
    fake.state.next = { chunks: [...pieces('{"a":1}'), usageChunk(12, 3)] };
    expect((await model.complete({ system: 's', messages: [], timeoutMs: 2000 })).usage).toEqual({ promptTokens: 12, completionTokens: 3 });
  });

  test('(c) a stream cut off midway (socket destroyed) → offline answer', async () => {
    fake.state.next = { chunks: [...pieces(hoursAnswer, 4), usageChunk(1000, 100)], cutAfter: 5 };
    const before = await budget();
    const d = await make().answer(ask('几点开门'));
    expect(d).toMatchObject({ engine: 'offline', fallback: 'error', knowledgeIds: ['hours'], reply: '每天早上十点开门，晚上十点打烊' });
    expect(fake.state.requests).toHaveLength(1);
    expect((await budget()).calls).toBe(before.calls); // nothing came back to price
    expect(String(fallbacks[0]?.error)).toMatch(/terminated/); // the broken body, not a missing finish_reason
  });

  test('(c2) a stream that closes cleanly before finish_reason or without content → offline answer', async () => {
    fake.state.next = { chunks: pieces(hoursAnswer, 4).slice(0, 4), noDone: true };
    expect(await make().answer(ask('几点开门'))).toMatchObject({ engine: 'offline', fallback: 'error', knowledgeIds: ['hours'] });
    expect(String((fallbacks[0]?.error as Error)?.message)).toMatch(/finish_reason/);
    fake.state.next = { chunks: [delta({ role: 'assistant', content: '' }), delta({}, 'stop'), usageChunk(10, 0)] };
    expect(await make().answer(ask('几点开门'))).toMatchObject({ engine: 'offline', fallback: 'error', knowledgeIds: ['hours'] });
    expect(String((fallbacks[1]?.error as Error)?.message)).toMatch(/without content/);
  });

  test('(d) a stream slower than the timeout → offline answer (timeout) well before the server finishes', async () => {
    fake.state.finishedAt = 0;
    fake.state.next = { chunks: [...pieces(hoursAnswer, 4), usageChunk(1000, 100)], gapMs: 100 }; // ~20 events × 100 ms ≈ 2 s
    const d = await make({ timeoutMs: 500 }).answer(ask('几点开门'));
    expect(d).toMatchObject({ engine: 'offline', fallback: 'timeout', knowledgeIds: ['hours'] });
    expect(fake.state.finishedAt).toBe(0); // the server was still streaming (and the request was aborted)
  });

  test('(e) streamed tool_calls and no content → offline answer, cost recorded from usage', async () => {
    fake.state.next = { chunks: [...toolCallChunks, usageChunk(900, 20)] };
    const before = await budget();
    const d = await make().answer(ask('几点开门'));
    expect(d).toMatchObject({ engine: 'offline', fallback: 'invalid', knowledgeIds: ['hours'], reply: '每天早上十点开门，晚上十点打烊' });
    expect(d.costFen).toBeCloseTo((900 * 200 + 20 * 800) / 1e6, 6);
    expect((await budget()).spentFen).toBeCloseTo(before.spentFen + d.costFen!, 6);
  });

  test('(e2) streamed tool_calls without usage → offline answer, estimated cost > 0', async () => {
    fake.state.next = { chunks: toolCallChunks };
    const d = await make().answer(ask('几点开门'));
    expect(d).toMatchObject({ engine: 'offline', fallback: 'invalid', knowledgeIds: ['hours'] });
    expect(d.costFen).toBeGreaterThan(0);
  });

  test('(f) non-stream tool_calls response (content null) → offline answer, cost recorded', async () => {
    fake.state.next = {
      body: {
        id: 'x',
        object: 'chat.completion',
        created: 0,
        model: 'fake',
        choices: [
          {
            index: 0,
            finish_reason: 'tool_calls',
            message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_hours', arguments: '{}' } }] },
          },
        ],
        usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 },
      },
    };
    const before = await budget();
    const d = await make({ stream: false }).answer(ask('几点开门'));
    expect(d).toMatchObject({ engine: 'offline', fallback: 'invalid', knowledgeIds: ['hours'], reply: '每天早上十点开门，晚上十点打烊' });
    expect(d.costFen).toBeCloseTo(0.28, 6);
    expect((await budget()).spentFen).toBeCloseTo(before.spentFen + 0.28, 6);
    expect(fake.state.requests[0].stream).toBeUndefined();
  });

  test('(g) streamed content that is not JSON → offline answer (invalid), cost recorded', async () => {
    fake.state.next = { chunks: [...pieces('我们十点开门哦，欢迎光临', 2), usageChunk(1000, 100)] };
    const before = await budget();
    const d = await make().answer(ask('几点开门'));
    expect(d).toMatchObject({ engine: 'offline', fallback: 'invalid', knowledgeIds: ['hours'] });
    expect((await budget()).spentFen).toBeCloseTo(before.spentFen + 0.28, 6);
  });

  test('(h) a non-stream request answered with text/event-stream anyway → the events are read', async () => {
    const events = [...pieces(hoursAnswer, 6), usageChunk(1000, 100)].map((c) => `data: ${json(c)}\n\n`).join('') + 'data: [DONE]\n\n';
    fake.state.next = { sseText: events };
    const d = await make({ stream: false }).answer(ask('几点开门呀'));
    expect(d).toMatchObject({ reply: '我们每天十点开门哦', engine: 'model' });
    expect(d.costFen).toBeCloseTo(0.28, 6);
    // plain text that is neither → offline
    fake.state.next = { sseText: 'upstream busy' };
    expect(await make({ stream: false }).answer(ask('几点开门'))).toMatchObject({ engine: 'offline', fallback: 'error' });
  });
});

describe('LLM_STREAM', () => {
  test('off by default; 1 / true switch streaming on; anything odd is a config error', () => {
    expect(loadConfig({}).llm.stream).toBe(false);
    expect(loadConfig({ LLM_STREAM: '1' }).llm.stream).toBe(true);
    expect(loadConfig({ LLM_STREAM: 'true' }).llm.stream).toBe(true);
    expect(loadConfig({ LLM_STREAM: 'TRUE' }).llm.stream).toBe(true);
    expect(loadConfig({ LLM_STREAM: '0' }).llm.stream).toBe(false);
    expect(loadConfig({ LLM_STREAM: 'false' }).llm.stream).toBe(false);
    expect(loadConfig({ LLM_STREAM: '' }).llm.stream).toBe(false);
    expect(() => loadConfig({ LLM_STREAM: 'yes' })).toThrow(expect.objectContaining({ code: 'CONFIG.INVALID' }));
  });
});
