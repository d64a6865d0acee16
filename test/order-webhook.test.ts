import crypto from 'node:crypto';
import net from 'node:net';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { addDays, dayOf } from '@xiaoer/shared/domain/time';
import type { OrderEventInput } from '@xiaoer/shared/domain/order-event';
import { runCli } from '../cloudfunctions/server/cli/main';
import { makeLoginLink } from '../cloudfunctions/server/host/login';
import { api, loginCookie, startTestHost, type TestHost, VECTOR_A } from './helpers/host';

/**
 * `POST /webhook/orders/:merchantId` on the local host: signature vectors, freshness, the body
 * cap, malformed bodies, unknown shops, a CLI rotation taking effect at once, and 1,000
 * randomized deliveries (duplicates, reorderings, concurrency) checked against a model.
 */
const SHOP = 'hook-shop';
const TZ = 'Asia/Shanghai';
let h: TestHost;
let secret = '';

beforeAll(async () => {
  h = await startTestHost();
  await createMerchant(h.rt.deps, { id: SHOP, name: '回调店', ...VECTOR_A });
  await createMerchant(h.rt.deps, { id: 'quiet-shop', name: '没接订单的店', ...VECTOR_A });
  process.env.DATA_DIR = h.dataDir;
  const out = await runCli(['webhook', 'secret', '--merchant', SHOP, '--json']);
  expect(out.code).toBe(0);
  secret = JSON.parse(out.stdout).secret;
});
afterAll(async () => {
  delete process.env.DATA_DIR;
  await h.close();
});

const nowS = () => Math.floor(Date.now() / 1000);
const sign = (key: string, ts: string, body: string) => crypto.createHmac('sha256', key).update(`${ts}.${body}`).digest('hex');

