import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { zeroCounters, type Counters } from '@xiaoer/shared/domain/counters';
import { newJob } from '@xiaoer/shared/domain/job';
import { BUDGET_NS, type BudgetEntry } from '@xiaoer/shared/usecases/answer/model';
import { buildMonthly } from '@xiaoer/shared/usecases/reports/monthly';
import { createSuggestionWriter, type SuggestionsFallback } from '@xiaoer/shared/usecases/reports/monthly-model';
import { createMonthlyReportJob } from '@xiaoer/shared/usecases/reports/period-job';
import { count } from '@xiaoer/shared/usecases/reports/counters';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { ensureLocalMember } from '@xiaoer/shared/usecases/shop/members';
import { FakeWecomApi } from '@xiaoer/shared/testing/fake-wecom-api';
import { createOpenAIChatModel } from '../cloudfunctions/server/llm/openai-model';
import { testDeps } from './helpers/deps';

type Reply = { status?: number; delayMs?: number; content?: string };

/** A programmable OpenAI-compatible server: `next` answers every request until changed. */
function fakeServer() {
  const state = { next: { content: '{}' } as Reply, requests: [] as { messages: { role: string; content: string }[] }[] };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return void res.writeHead(404).end();
      state.requests.push(JSON.parse(raw));
      const r = state.next;
      const send = () => {
        if (res.destroyed) return;
        const status = r.status ?? 200;
        const body =
          status === 200
            ? {
                id: 'x',
                object: 'chat.completion',
                created: 0,
                model: 'fake',
                choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: r.content } }],
                usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 },
              }
            : { error: { message: `status ${status}`, type: 'fake' } };
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      if (r.delayMs) setTimeout(send, r.delayMs);
      else send();
    });
  });
  return { server, state };
}

const sh = (local: string) => Date.parse(`${local}+08:00`);
const c = (p: Partial<Counters>): Counters => ({ ...zeroCounters(), ...p });
const json = (suggestions: unknown) => JSON.stringify({ suggestions });
// every number here is in the month's facts: 20% (revenue change), 32 orders, 75% AI answer rate, 1 low product
const GOOD = [
  '营业额比上月少了 20%，这个周末做一次限时优惠，用企业微信告诉老客户。',
  'AI 回答率 75%，把它没答上来的问题补进知识库，少让客户等人工。',
  '有 1 个商品库存偏低，这周先补货，别让客户下单时买不到。',
];

// November of a shop whose revenue fell; no customer data goes in
const NOVEMBER = buildMonthly({
  first: '2026-11-01',
  last: '2026-11-30',
  from: sh('2026-11-01T00:00:00'),
  to: sh('2026-12-01T00:00:00'),
  counters: {
    '2026-10-10': c({ revenueFen: 100_000, orders: 40, consultations: 80 }),
    '2026-11-10': c({ revenueFen: 80_000, orders: 32, consultations: 90, newCustomers: 12, aiAnswered: 45, aiHandoffs: 15, firstResponseMsSum: 600_000, firstResponseCount: 2 }),
  },
  orders: [],
  ordersOmitted: false,
  customers: new Map(),
  products: [
    { merchantId: 'shop', sku: 'T1', name: '杨枝甘露', priceFen: 1600, stock: 2, lowStockAt: 5, updatedAt: 0 },
    { merchantId: 'shop', sku: 'T2', name: '芋圆奶茶', priceFen: 1600, stock: 20, lowStockAt: 5, updatedAt: 0 },
  ],
  hasOrders: true,
});

