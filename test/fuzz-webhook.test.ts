import crypto from 'node:crypto';
import fc from 'fast-check';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { rotateWebhookSecret } from '@xiaoer/shared/usecases/orders/webhook';
import { startTestHost, type TestHost, VECTOR_A } from './helpers/host';

/**
 * Property-based fuzzing of the order webhook (`POST /webhook/orders/:merchantId`), in the style of
 * fuzz.test.ts: whatever arrives — any path segment, headers, content type or body, signed or not —
 * the answer is a 2xx or a 4xx carrying the error envelope with a stable code; never a 5xx, and the
 * host stays up. FUZZ_SEED replays a failing run.
 */
jest.setTimeout(180_000);

const SHOP = 'fuzz-orders';
const CODE = /^[A-Z_]+\.[A-Z_]+$/;
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const opts = (numRuns: number) => ({ numRuns, ...(seed === undefined ? {} : { seed }) });

let h: TestHost;
let secret = '';
const codes = new Set<string>();
beforeAll(async () => {
  h = await startTestHost();
  await createMerchant(h.rt.deps, { id: SHOP, name: '订单模糊测试店', ...VECTOR_A });
  secret = (await rotateWebhookSecret(h.rt.deps, SHOP, 'fuzz')).secret;
});
afterAll(() => h?.close());

async function post(path: string, headers: Record<string, string>, body: Uint8Array | string) {
  const res = await fetch(`${h.url}${path}`, { method: 'POST', headers, body });
  const text = await res.text();
  const status = res.status;
  expect(status).toBeLessThan(500);
  if (status >= 200 && status < 300) return status;
  expect(status).toBeGreaterThanOrEqual(400);
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  const env = JSON.parse(text) as { ok?: unknown; code?: unknown };
  expect(env.ok).toBe(false);
  expect(String(env.code)).toMatch(CODE);
  codes.add(String(env.code));
  return status;
}

// ---- arbitraries -------------------------------------------------------------------------

