import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHostRuntime } from '../cloudfunctions/server/runtime-host';
import { loadConfig } from '../cloudfunctions/server/config';
import { createLogger } from '../cloudfunctions/server/logger';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Message } from '@xiaoer/shared/domain/conversation';
import type { Answerer } from '@xiaoer/shared/ports/answerer';
import { createEngineAnswerer } from '@xiaoer/shared/usecases/answer/answerer';
import { BUDGET_NS, buildPrompt, createModelAnswerer, type BudgetEntry } from '@xiaoer/shared/usecases/answer/model';
import { createOpenAIChatModel } from '../cloudfunctions/server/llm/openai-model';
import { testDeps } from './helpers/deps';

const M = 'm1';
type Reply = { status?: number; body?: unknown; delayMs?: number; content?: string };

/** A programmable OpenAI-compatible server: `next` answers every request until changed. */
function fakeServer() {
  // `next`: one reply for every request, or a reply chosen per request (by the question in it)
  const state = { next: { content: '{}' } as Reply | ((req: any) => Reply), requests: [] as any[] };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      const parsed = JSON.parse(raw);
      state.requests.push(parsed);
      const r = typeof state.next === 'function' ? state.next(parsed) : state.next;
      const send = () => {
        if (res.destroyed) return;
        const status = r.status ?? 200;
        const body =
          r.body ??
          (status === 200
            ? {
                id: 'x',
                object: 'chat.completion',
                created: 0,
                model: 'fake',
                choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: r.content } }],
                usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 },
              }
            : { error: { message: `status ${status}`, type: 'fake' } });
        res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after-ms': '10' } : {}) }).end(JSON.stringify(body));
      };
      if (r.delayMs) setTimeout(send, r.delayMs);
      else send();
    });
  });
  return { server, state };
}

const json = (o: unknown) => JSON.stringify(o);
const msg = (i: number, sender: Message['sender'], text: string): Message => ({ id: `h${i}`, merchantId: M, conversationId: 'c1', sender, at: i, type: 'text', text }) as Message;
const ask = (text: string, history: Message[] = []) => ({ merchantId: M, externalUserId: 'u1', text, history });