async function deliver(body: string, opts: { key?: string; ts?: string; signature?: string; headers?: Record<string, string>; shop?: string } = {}) {
  const ts = opts.ts ?? String(nowS());
  const res = await fetch(`${h.url}/webhook/orders/${opts.shop ?? SHOP}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-xiaoer-timestamp': ts, 'x-xiaoer-signature': opts.signature ?? sign(opts.key ?? secret, ts, body), ...opts.headers },
  });
  return { status: res.status, body: (await res.json()) as { ok: boolean; code?: string; data?: { outcome: string; matched: boolean } } };
}

const ev = (over: Partial<OrderEventInput> = {}) =>
  JSON.stringify({
    orderNo: 'H-1',
    status: 'paid',
    amountFen: 1800,
    items: [{ sku: 'T01', name: '杨枝甘露', qty: 1, priceFen: 1800 }],
    customer: { phone: '13800138000' },
    placedAt: Date.UTC(2026, 10, 22, 4),
    updatedAt: Date.UTC(2026, 10, 22, 4),
    ...over,
  });

const counters = async (from = '2026-11-20', to = '2026-11-30') => {
  const days = await h.rt.storage.counters.days(SHOP, from, to);
  return Object.values(days).reduce((t, c) => ({ orders: t.orders + c.orders, revenueFen: t.revenueFen + c.revenueFen, refunds: t.refunds + c.refunds }), {
    orders: 0,
    revenueFen: 0,
    refunds: 0,
  });
};

describe('order webhook over HTTP', () => {
  it('accepts a signed event once: the repeat answers 200 and counts nothing', async () => {
    const body = ev();
    expect(await deliver(body)).toEqual({ status: 200, body: { ok: true, data: { orderNo: 'H-1', outcome: 'created', matched: false } } });
    expect((await deliver(body)).body.data?.outcome).toBe('duplicate');
    expect(await counters()).toEqual({ orders: 1, revenueFen: 1800, refunds: 0 });
  });

  it('verifies the openssl vector (wall clock set to its second) and nothing but its exact lowercase hex', async () => {
    const key = 'whsec_openssl-vector-0123456789';
    const body =
      '{"orderNo":"NO-20261122-0001","status":"paid","amountFen":3200,"items":[{"sku":"T01","name":"杨枝甘露","qty":2,"priceFen":1600,"category":"鲜果茶"}],"customer":{"phone":"13800138000"},"placedAt":"2026-11-22T12:00:00+08:00","updatedAt":"2026-11-22T12:00:05+08:00"}';
    // printf '%s' "1763784000.$BODY" | openssl dgst -sha256 -hmac 'whsec_openssl-vector-0123456789'
    const OPENSSL = 'cd94f0584eb13a564079aa222c824335c9cd8e9a692a2a103ca413a25b59a14c';
    expect(sign(key, '1763784000', body)).toBe(OPENSSL);
    await createMerchant(h.rt.deps, { id: 'vector-shop', name: '向量店', ...VECTOR_A });
    await h.rt.storage.kv.set('vector-shop', 'webhook', 'secret', { sealed: h.rt.deps.secrets.seal(key), rotatedAt: 1 }, null, 1);
    const timers = h.rt.deps.timers;
    h.rt.deps.timers = { ...timers, wallNow: () => 1763784000_000 + 120_000 };
    try {
      const go = (signature: string) => deliver(body, { shop: 'vector-shop', ts: '1763784000', signature });
      for (const bad of [OPENSSL.toUpperCase(), OPENSSL.slice(1), `${OPENSSL}00`, 'x', `sha256=${OPENSSL}`]) expect((await go(bad)).body.code).toBe('WEBHOOK.BAD_SIGNATURE');
      expect((await go(OPENSSL)).body).toMatchObject({ ok: true, data: { outcome: 'created' } });
    } finally {
      h.rt.deps.timers = timers;
    }
  });

  it.each([
    ['a stale timestamp', () => deliver(ev({ orderNo: 'R-1' }), { ts: String(nowS() - 301) }), 400, 'WEBHOOK.STALE'],
    ['a future timestamp', () => deliver(ev({ orderNo: 'R-1' }), { ts: String(nowS() + 301) }), 400, 'WEBHOOK.STALE'],
    ['no timestamp', () => deliver(ev({ orderNo: 'R-1' }), { ts: '' }), 400, 'WEBHOOK.BAD_TIMESTAMP'],
    ['a timestamp in ms', () => deliver(ev({ orderNo: 'R-1' }), { ts: String(Date.now() * 1000) }), 400, 'WEBHOOK.BAD_TIMESTAMP'],
    ['no signature', () => deliver(ev({ orderNo: 'R-1' }), { signature: '' }), 401, 'WEBHOOK.BAD_SIGNATURE'],
    [
      'an uppercase signature',
      () => deliver(ev({ orderNo: 'R-1' }), { signature: sign(secret, String(nowS()), ev({ orderNo: 'R-1' })).toUpperCase() }),
      401,
      'WEBHOOK.BAD_SIGNATURE',
    ],
    ['a 10 KB signature', () => deliver(ev({ orderNo: 'R-1' }), { signature: 'a'.repeat(10_000) }), 401, 'WEBHOOK.BAD_SIGNATURE'],
    ['another secret', () => deliver(ev({ orderNo: 'R-1' }), { key: 'whsec_guess' }), 401, 'WEBHOOK.BAD_SIGNATURE'],
    ['an unknown shop', () => deliver(ev({ orderNo: 'R-1' }), { shop: 'no-such-shop' }), 404, 'WEBHOOK.UNKNOWN_MERCHANT'],
    ['a malformed shop id', () => deliver(ev({ orderNo: 'R-1' }), { shop: 'NO%20SUCH' }), 404, 'WEBHOOK.UNKNOWN_MERCHANT'],
    ['a shop without a secret', () => deliver(ev({ orderNo: 'R-1' }), { shop: 'quiet-shop' }), 401, 'WEBHOOK.NO_SECRET'],
    ['malformed JSON', () => deliver('{"orderNo":"R-1",'), 400, 'WEBHOOK.BAD_JSON'],
    ['an invalid order', () => deliver(ev({ orderNo: 'R-1', amountFen: -5 })), 422, 'WEBHOOK.INVALID_ORDER'],
    ['form data', () => deliver(ev({ orderNo: 'R-1' }), { headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'WEBHOOK.UNSUPPORTED_TYPE'],
    [
      'a body over 256 KB',
      () => deliver(ev({ orderNo: 'R-1', items: [{ sku: 'x', name: 'y'.repeat(100), qty: 1, priceFen: 1 }], pad: 'z'.repeat(262_144) } as never)),
      413,
      'INPUT.TOO_LARGE',
    ],
  ])('refuses %s and writes nothing', async (_what, go, status, code) => {
    const before = await counters();
    const r = await go();
    expect(r.status).toBe(status);
    expect(r.body).toMatchObject({ ok: false, code });
    expect(await h.rt.storage.orders.get(SHOP, 'R-1')).toBeNull();
    expect(await counters()).toEqual(before);
  });

  it('refuses GET with 405 and a declared 10 MB body at once, before it is sent', async () => {
    expect((await fetch(`${h.url}/webhook/orders/${SHOP}`)).status).toBe(405);
    const { port } = new URL(h.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const s = net.connect(Number(port), '127.0.0.1', () => {
        s.write(`POST /webhook/orders/${SHOP} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{"orderNo":`);
      });
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no answer before the body: ${out}`)), 5000);
      s.on('data', (b) => {
        out += b.toString();
        if (out.includes('}')) {
          clearTimeout(timer);
          s.destroy();
          resolve(out);
        }
      });
      s.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer).toContain('INPUT.TOO_LARGE');
  });

  it('takes a secret rotated with the CLI at once, and drops the old one', async () => {
    const old = secret;
    const out = await runCli(['webhook', 'secret', '--merchant', SHOP, '--json']);
    secret = JSON.parse(out.stdout).secret;
    expect(secret).not.toBe(old);
    expect((await deliver(ev({ orderNo: 'ROT-1' }), { key: old })).body.code).toBe('WEBHOOK.BAD_SIGNATURE');
    expect((await deliver(ev({ orderNo: 'ROT-1' }))).body.data?.outcome).toBe('created');
  });

  it('imports an order CSV with the CLI: bad rows by line, the same idempotency as the webhook', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const file = path.join(h.dataDir, 'orders.csv');
    fs.writeFileSync(
      file,
      '\uFEFForderNo,status,amount,placedAt,phone,name,qty,price\nCSV-1,paid,12.00,2026-11-22 10:00,13800138000,杨枝甘露,1,12\nCSV-2,paid,,2026-11-22 10:05,,,,\nH-1,paid,18.00,2026-11-22 12:00,,,,\n',
    );
    const before = await counters();
    const first = JSON.parse((await runCli(['orders', 'import', '--merchant', SHOP, '--file', file, '--json'])).stdout);
    expect(first).toMatchObject({ imported: 1, unchanged: 1, errors: [{ line: 3, message: expect.stringContaining('金额') }] });
    const again = JSON.parse((await runCli(['orders', 'import', '--merchant', SHOP, '--file', file, '--json'])).stdout);
    expect(again).toMatchObject({ imported: 0, unchanged: 2 });
    expect(await counters()).toEqual({ ...before, orders: before.orders + 1, revenueFen: before.revenueFen + 1200 });
  });
});