describe('monthly suggestions written by the model (fake OpenAI-compatible server)', () => {
  const deps = testDeps(sh('2026-12-05T09:00:00'));
  const fake = fakeServer();
  let baseURL = '';
  const fallbacks: SuggestionsFallback[] = [];
  const writer = (o: { timeoutMs?: number; monthlyBudgetFen?: number } = {}) =>
    createSuggestionWriter({
      model: createOpenAIChatModel({ apiKey: 'sk-test', baseURL, model: 'fake-model', maxRetries: 0 }),
      kv: deps.storage.kv,
      clock: deps.clock,
      timers: deps.timers,
      pricePerMTokFen: { input: 200, output: 800 },
      monthlyBudgetFen: o.monthlyBudgetFen ?? 10_000,
      timeoutMs: o.timeoutMs ?? 2000,
      onFallback: ({ why }) => fallbacks.push(why),
    });
  const budget = async (m = 'shop') => (await deps.storage.kv.get<BudgetEntry>(m, BUDGET_NS, '2026-12'))?.value;
  const write = (o?: { timeoutMs?: number; monthlyBudgetFen?: number }, m = 'shop') =>
    writer(o).write({ id: m, timezone: 'Asia/Shanghai' }, NOVEMBER.numbers, NOVEMBER.details.suggestions);

  beforeAll(async () => {
    await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r));
    baseURL = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((r) => fake.server.close(() => r())));
  beforeEach(() => {
    fake.state.requests = [];
    fallbacks.length = 0;
  });

  it('accepts three plain sentences that use only the numbers it was given, and counts the call in the shop budget', async () => {
    fake.state.next = { content: json(GOOD) };
    const before = (await budget())?.spentFen ?? 0;
    const w = await write();
    expect(w).toMatchObject({ by: 'model', suggestions: GOOD });
    expect(w.fallback).toBeUndefined();
    // 1000 × 200 + 100 × 800 per million tokens = 0.28 fen
    expect(w.costFen).toBeCloseTo(0.28);
    expect((await budget())!.spentFen).toBeCloseTo(before + 0.28);
    const user = fake.state.requests[0]!.messages.find((m) => m.role === 'user')!.content;
    expect(user).toContain('经营健康分 52');
    expect(user).toContain('营业额比上月少 20%');
    // revenue goes in as a change only: staff read the suggestions and do not see revenue
    expect(user).not.toMatch(/¥|800|1,?000 元/);
  });

  it.each<[string, string, SuggestionsFallback]>([
    ['rambling', json([GOOD[0], `${'我们建议您认真考虑一下店里的整体经营情况，'.repeat(4)}然后再做决定。`, GOOD[2]]), 'invalid'],
    ['markdown', json([GOOD[0], '**补货**：把库存偏低的商品补上，免得客户买不到。', GOOD[2]]), 'invalid'],
    ['numbered', json(['1. 营业额比上月少了，周末做一次限时优惠吧。', GOOD[1], GOOD[2]]), 'invalid'],
    ['two suggestions', json([GOOD[0], GOOD[1]]), 'invalid'],
    ['not JSON', '下个月多做活动，多补货，多回复客户。', 'invalid'],
    ['refusal as text', '抱歉，我无法根据这些数据给出经营建议。', 'refusal'],
    ['refusal inside', json([GOOD[0], '抱歉，作为 AI 我不能提供具体的经营建议。', GOOD[2]]), 'refusal'],
    ['an invented number', json([GOOD[0], '做一次满 30 减 5 的活动，预计营业额能涨 35%。', GOOD[2]]), 'invented_numbers'],
  ])('falls back to the rules on %s', async (_name, content, why) => {
    fake.state.next = { content };
    const before = (await budget())?.calls ?? 0;
    const w = await write();
    expect(w).toMatchObject({ by: 'rules', fallback: why, suggestions: NOVEMBER.details.suggestions });
    expect(fallbacks).toEqual([why]);
    // the call was made and paid for, whatever came back
    expect((await budget())!.calls).toBe(before + 1);
  });

  it('falls back to the rules on a server error, without retrying', async () => {
    fake.state.next = { status: 500 };
    expect(await write()).toMatchObject({ by: 'rules', fallback: 'error', suggestions: NOVEMBER.details.suggestions, costFen: 0 });
    expect(fake.state.requests).toHaveLength(1);
  });

  it('falls back to the rules when the model is too slow', async () => {
    fake.state.next = { content: json(GOOD), delayMs: 1500 };
    expect(await write({ timeoutMs: 200 })).toMatchObject({ by: 'rules', fallback: 'timeout', suggestions: NOVEMBER.details.suggestions });
  });

  it('does not call the model once the shop has spent its monthly budget (shared with the answers)', async () => {
    await deps.storage.kv.set('broke', BUDGET_NS, '2026-12', { spentFen: 500, calls: 3 } satisfies BudgetEntry, null, deps.clock.now());
    fake.state.next = { content: json(GOOD) };
    expect(await write({ monthlyBudgetFen: 500 }, 'broke')).toMatchObject({ by: 'rules', fallback: 'budget', costFen: 0 });
    expect(fake.state.requests).toHaveLength(0);
    expect(await budget('broke')).toEqual({ spentFen: 500, calls: 3 });
  });

  it('stores who wrote the suggestions with the monthly report, and sends the model-written ones', async () => {
    await createMerchant(deps, {
      id: 'shop',
      name: '阿香奶茶',
      corpId: 'wx5823bf96d3bd56c7',
      token: 'QDG6eK',
      aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
      agentId: 1000002,
      appSecret: 's',
    });
    const owner = await ensureLocalMember(deps, 'shop', 'owner');
    await deps.storage.members.save({ ...owner, wecomUserId: 'LaoBan' });
    await count(deps, (await deps.storage.merchants.get('shop'))!, [{ name: 'consultations', at: sh('2026-11-10T11:00:00'), eventId: 'c1', amount: 3 }]);
    const job = (key: string, month: string) => ({
      ...newJob({ key: `report:monthly:${key}:${month}`, merchantId: key, kind: 'report.monthly', runAt: 0, payload: { month } }, 0),
      attempts: 1,
    });
    const wecom = new FakeWecomApi();
    // whatever numbers this month has, the model may only repeat them: these have none
    const plain = ['把客服二维码放到收银台和外卖袋上，多拉新客户来问。', '给来问过的客户发一张下次能用的优惠券。', '在知识库补上营业时间和招牌商品，让 AI 多答一些。'];
    fake.state.next = { content: json(plain) };
    await createMonthlyReportJob({ wecom, suggestions: writer() }).run(job('shop', '2026-11'), deps);
    const stored = (await deps.storage.reports.get('shop', 'monthly', '2026-11-01'))!;
    expect(stored.details).toEqual({ suggestions: plain, suggestionsBy: 'model' });
    expect(stored.text).toContain(plain[0]);
    expect((wecom.callsTo('message/send')[0]!.req as { markdown: { content: string } }).markdown.content).toContain(plain[1]);

    // a failing model: the rule-based ones are stored, and why
    fake.state.next = { status: 500 };
    await createMonthlyReportJob({ wecom, suggestions: writer() }).run(job('shop', '2026-10'), deps);
    const october = (await deps.storage.reports.get('shop', 'monthly', '2026-10-01'))!;
    expect(october.details).toMatchObject({ suggestionsBy: 'rules', suggestionsFallback: 'error' });
    expect(october.details.suggestions).toHaveLength(3);
  });
});