describe('model answer engine over a fake OpenAI-compatible server', () => {
  const deps = testDeps();
  const fake = fakeServer();
  let baseURL = '';
  const make = (o: { timeoutMs?: number; monthlyBudgetFen?: number; offline?: Answerer } = {}) =>
    createModelAnswerer({
      knowledge: deps.storage.knowledge,
      model: createOpenAIChatModel({ apiKey: 'sk-test', baseURL, model: 'fake-model' }),
      offline: o.offline ?? createEngineAnswerer(deps.storage.knowledge),
      kv: deps.storage.kv,
      clock: deps.clock,
      timers: deps.timers,
      pricePerMTokFen: { input: 200, output: 800 },
      monthlyBudgetFen: o.monthlyBudgetFen ?? 10_000,
      timeoutMs: o.timeoutMs ?? 2000,
    });
  const budget = async () => (await deps.storage.kv.get<BudgetEntry>(M, BUDGET_NS, '2026-11'))?.value;

  beforeAll(async () => {
    await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r));
    baseURL = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/v1`;
    const faq = (id: string, question: string, answer: string, alternatives: string[] = []) =>
      deps.storage.knowledge.upsertFaq({ id, merchantId: M, question, answer, alternatives, enabled: true, updatedAt: 0 });
    await faq('hours', '你们几点开门', '每天早上十点开门，晚上十点打烊', ['营业时间']);
    await faq('delivery', '可以送货上门吗', '三公里内免费配送，超出每公里加收两元', ['能送吗', '配送']);
    await faq('price-cake', '六寸蛋糕多少钱', '六寸奶油蛋糕一百二十八元', ['蛋糕价格']);
  });
  beforeEach(() => {
    fake.state.requests = [];
  });
  afterAll(async () => {
    fake.server.closeAllConnections();
    await new Promise((r) => fake.server.close(r));
    await deps.storage.close();
  });

  test('JSON success: the model answers, cost recorded in the month budget', async () => {
    fake.state.next = { content: json({ answer: '我们每天十点开门哦', knowledge_ids: ['hours'], confidence: 0.9, handoff: false, reason: 'faq' }) };
    const before = (await budget())?.spentFen ?? 0;
    const d = await make().answer(ask('几点开门呀', [msg(1, 'customer', '你好'), msg(2, 'ai', '您好，请问有什么可以帮您？'), msg(3, 'customer', '几点开门呀')]));
    expect(d).toMatchObject({ reply: '我们每天十点开门哦', handoff: false, reason: 'model', knowledgeIds: ['hours'], engine: 'model' });
    // 1000 prompt tokens × 200 fen/M + 100 completion × 800 fen/M = 0.28 fen
    expect(d.costFen).toBeCloseTo(0.28, 6);
    expect((await budget())!.spentFen).toBeCloseTo(before + 0.28, 6);
    const req = fake.state.requests[0];
    expect(fake.state.requests).toHaveLength(1);
    expect(req.model).toBe('fake-model');
    expect(req.response_format).toEqual({ type: 'json_object' });
    expect(req.messages[0].role).toBe('system');
    expect(req.messages[0].content).toContain('[id: hours]');
    // history without the trailing question fragment, then the question
    expect(req.messages.slice(1)).toEqual([
      { role: 'user', content: '你好' },
      { role: 'assistant', content: '您好，请问有什么可以帮您？' },
      { role: 'user', content: '几点开门呀' },
    ]);
  });

  test('the model may hand off', async () => {
    fake.state.next = { content: json({ answer: null, knowledge_ids: [], confidence: 0.2, handoff: true, reason: 'no_match' }) };
    const d = await make().answer(ask('你们有停车位吗'));
    expect(d).toMatchObject({ reply: null, handoff: true, reason: 'handoff:unsure', engine: 'model' });
  });

  test('what the rules settle — a request for a commitment, a two-part message, a sure complaint — never reaches the model', async () => {
    fake.state.next = { content: json({ answer: '可以的', knowledge_ids: ['delivery'], confidence: 0.9, handoff: false, reason: 'faq' }) };
    const two = await make().answer(ask('明天下午3点能给公司送40个六寸蛋糕吗 送货上门吗'));
    expect(two).toMatchObject({ handoff: true, reason: 'handoff:commit', engine: 'rules', costFen: 0, knowledgeIds: ['delivery'] });
    expect(two.partial?.part).toContain('40');
    expect(await make().answer(ask('蛋糕里吃出一根头发，怎么回事'))).toMatchObject({ handoff: true, engine: 'rules', costFen: 0 });
    expect(fake.state.requests).toHaveLength(0);
  });

  test('the model may hand off on its own with a reason, told what the handoff signals saw', async () => {
    fake.state.next = { content: json({ answer: null, knowledge_ids: [], confidence: 0.8, handoff: 'complaint', reason: 'customer unhappy with service' }) };
    // an offline engine that settles nothing, so the model decides what the rules would have
    const unsure: Answerer = { answer: async () => ({ reply: null, handoff: true, reason: 'handoff:unsure', knowledgeIds: [], confidence: 0 }) };
    const d = await make({ offline: unsure }).answer(ask('你们这服务也太敷衍了吧，等了一个多小时'));
    expect(d).toMatchObject({ reply: null, handoff: true, reason: 'handoff:complaint', engine: 'model' });
    const system: string = fake.state.requests.at(-1).messages[0].content;
    // after the cacheable prefix: the signals of this message in words, and the learned score
    expect(system).toMatch(/【这条消息的信号】[^\n]*顾客有负面情绪或不满/);
    expect(system).toMatch(/转人工倾向：[01]\.\d\d（/);
    expect(system.lastIndexOf('【这条消息的信号】')).toBeGreaterThan(system.indexOf('[id: hours]'));
    // a commitment the shop would have to make
    fake.state.next = { content: json({ answer: null, knowledge_ids: [], confidence: 0.7, handoff: 'commit', reason: 'asks for 40 cups at 3pm' }) };
    expect(await make({ offline: unsure }).answer(ask('明天下午三点能给我留四十个蛋糕吗'))).toMatchObject({ handoff: true, reason: 'handoff:commit', engine: 'model' });
    // an unknown word, or the old true, reads as unsure
    fake.state.next = { content: json({ answer: null, knowledge_ids: [], confidence: 0.7, handoff: 'needs_manager_review', reason: 'x' }) };
    expect(await make({ offline: unsure }).answer(ask('这个怎么说'))).toMatchObject({ handoff: true, reason: 'handoff:unsure' });
  });

  test('an answer citing a real FAQ but saying what it does not (a time, free parking) → offline, never sent', async () => {
    for (const invented of ['我们每天早上九点开门，晚上十点打烊', '我们店门口就有免费停车位，周末还能停两个小时，放心来']) {
      fake.state.next = { content: json({ answer: invented, knowledge_ids: ['hours'], confidence: 0.92, handoff: false, reason: 'faq' }) };
      const d = await make().answer(ask('你们几点开门'));
      expect(d).toMatchObject({ engine: 'offline', fallback: 'ungrounded' });
      expect(d.reply).not.toBe(invented);
    }
    // the same facts in other words pass: 10点 for 十点
    fake.state.next = { content: json({ answer: '我们每天10点开门，晚上10点打烊哦', knowledge_ids: ['hours'], confidence: 0.9, handoff: false, reason: 'faq' }) };
    expect(await make().answer(ask('你们几点开门'))).toMatchObject({ engine: 'model', reply: '我们每天10点开门，晚上10点打烊哦' });
  });

  test('a refusal dressed as an answer, or a rambling one → offline', async () => {
    fake.state.next = { content: json({ answer: '抱歉，作为一个AI助手，我无法回答这个问题。', knowledge_ids: ['hours'], confidence: 0.5, handoff: false, reason: 'refuse' }) };
    expect(await make().answer(ask('你们几点开门'))).toMatchObject({ engine: 'offline', fallback: 'refused', knowledgeIds: ['hours'] });
    fake.state.next = { content: json({ answer: '我理解您的顾虑，这是一个很好的问题。', knowledge_ids: [], confidence: 0.5, handoff: false, reason: 'refuse' }) };
    expect(await make().answer(ask('你们几点开门'))).toMatchObject({ engine: 'offline', fallback: 'invalid' });
    const ramble = `您好！非常感谢您的咨询，关于营业时间的问题，${'我们一直致力于为每一位顾客提供最优质的服务和最舒适的环境，'.repeat(8)}每天早上十点开门。`;
    fake.state.next = { content: json({ answer: ramble, knowledge_ids: ['hours'], confidence: 0.8, handoff: false, reason: 'faq' }) };
    expect(await make().answer(ask('你们几点开门'))).toMatchObject({ engine: 'offline', fallback: 'ungrounded' });
  });

  test('JSON in a ```json fence is read; the FAQ the customer just rejected is not given again', async () => {
    fake.state.next = { content: '```json\n' + json({ answer: '三公里内免费配送', knowledge_ids: ['delivery'], confidence: 0.9, handoff: false, reason: 'faq' }) + '\n```' };
    expect(await make().answer(ask('能送吗'))).toMatchObject({ engine: 'model', reply: '三公里内免费配送' });
    const history = [
      msg(1, 'customer', '你们送不送'),
      { ...msg(2, 'ai', '三公里内免费配送'), id: 'out_x_00', delivery: 'sent', answer: { knowledgeIds: ['delivery'], confidence: 0.6, handoff: false } } as Message,
      msg(3, 'customer', '不是，我是问你们招不招送货员'),
    ];
    fake.state.next = { content: json({ answer: '三公里内免费配送哦', knowledge_ids: ['delivery'], confidence: 0.7, handoff: false, reason: 'faq' }) };
    const d = await make().answer(ask('不是，我是问你们招不招送货员', history));
    expect(d).toMatchObject({ fallback: 'rejected' });
    expect(d.knowledgeIds).not.toContain('delivery');
  });

  test('500 → offline answer', async () => {
    fake.state.next = { status: 500 };
    const d = await make().answer(ask('几点开门'));
    expect(d).toMatchObject({ engine: 'offline', fallback: 'error', knowledgeIds: ['hours'], reply: '每天早上十点开门，晚上十点打烊' });
    expect(fake.state.requests.length).toBe(2); // maxRetries: 1
  });

  test('429 → offline answer', async () => {
    fake.state.next = { status: 429 };
    const d = await make().answer(ask('几点开门'));
    expect(d).toMatchObject({ engine: 'offline', fallback: 'error', knowledgeIds: ['hours'] });
  });

  test('slower than the timeout → offline answer', async () => {
    fake.state.next = { delayMs: 1500, content: json({ answer: '晚了', knowledge_ids: ['hours'], confidence: 1, handoff: false, reason: 'faq' }) };
    const d = await make({ timeoutMs: 300 }).answer(ask('几点开门'));
    expect(d).toMatchObject({ engine: 'offline', fallback: 'timeout', knowledgeIds: ['hours'] });
  });

  test('malformed JSON content → offline answer (cost still recorded)', async () => {
    fake.state.next = { content: '我们十点开门 {answer:' };
    const before = (await budget())?.spentFen ?? 0;
    const d = await make().answer(ask('几点开门'));
    expect(d).toMatchObject({ engine: 'offline', fallback: 'invalid', knowledgeIds: ['hours'] });
    expect((await budget())!.spentFen).toBeGreaterThan(before);
  });

  test('JSON of the wrong shape → offline answer', async () => {
    fake.state.next = { content: json({ answer: '十点', confidence: 'high' }) };
    expect(await make().answer(ask('几点开门'))).toMatchObject({ engine: 'offline', fallback: 'invalid' });
  });

  test('a product the model was shown may be cited', async () => {
    await deps.storage.knowledge.upsertProduct({ sku: 'CAKE6', name: '六寸奶油蛋糕', priceFen: 12800, stock: 3, merchantId: M, updatedAt: 0, lowStockAt: 5 });
    fake.state.next = { content: json({ answer: '六寸奶油蛋糕 128 元，还有 3 个', knowledge_ids: ['product:CAKE6'], confidence: 0.9, handoff: false, reason: 'product' }) };
    const d = await make().answer(ask('六寸奶油蛋糕还有吗'));
    expect(d).toMatchObject({ engine: 'model', knowledgeIds: ['product:CAKE6'] });
    // this question's own request (a slow earlier test's retry may land after it)
    const req = fake.state.requests.find((r) => r.messages.at(-1).content === '六寸奶油蛋糕还有吗');
    expect(req.messages[0].content).toContain('[id: product:CAKE6]');
  });

  test('a knowledge id not in the KB → offline answer', async () => {
    fake.state.next = { content: json({ answer: '全场五折', knowledge_ids: ['promo-999'], confidence: 0.95, handoff: false, reason: 'faq' }) };
    expect(await make().answer(ask('几点开门'))).toMatchObject({ engine: 'offline', fallback: 'unknown_ids', knowledgeIds: ['hours'] });
  });

  test("the model gets only the invocation's time left: little left → offline at once, some left → a shorter call", async () => {
    fake.state.next = { delayMs: 3000, content: json({ answer: '十点', knowledge_ids: ['hours'], confidence: 1, handoff: false, reason: 'faq' }) };
    const none = await make({ timeoutMs: 8000 }).answer({ ...ask('几点开门'), deadline: Date.now() + 3500 });
    expect(none).toMatchObject({ engine: 'offline', fallback: 'timeout', knowledgeIds: ['hours'] });
    expect(fake.state.requests).toHaveLength(0);
    // 4.5 s left − 3 s kept for sending = a 1.5 s call, although LLM_TIMEOUT_MS is 8 s: the
    // server's answer after 3 s would have made it in time for an 8 s call, so `timeout` shows the shorter one
    const short = await make({ timeoutMs: 8000 }).answer({ ...ask('几点开门'), deadline: Date.now() + 4500 });
    expect(short).toMatchObject({ engine: 'offline', fallback: 'timeout' });
    // (this test's client retries once inside the same budget; production uses maxRetries 0)
    expect(fake.state.requests.length).toBeGreaterThanOrEqual(1);
  });

  test('a handoff phrase never reaches the server', async () => {
    fake.state.next = { content: json({ answer: '好的', knowledge_ids: [], confidence: 1, handoff: false, reason: 'x' }) };
    const d = await make().answer(ask('我要投诉'));
    expect(d).toMatchObject({ reply: null, handoff: true, reason: 'handoff:complaint', engine: 'rules' });
    expect(fake.state.requests).toHaveLength(0);
  });

  test('a spent budget → no request, offline answer', async () => {
    fake.state.next = { content: json({ answer: '十点', knowledge_ids: ['hours'], confidence: 1, handoff: false, reason: 'faq' }) };
    const spent = (await budget())!.spentFen;
    const d = await make({ monthlyBudgetFen: spent }).answer(ask('几点开门'));
    expect(d).toMatchObject({ engine: 'offline', fallback: 'budget', knowledgeIds: ['hours'], costFen: 0 });
    expect(fake.state.requests).toHaveLength(0);
    // a new month (Shanghai time) starts from zero
    deps.clock.set(Date.UTC(2026, 10, 30, 16, 30)); // 2026-12-01 00:30 +08:00
    expect(await make({ monthlyBudgetFen: spent }).answer(ask('几点开门'))).toMatchObject({ engine: 'model' });
    expect((await deps.storage.kv.get<BudgetEntry>(M, BUDGET_NS, '2026-12'))!.value.calls).toBe(1);
    deps.clock.set(Date.UTC(2026, 10, 22, 4));
  });

  test('concurrent replies all land in the budget (CAS loop)', async () => {
    fake.state.next = { content: json({ answer: '十点', knowledge_ids: ['hours'], confidence: 1, handoff: false, reason: 'faq' }) };
    const before = (await budget())!;
    const a = make();
    await Promise.all(Array.from({ length: 5 }, () => a.answer(ask('几点开门'))));
    const after = (await budget())!;
    expect(after.calls).toBe(before.calls + 5);
    expect(after.spentFen).toBeCloseTo(before.spentFen + 5 * 0.28, 6);
  });
});