describe('orders from the app (owner session)', () => {
  it('imports a table past the 64 KiB api cap, lists what matched nobody and links it to a customer', async () => {
    const cookie = await loginCookie(await makeLoginLink(h.rt, SHOP, 'owner', h.url));
    const now = h.clock.now();
    await h.rt.storage.customers.upsert({
      merchantId: SHOP,
      externalUserId: 'wm-app',
      name: '小周',
      source: 'kf',
      tags: [],
      totalSpentFen: 0,
      orderCount: 0,
      lost: false,
      createdAt: now,
      updatedAt: now,
    });
    // a note column the import ignores makes the file bigger than an ordinary api call may be
    const note = 'x'.repeat(70_000);
    const csv = `orderNo,status,amount,placedAt,phone,备注\nAPP-1,paid,9.90,2026-11-22 09:00,13700000000,${note}\n`;
    const imported = await api(h.url, cookie, { action: 'orders.import', merchantId: SHOP, format: 'csv', content: csv });
    expect(imported.status).toBe(200);
    expect(imported.body.data).toMatchObject({ imported: 1, unmatched: 1, errors: [], warnings: [{ line: 1, message: expect.stringContaining('备注') }] });
    const listed = await api(h.url, cookie, { action: 'orders.unmatched', merchantId: SHOP });
    expect(listed.body.data.orders).toEqual(expect.arrayContaining([expect.objectContaining({ orderNo: 'APP-1', amountFen: 990, phone: '13700000000' })]));
    const linked = await api(h.url, cookie, { action: 'orders.link', merchantId: SHOP, orderNo: 'APP-1', externalUserId: 'wm-app' });
    expect(linked.body).toEqual({ ok: true, data: { orderNo: 'APP-1', externalUserId: 'wm-app' } });
    expect(await h.rt.storage.customers.get(SHOP, 'wm-app')).toMatchObject({ totalSpentFen: 990, orderCount: 1 });
    // anything else that big is still refused
    expect((await api(h.url, cookie, { action: 'kb.ask', merchantId: SHOP, text: note })).body.code).toBe('INPUT.TOO_LARGE');
  });
});