const anyTime = fc.oneof(
  fc.integer({ min: -1e16, max: 1e16 }),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '+08:00')),
  fc.constantFrom('2026-11-22 12:00', '2026-02-30T00:00:00Z', '', 'yesterday', 1763784000, 1.5e12 + 0.5),
);
const item = fc.record(
  {
    sku: fc.oneof(fc.string({ maxLength: 70 }), fc.integer()),
    name: fc.string({ unit: 'grapheme', maxLength: 110 }),
    qty: fc.oneof(fc.integer({ min: -3, max: 200_000 }), fc.double()),
    priceFen: fc.oneof(fc.integer({ min: -100, max: 2e10 }), fc.double(), fc.string({ maxLength: 5 })),
    category: fc.string({ unit: 'grapheme', maxLength: 40 }),
  },
  { requiredKeys: [] },
);
/** Order-shaped objects: every field present or not, right-typed or not. */
const orderish = fc.record(
  {
    orderNo: fc.oneof(fc.stringMatching(/^[0-9A-Za-z_.:#/-]{1,64}$/), fc.string({ unit: 'grapheme', maxLength: 80 }), fc.integer()),
    status: fc.oneof(fc.constantFrom('paid', 'fulfilled', 'refunded', 'cancelled'), fc.string({ maxLength: 12 }), fc.constant(null)),
    amountFen: fc.oneof(fc.integer({ min: -10, max: 2e10 }), fc.double(), fc.string({ maxLength: 8 }), fc.constant(null)),
    items: fc.oneof(fc.array(item, { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })),
    customer: fc.oneof(
      fc.record(
        {
          externalUserId: fc.string({ maxLength: 140 }),
          phone: fc.oneof(fc.stringMatching(/^\+?[0-9][0-9 -]{4,19}$/), fc.string({ maxLength: 30 })),
          unionId: fc.string({ maxLength: 140 }),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    storeId: fc.oneof(fc.string({ maxLength: 70 }), fc.integer()),
    placedAt: anyTime,
    updatedAt: anyTime,
  },
  { requiredKeys: [] },
);
/** Mostly valid orders: each field right nine times in ten, so both the ingest and each refusal are reached. */
const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 9, arbitrary: good as fc.Arbitrary<T | U> }, { weight: 1, arbitrary: bad as fc.Arbitrary<T | U> });
const nearOrder = fc.record({
  orderNo: mostly(fc.stringMatching(/^[0-9A-Za-z_-]{1,20}$/), fc.string({ maxLength: 80 })),
  status: mostly(fc.constantFrom('paid', 'fulfilled', 'refunded', 'cancelled'), fc.string({ maxLength: 12 })),
  amountFen: mostly(fc.integer({ min: 0, max: 1e6 }), fc.oneof(fc.double(), fc.integer({ min: -1e6, max: -1 }))),
  items: mostly(
    fc.array(
      fc.record({
        sku: fc.stringMatching(/^[A-Z0-9]{1,8}$/),
        name: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((x) => x.trim() !== ''),
        qty: fc.integer({ min: 1, max: 9 }),
        priceFen: fc.nat(5000),
      }),
      { maxLength: 3 },
    ),
    fc.array(item, { maxLength: 2 }),
  ),
  customer: mostly(
    fc.record({ externalUserId: fc.constantFrom('wm-1', 'wm-2'), phone: fc.constantFrom('13800138000', '+86 139-0000-0000') }, { requiredKeys: [] }),
    fc.jsonValue({ maxDepth: 1 }),
  ),
  placedAt: mostly(fc.integer({ min: 1.7e12, max: 1.9e12 }), anyTime),
  updatedAt: mostly(fc.integer({ min: 1.7e12, max: 1.9e12 }), anyTime),
});
const body = fc.oneof(
  { weight: 4, arbitrary: orderish.map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.uint8Array({ maxLength: 2048 }),
  fc.constantFrom('', '{', '{"orderNo":"A"', '\uFEFF{}', 'null', '[]', '{"__proto__":{"x":1}}'),
  fc.integer({ min: 1, max: 300 * 1024 }).map((n) => `{"pad":"${'x'.repeat(n)}"}`),
);
const segment = fc.oneof(
  { weight: 6, arbitrary: fc.constant(SHOP) },
  fc.stringMatching(/^[a-z0-9][a-z0-9_-]{1,39}$/),
  fc.string({ unit: 'grapheme', maxLength: 50 }).map(encodeURIComponent),
  fc.constantFrom('%E0%A4%A', '%zz', 'a%2Fb', '..', 'A'.repeat(45)),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'Application/JSON;charset="UTF-8"',
  'text/plain',
  'application/json; charset=gbk',
  '',
  'multipart/form-data',
);
const timestampHeader = fc.oneof(fc.constant('now'), fc.constant('stale'), fc.stringMatching(/^\d{1,14}$/), fc.string({ maxLength: 20 }));
const signatureHeader = fc.constantFrom('valid', 'upper', 'short', 'long', 'empty', 'garbage', 'other-key');

describe('fuzz: the order webhook (in-process host)', () => {
  it('answers any delivery with a 2xx or a coded 4xx, and stays up', async () => {
    const delivery = fc.record({ segment, contentType, ts: timestampHeader, sig: signatureHeader, body, signedBodyIsOrder: fc.boolean() });
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(delivery, async (d) => {
        runs++;
        const bytes = typeof d.body === 'string' ? Buffer.from(d.body, 'utf8') : Buffer.from(d.body);
        const now = Math.floor(Date.now() / 1000);
        const ts = d.ts === 'now' ? String(now) : d.ts === 'stale' ? String(now - 400) : d.ts;
        const mac = (key: string) => crypto.createHmac('sha256', key).update(`${ts}.`).update(bytes).digest('hex');
        const sig = {
          valid: mac(secret),
          upper: mac(secret).toUpperCase(),
          short: mac(secret).slice(0, 40),
          long: mac(secret) + 'ab',
          empty: '',
          garbage: 'zz'.repeat(32),
          'other-key': mac('whsec_other'),
        }[d.sig];
        const headers: Record<string, string> = { 'x-xiaoer-timestamp': ts, 'x-xiaoer-signature': sig };
        if (d.contentType) headers['content-type'] = d.contentType;
        await post(`/webhook/orders/${d.segment}`, headers, bytes);
      }),
      opts(1500),
    );
    expect(runs).toBeGreaterThanOrEqual(1500);
  });

  it('signed, fresh order-shaped bodies reach the order check and the ingest', async () => {
    let ok = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(nearOrder, orderish), async (o) => {
        const text = JSON.stringify(o);
        const ts = String(Math.floor(Date.now() / 1000));
        const sig = crypto.createHmac('sha256', secret).update(`${ts}.${text}`).digest('hex');
        if ((await post(`/webhook/orders/${SHOP}`, { 'content-type': 'application/json', 'x-xiaoer-timestamp': ts, 'x-xiaoer-signature': sig }, text)) === 200) ok++;
      }),
      opts(1000),
    );
    // many were valid: the fuzzer got past the checks into the ingest
    expect(ok).toBeGreaterThan(100);
  });

  it('stays up, and the runs met every refusal', async () => {
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect([...codes]).toEqual(
      expect.arrayContaining([
        'WEBHOOK.BAD_SIGNATURE',
        'WEBHOOK.BAD_TIMESTAMP',
        'WEBHOOK.STALE',
        'WEBHOOK.UNKNOWN_MERCHANT',
        'WEBHOOK.UNSUPPORTED_TYPE',
        'WEBHOOK.INVALID_ORDER',
        'INPUT.TOO_LARGE',
      ]),
    );
  });
});