describe('buildPrompt', () => {
  const faqs = Array.from({ length: 80 }, (_, i) => ({ id: `f${String(i).padStart(2, '0')}`, question: `第${i}款商品的颜色`, answer: `第${i}款有红色` }));
  faqs.push({ id: 'hours', question: '你们几点开门', answer: '每天早上十点开门' });

  test('the whole KB (stable order) when small; the prefix does not depend on the question', () => {
    const kb = faqs.slice(0, 10);
    const a = buildPrompt(kb, [], '颜色？');
    const b = buildPrompt([...kb].reverse(), [], '别的问题');
    expect(a.system).toBe(b.system);
    expect(a.shownIds).toHaveLength(10);
    expect(a.system).toContain('只能根据');
    expect(a.system).toContain('不要透露');
    expect(a.system).toContain('"knowledge_ids"');
  });

  test('top-k by BM25 when over 60 FAQs; last 10 messages then the question', () => {
    const history = Array.from({ length: 14 }, (_, i) => msg(i, i % 2 ? 'ai' : 'customer', `m${i}`));
    const p = buildPrompt(faqs, history, '几点开门');
    expect(p.shownIds.length).toBeLessThan(faqs.length);
    expect(p.shownIds[0]).toBe('hours');
    expect(p.messages).toHaveLength(11);
    expect(p.messages[0]!.content).toBe('m4');
    expect(p.messages.at(-1)).toEqual({ role: 'user', content: '几点开门' });
  });
});