describe('1,000 randomized deliveries (duplicates, reorderings, 8 at a time)', () => {
  /** A seeded PRNG: a failing run can be replayed with ORDER_SEED. */
  function rng(seed: number) {
    let x = seed >>> 0 || 1;
    return () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 2 ** 32;
    };
  }

  it("moves revenue, orders, refunds and each customer's spend exactly as the model says", async () => {
    const seed = Number(process.env.ORDER_SEED ?? Date.now() % 1_000_000);
    const r = rng(seed);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
    const shop = 'random-shop';
    await createMerchant(h.rt.deps, { id: shop, name: '随机店', ...VECTOR_A });
    process.env.DATA_DIR = h.dataDir;
    const key = JSON.parse((await runCli(['webhook', 'secret', '--merchant', shop, '--json'])).stdout).secret as string;
    const customers = Array.from({ length: 12 }, (_, i) => ({ ext: `wm-r${i}`, phone: `1380000${String(i).padStart(4, '0')}` }));
    const now = h.clock.now();
    for (const c of customers)
      await h.rt.storage.customers.upsert({
        merchantId: shop,
        externalUserId: c.ext,
        name: c.ext,
        phone: c.phone,
        source: 'kf',
        tags: [],
        totalSpentFen: 0,
        orderCount: 0,
        lost: false,
        createdAt: now,
        updatedAt: now,
      });

    const LIFECYCLES = [['paid'], ['paid', 'fulfilled'], ['paid', 'refunded'], ['paid', 'fulfilled', 'refunded'], ['cancelled'], ['paid', 'cancelled']] as const;
    const base = Date.UTC(2026, 10, 20, 2);
    type Ev = { orderNo: string; status: string; amountFen: number; placedAt: number; updatedAt: number; customer: Record<string, string> };
    const deliveries: Ev[] = [];
    const delivered = new Map<string, Ev[]>();
    for (let n = 0; deliveries.length < 1000; n++) {
      const orderNo = `R-${seed}-${n}`;
      const placedAt = base + Math.floor(r() * 5 * 86_400_000);
      const amountFen = 100 + Math.floor(r() * 50_000);
      const who = r();
      const c = pick(customers);
      const customer: Record<string, string> =
        who < 0.45 ? { externalUserId: c.ext } : who < 0.8 ? { phone: r() < 0.5 ? c.phone : `+86 ${c.phone.slice(0, 3)}-${c.phone.slice(3)}` } : { phone: '13999999999' };
      const steps = pick(LIFECYCLES);
      let t = placedAt;
      const events = steps.map((status) => ({ orderNo, status, amountFen, placedAt, updatedAt: (t += 60_000 + Math.floor(r() * 86_400_000)), customer }));
      // some earlier events never arrive at all (the refund alone proves the payment)
      const arrive = events.filter((_, i) => i === events.length - 1 || r() < 0.75);
      delivered.set(orderNo, arrive);
      for (const e of arrive) for (let k = 1 + Math.floor(r() * 3); k > 0; k--) deliveries.push(e);
    }
    deliveries.length = 1000;
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]];
    }

    let next = 0;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < deliveries.length) {
          const e = deliveries[next++];
          const body = JSON.stringify({ ...e, items: [{ sku: 'S', name: '饮品', qty: 1, priceFen: e.amountFen, category: e.amountFen % 2 ? '奶茶' : '果茶' }] });
          const ts = String(nowS());
          const res = await fetch(`${h.url}/webhook/orders/${shop}`, {
            method: 'POST',
            body,
            headers: { 'content-type': 'application/json', 'x-xiaoer-timestamp': ts, 'x-xiaoer-signature': sign(key, ts, body) },
          });
          statuses.push(res.status);
          await res.arrayBuffer();
        }
      }),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    // the model: facts from the set of events that arrived, whatever their order or number
    const model = { orders: 0, revenueFen: 0, refunds: 0, byDay: new Map<string, number>(), spend: new Map<string, { fen: number; n: number }>() };
    const addDay = (d: string, fen: number) => model.byDay.set(d, (model.byDay.get(d) ?? 0) + fen);
    const delivering = new Set(deliveries.map((d) => d.orderNo));
    for (const [orderNo, evs] of delivered) {
      const arrived = evs.filter((e) => delivering.has(orderNo) && deliveries.includes(e));
      if (!arrived.length) continue;
      const paid = arrived.some((e) => e.status !== 'cancelled');
      const refund = arrived.find((e) => e.status === 'refunded');
      const e0 = arrived[0];
      if (paid) {
        model.orders++;
        model.revenueFen += e0.amountFen;
        addDay(dayOf(e0.placedAt, TZ), e0.amountFen);
      }
      if (refund) {
        model.refunds++;
        model.revenueFen -= e0.amountFen;
        addDay(dayOf(refund.updatedAt, TZ), -e0.amountFen);
      }
      const c = customers.find((x) => x.ext === e0.customer.externalUserId || x.phone === e0.customer.phone?.replace(/\D/g, '').replace(/^86/, ''));
      if (c && paid && !refund) {
        const s = model.spend.get(c.ext) ?? { fen: 0, n: 0 };
        model.spend.set(c.ext, { fen: s.fen + e0.amountFen, n: s.n + 1 });
      }
    }

    const days = await h.rt.storage.counters.days(shop, '2026-11-19', addDays('2026-11-19', 14));
    const total = Object.values(days).reduce((t, c) => ({ orders: t.orders + c.orders, revenueFen: t.revenueFen + c.revenueFen, refunds: t.refunds + c.refunds }), {
      orders: 0,
      revenueFen: 0,
      refunds: 0,
    });
    expect({ seed, ...total }).toEqual({ seed, orders: model.orders, revenueFen: model.revenueFen, refunds: model.refunds });
    for (const [d, c] of Object.entries(days)) expect({ seed, d, fen: c.revenueFen }).toEqual({ seed, d, fen: model.byDay.get(d) ?? 0 });
    for (const c of customers) {
      const got = (await h.rt.storage.customers.get(shop, c.ext))!;
      const want = model.spend.get(c.ext) ?? { fen: 0, n: 0 };
      expect({ seed, ext: c.ext, fen: got.totalSpentFen, n: got.orderCount }).toEqual({ seed, ext: c.ext, fen: want.fen, n: want.n });
    }
    expect(model.refunds).toBeGreaterThan(10);
  });
});