describe('buildPrompt with the shop, its facts and products, and the customer', () => {
  test('carries persona, facts and products as citable ids; the customer comes last, after the shared prefix', () => {
    const kb = [{ id: 'hours', question: '几点开门', answer: '十点' }];
    const extras = {
      shop: { name: '茶小满', persona: '说话亲切' },
      facts: { address: '人民路 8 号', delivery: '3 公里内配送' },
      products: [
        { sku: 'MANGO', name: '杨枝甘露', priceFen: 1800, stock: 0 },
        { sku: 'PEARL', name: '珍珠奶茶', priceFen: 1250, stock: 40 },
      ],
    };
    const a = buildPrompt(kb, [], '杨枝甘露多少钱', { ...extras, customer: { name: '王阿姨', tags: ['VIP'], orderCount: 3 } });
    const b = buildPrompt(kb, [], '杨枝甘露多少钱', { ...extras, customer: { name: '李先生', tags: [], orderCount: 0 } });
    expect(a.system).toContain('店主希望你这样说话：说话亲切');
    expect(a.system).toContain('[id: fact:address]');
    expect(a.system).toContain('商品：杨枝甘露，价格 18 元，暂时没货');
    expect(a.system).toContain('商品：珍珠奶茶，价格 12.50 元，有货（40）');
    expect(a.citable.sort()).toEqual(['fact:address', 'fact:delivery', 'hours', 'product:MANGO', 'product:PEARL']);
    expect(a.system).toContain('【顾客】称呼：王阿姨；标签：VIP；在店里下过 3 单');
    // everything up to the customer block is shared between customers (the provider's prefix cache)
    const cut = a.system.indexOf('【顾客】');
    expect(b.system.slice(0, cut)).toBe(a.system.slice(0, cut));
  });
});

describe('composition: LLM_API_KEY switches the WeCom channel to the model', () => {
  const fake = fakeServer();
  afterAll(async () => {
    fake.server.closeAllConnections();
    await new Promise((r) => fake.server.close(r));
  });

  test('with LLM_API_KEY and LLM_BASE_URL the runtime answers through the model; without, offline', async () => {
    await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r));
    const baseUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/v1`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-llm-'));
    const rt = await createHostRuntime({
      config: loadConfig({ DATA_DIR: dataDir, LLM_API_KEY: 'sk-compose', LLM_BASE_URL: baseUrl, LLM_MODEL: 'fake-model' }),
      logger: createLogger('silent'),
    });
    await rt.storage.knowledge.upsertFaq({
      id: 'hours',
      merchantId: 'shop-llm',
      question: '你们几点开门',
      answer: '每天早上十点开门',
      alternatives: [],
      enabled: true,
      updatedAt: 0,
    });
    fake.state.next = { content: JSON.stringify({ answer: '十点开门哦', knowledge_ids: ['hours'], confidence: 0.9, handoff: false, reason: 'faq' }) };
    const d = await rt.inbox.answerer.answer({ merchantId: 'shop-llm', externalUserId: 'u', text: '几点开门', history: [] });
    expect(d.reply).toBe('十点开门哦');
    expect(fake.state.requests[0].model).toBe('fake-model');
    await rt.close();

    const off = await createHostRuntime({ config: loadConfig({ DATA_DIR: dataDir }), logger: createLogger('silent') });
    const o = await off.inbox.answerer.answer({ merchantId: 'shop-llm', externalUserId: 'u', text: '你们几点开门', history: [] });
    expect(o.reply).toBe('每天早上十点开门');
    expect(fake.state.requests).toHaveLength(1);
    await off.close();
  });
});

describe('eval answers runs the engine as configured', () => {
  const fake = fakeServer();
  beforeAll(() => new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r)));
  afterAll(async () => {
    delete process.env.LLM_API_KEY;
    delete process.env.LLM_BASE_URL;
    delete process.env.LLM_TIMEOUT_MS;
    fake.server.closeAllConnections();
    await new Promise((r) => fake.server.close(r));
  });

  test('with LLM_API_KEY every non-handoff question goes to the model, nothing is written', async () => {
    process.env.LLM_API_KEY = 'sk-eval';
    process.env.LLM_BASE_URL = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/v1`;
    fake.state.next = { content: JSON.stringify({ answer: null, knowledge_ids: [], confidence: 0.1, handoff: true, reason: 'no_match' }) };
    const samples = path.join(__dirname, 'fixtures', 'samples');
    const { runCli } = await import('../cloudfunctions/server/cli/main');
    const out = await runCli(['eval', 'answers', '--kb', path.join(samples, 'kb-bakery.json'), '--cases', path.join(samples, 'cases-bakery.json'), '--json']);
    expect(out.code).toBe(0);
    const lines = out.stdout.split('\n').map((l) => JSON.parse(l));
    const cases = lines.slice(0, -1);
    expect(cases.every((l) => l.got === 'handoff')).toBe(true);
    // the handoff rules answer some cases without the model; the rest reached it
    expect(fake.state.requests.length).toBeGreaterThan(0);
    expect(fake.state.requests.length).toBeLessThanOrEqual(cases.length);
    expect(lines.at(-1).summary.n).toBe(cases.length);
  });

  test('against any OpenAI-compatible endpoint from flags: the same figures plus cost_per_1000; invented, refused, broken and late replies never reach a line', async () => {
    delete process.env.LLM_API_KEY;
    delete process.env.LLM_BASE_URL;
    process.env.LLM_TIMEOUT_MS = '600';
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-eval-model-'));
    const kb = {
      faqs: [
        { id: 'hours', question: '你们几点开门', answer: '每天早上十点开门，晚上十点打烊' },
        { id: 'delivery', question: '可以送货上门吗', answer: '三公里内免费配送，超出每公里加收两元', alternatives: ['能送吗'] },
        { id: 'price-cake', question: '六寸蛋糕多少钱', answer: '六寸奶油蛋糕一百二十八元' },
      ],
    };
    const cases = [
      { q: '你们几点开门', expect: 'hours' },
      { q: '可以送货上门吗', expect: 'delivery' },
      { q: '六寸蛋糕多少钱', expect: 'price-cake' },
      { q: '你们有停车位吗', expect: 'handoff' },
      { q: '蛋糕能做无糖的吗', expect: 'handoff' },
      { q: '我要投诉', expect: 'handoff' },
      { q: '明天下午三点能给我留四十个蛋糕吗', expect: 'handoff' },
    ];
    fs.writeFileSync(path.join(dir, 'kb.json'), JSON.stringify(kb));
    fs.writeFileSync(path.join(dir, 'cases.json'), JSON.stringify(cases));
    const INVENTED = '可以的，全城免费送，一小时内送到';
    const reply = (o: object): Reply => ({ content: json(o) });
    fake.state.requests = [];
    fake.state.next = (req) => {
      const q: string = req.messages.at(-1).content;
      if (q.includes('几点')) return reply({ answer: '我们每天早上十点开门，晚上十点打烊哦', knowledge_ids: ['hours'], confidence: 0.93, handoff: null, reason: 'faq' });
      if (q.includes('送货')) return reply({ answer: INVENTED, knowledge_ids: ['delivery'], confidence: 0.9, handoff: null, reason: 'faq' });
      if (q.includes('多少钱')) return { content: '{"answer": "一百二十八元", "knowledge_ids": ["price-cake"' };
      if (q.includes('停车')) return reply({ answer: '抱歉，我无法回答这个问题。', knowledge_ids: ['hours'], confidence: 0.3, handoff: null, reason: 'refuse' });
      if (q.includes('无糖')) return { delayMs: 1500, ...reply({ answer: '可以', knowledge_ids: ['price-cake'], confidence: 0.9, handoff: null, reason: 'late' }) };
      return reply({ answer: null, knowledge_ids: [], confidence: 0.8, handoff: 'commit', reason: 'a booking for a time and quantity' });
    };
    const baseUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/v1`;
    const { runCli } = await import('../cloudfunctions/server/cli/main');
    const args = [
      'eval',
      'answers',
      '--kb',
      path.join(dir, 'kb.json'),
      '--cases',
      path.join(dir, 'cases.json'),
      '--base-url',
      baseUrl,
      '--model',
      'fake-13b',
      '--api-key',
      'sk-flag',
    ];
    const out = await runCli([...args, '--price-in', '2', '--price-out', '8', '--json']);
    expect(out.code).toBe(0);
    const lines = out.stdout.split('\n').map((l) => JSON.parse(l));
    const summary = lines.at(-1).summary;
    const byQ = Object.fromEntries(lines.slice(0, -1).map((l) => [l.q, l]));
    expect(fake.state.requests.every((r) => r.model === 'fake-13b')).toBe(true);
    expect(byQ['你们几点开门']).toMatchObject({ got: 'hours', answer: '我们每天早上十点开门，晚上十点打烊哦' });
    // the invented promise fell back to the knowledge base's own answer
    expect(byQ['可以送货上门吗'].answer).not.toBe(INVENTED);
    expect(lines.some((l) => l.answer === INVENTED || l.answer === '抱歉，我无法回答这个问题。' || l.answer === '可以')).toBe(false);
    expect(byQ['我要投诉'].got).toBe('handoff');
    expect(byQ['明天下午三点能给我留四十个蛋糕吗'].got).toBe('handoff');
    expect(summary).toMatchObject({ n: 7, model: 'fake-13b', fallbacks: { ungrounded: 1, invalid: 1, refused: 1 }, engines: { rules: 2, model: 1, offline: 4 } });
    // the late reply: the SDK's own timeout reads as 'timeout' under Node, as a connection error under jest's fetch
    expect((summary.fallbacks.timeout ?? 0) + (summary.fallbacks.error ?? 0)).toBe(1);
    expect(summary).toHaveProperty('precision');
    expect(summary).toHaveProperty('handoff_recall');
    // five questions reached the model (the complaint and the 40-cake booking are the rules' to settle);
    // four answered in time, each 1000 prompt + 100 completion tokens
    expect(fake.state.requests).toHaveLength(5);
    expect(summary).toMatchObject({ model_calls: 4, tokens_in: 4000, tokens_out: 400, cost_estimated: false });
    // (4000 × 2 元 + 400 × 8 元) / 1M over 7 questions, per 1,000 questions
    expect(summary.cost_per_1000).toBeCloseTo(((4000 * 2 + 400 * 8) / 1e6 / 7) * 1000, 6);
    const text = await runCli([...args, '--price-in', '2', '--price-out', '8']);
    delete process.env.LLM_TIMEOUT_MS;
    expect(text.stdout).toContain('模型 fake-13b：调用 4 次，每 1000 个问题约 1.60 元');
    // a price that is not a number is a clear input error
    const bad = await runCli([...args, '--price-in', 'cheap', '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, code: 'INPUT.INVALID' });
  });
});
