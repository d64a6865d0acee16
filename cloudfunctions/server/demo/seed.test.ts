import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStorage } from '../storage/sqlite';
import { createSecretBox } from '../security/secret-box';
import { ManualClock, addDays, dayOf, startOfDay } from '@xiaoer/shared/domain/time';
import { Customer } from '@xiaoer/shared/domain/customer';
import { Conversation, Message } from '@xiaoer/shared/domain/conversation';
import { Order } from '@xiaoer/shared/domain/commerce';
import { StoredFaq, StoredProduct } from '@xiaoer/shared/domain/knowledge';
import { Merchant } from '@xiaoer/shared/domain/merchant';
import { listTeachItems } from '@xiaoer/shared/usecases/knowledge/teach';
import { ingestOrderEvent } from '@xiaoer/shared/usecases/orders/ingest';
import { listAlerts } from '@xiaoer/shared/usecases/alerts/store';
import { rebuildCounters } from '@xiaoer/shared/usecases/reports/rebuild';
import type { Storage } from '@xiaoer/shared/ports/storage';
import { INVITE_ALPHABET, type Deps, type IdGen } from '@xiaoer/shared/ports/deps';
import { DEMO_MERCHANT_ID, DEMO_WECOM, buildDemoShop, seedDemoShop } from './';
import { nodeTimers } from '../timers';

const TZ = 'Asia/Shanghai';
const NOW = Date.UTC(2026, 10, 22, 4, 0); // 2026-11-22 12:00 in Shanghai, a Sunday
const M = DEMO_MERCHANT_ID;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-demo-'));
let n = 0;
const opened: Storage[] = [];

function seqIds(): IdGen {
  let i = 0;
  let c = 0;
  return {
    id: (prefix) => `${prefix}_${++i}`,
    inviteCode: () => {
      c++;
      return Array.from({ length: 8 }, (_, k) => INVITE_ALPHABET[(c * 7 + k * 13) % INVITE_ALPHABET.length]).join('');
    },
  };
}

function makeDeps(now = NOW): Deps & { clock: ManualClock } {
  const storage = openSqliteStorage(path.join(dir, `demo${n++}.db`));
  opened.push(storage);
  return { storage, clock: new ManualClock(now), secrets: createSecretBox(crypto.randomBytes(32)), ids: seqIds(), timers: nodeTimers };
}

afterAll(async () => {
  for (const s of opened) await s.close();
});

async function allCustomers(s: Storage) {
  return (await s.customers.list(M, { limit: 1000 })).items;
}
async function allConversations(s: Storage) {
  return (await s.conversations.list(M, { limit: 1000 })).items;
}
async function allMessages(s: Storage) {
  const out = new Map<string, Message[]>();
  for (const c of await allConversations(s)) out.set(c.id, await s.messages.listByConversation(M, c.id, 10_000));
  return out;
}
async function allOrders(s: Storage) {
  return s.orders.listPlacedBetween(M, 0, NOW + 1, 100_000);
}
async function counters(s: Storage) {
  const today = dayOf(NOW, TZ);
  return s.counters.days(M, addDays(today, -95), today);
}

/** The customer of the one conversation waiting for a person (the missing cup: their order was delivered). */
function waitingCustomer(convs: Conversation[]): string | undefined {
  return convs.find((c) => c.state === 'waiting_human')?.externalUserId;
}

describe('seedDemoShop', () => {
  it('seeds once, then does nothing; rows and counters agree', async () => {
    const deps = makeDeps();
    const s = deps.storage;
    expect(await seedDemoShop(deps)).toEqual({ created: true, merchantId: M });

    const customers = await allCustomers(s);
    const before = { customers: customers.length, counters: await counters(s), audit: (await s.audit.list(M, 100)).length };
    expect(customers.length).toBeGreaterThanOrEqual(190);
    expect(customers.length).toBeLessThanOrEqual(210);

    // re-run: nothing written
    deps.clock.advance(5 * 60_000);
    expect(await seedDemoShop(deps)).toEqual({ created: false, merchantId: M });
    expect(await s.customers.count(M)).toBe(before.customers);
    expect(await counters(s)).toEqual(before.counters);
    expect((await s.audit.list(M, 100)).length).toBe(before.audit);
    expect(await s.invites.list(M)).toHaveLength(1);
    // the owner, and 张宇: the second WeCom member the demo's 客户联系 customers belong to
    expect((await s.members.list(M)).map((m) => [m.role, m.openid, m.wecomUserId]).sort()).toEqual([
      ['owner', `local:${M}:owner`, 'XiaoMan'],
      ['staff', 'demo:ZhangYu', 'ZhangYu'],
    ]);

    // the shop itself
    const merchant = (await s.merchants.get(M))!;
    expect(Merchant.parse(merchant)).toBeTruthy();
    expect(merchant).toMatchObject({ name: '茶小满·鲜果茶饮', industry: '奶茶', timezone: TZ, businessHours: { open: '10:00', close: '22:00' } });
    expect(merchant.wecom.corpId).toMatch(/^ww[0-9a-f]{16}$/);
    const raw = JSON.stringify(merchant);
    for (const secret of [DEMO_WECOM.token, DEMO_WECOM.aesKey, DEMO_WECOM.kfSecret]) expect(raw).not.toContain(secret);
    expect(deps.secrets.open(merchant.wecom.callback.token)).toBe(DEMO_WECOM.token);
    expect(deps.secrets.open(merchant.wecom.callback.aesKey)).toBe(DEMO_WECOM.aesKey);
    expect(deps.secrets.open(merchant.wecom.secrets.kf!)).toBe(DEMO_WECOM.kfSecret);

    // knowledge
    const faqs = await s.knowledge.listFaqs(M);
    expect(faqs.length).toBeGreaterThanOrEqual(22);
    faqs.forEach((f) => StoredFaq.parse(f));
    const products = await s.knowledge.listProducts(M);
    expect(products.length).toBeGreaterThanOrEqual(10);
    products.forEach((p) => StoredProduct.parse(p));
    expect(products.filter((p) => p.stock <= p.lowStockAt).length).toBeGreaterThanOrEqual(2);
    // exactly two running low: one past the yellow mark, one past the red
    const low = products.filter((p) => p.stock <= p.lowStockAt);
    expect(low.map((p) => (p.stock <= (p.redStockAt ?? 0) ? 'red' : 'yellow')).sort()).toEqual(['red', 'yellow']);
    expect(products.every((p) => p.redStockAt !== undefined && p.redStockAt < p.lowStockAt)).toBe(true);
    expect(await s.knowledge.getFacts(M)).toEqual(
      expect.objectContaining({ hours: expect.any(String), address: expect.any(String), delivery: expect.any(String), payment: expect.any(String) }),
    );
    const faqIds = new Set(faqs.map((f) => f.id));

    // rows
    const orders = await allOrders(s);
    const convs = await allConversations(s);
    const threads = await allMessages(s);
    customers.forEach((c) => Customer.parse(c));
    orders.forEach((o) => Order.parse(o));
    convs.forEach((c) => Conversation.parse(c));
    for (const msgs of threads.values()) msgs.forEach((m) => Message.parse(m));
    expect(customers.every((c) => c.createdAt <= NOW && c.createdAt > NOW - 91 * 86_400_000)).toBe(true);
    expect(customers.filter((c) => c.phone).every((c) => /^1[358]\d{9}$/.test(c.phone!))).toBe(true);
    expect(new Set(customers.map((c) => c.source)).size).toBeGreaterThanOrEqual(5);
    expect(orders.some((o) => o.status === 'refunded')).toBe(true);
    expect(customers.filter((c) => c.lost).length).toBeGreaterThan(0);

    // customers' totals match their orders
    for (const c of customers) {
      const os = await s.orders.listByCustomer(M, c.externalUserId, 1000);
      const kept = os.filter((o) => o.status !== 'refunded' && o.status !== 'cancelled');
      expect(c.orderCount).toBe(kept.length);
      expect(c.totalSpentFen).toBe(kept.reduce((sum, o) => sum + o.amountFen, 0));
    }
    for (const o of orders) expect(o.amountFen).toBe(o.items.reduce((sum, it) => sum + it.qty * it.priceFen, 0));
    // every line carries its product's category, and customers the categories of what they kept
    const categoryOf = new Map(products.map((p) => [p.sku, (p.attributes as { category?: string }).category]));
    for (const o of orders) for (const it of o.items) expect({ sku: it.sku, category: it.category }).toEqual({ sku: it.sku, category: categoryOf.get(it.sku) });
    for (const c of customers) {
      const os = orders.filter((o) => o.externalUserId === c.externalUserId);
      const kept = os.filter((o) => o.status !== 'refunded');
      expect(c.categories ?? []).toEqual([...new Set(kept.flatMap((o) => o.items.map((it) => it.category!)))].sort());
      expect(c.firstOrderAt).toBe(os.length ? Math.min(...os.map((o) => o.placedAt)) : undefined);
    }
    // the facts the order webhook records: paid on placing, refunded on the refund's day
    for (const o of orders)
      expect({ paidFen: o.paidFen, refundedAt: o.refundedAt }).toEqual({ paidFen: o.amountFen, refundedAt: o.status === 'refunded' ? o.updatedAt : undefined });
    // a month of regulars coming back, a few refunds, and one delivery paid over a day ago but never marked done
    const buyers = new Map<string, number>();
    for (const o of orders) buyers.set(o.externalUserId!, (buyers.get(o.externalUserId!) ?? 0) + 1);
    expect([...buyers.values()].filter((k) => k > 1).length).toBeGreaterThanOrEqual(40);
    expect(orders.filter((o) => o.status === 'refunded').length).toBeGreaterThanOrEqual(3);
    const open = orders.filter((o) => o.status === 'paid' && o.placedAt <= NOW - 24 * 3_600_000);
    expect(open).toHaveLength(1);
    expect(open[0]!.externalUserId).not.toBe(waitingCustomer(convs));

    // the alert list a month would have left, every kind, nothing left to push on start
    expect(merchant.alerts?.bigOrderFen).toBe(20_000);
    const alerts = await listAlerts(deps, M, 'owner', 100);
    expect([...new Set(alerts.map((a) => a.kind))].sort()).toEqual(['bigOrder', 'refund', 'slowMovers', 'stockRed', 'stockYellow', 'unfulfilled']);
    expect(alerts.every((a) => a.pushed && a.at <= NOW)).toBe(true);
    expect(alerts.filter((a) => a.kind === 'unfulfilled').map((a) => a.key)).toEqual([`order:unfulfilled:${open[0]!.id}`]);
    expect(alerts.filter((a) => a.kind === 'refund')).toHaveLength(orders.filter((o) => o.status === 'refunded').length);
    expect(alerts.filter((a) => a.kind === 'bigOrder')).toHaveLength(orders.filter((o) => o.amountFen >= 20_000).length);

    // conversations match their messages
    expect(new Set(convs.map((c) => c.externalUserId)).size).toBe(convs.length);
    for (const c of convs) {
      const msgs = threads.get(c.id)!;
      expect(msgs.length).toBeGreaterThan(0);
      const last = msgs[msgs.length - 1];
      const lastCustomer = msgs.filter((m) => m.sender === 'customer').pop();
      expect(c.updatedAt).toBe(last.at);
      expect(c.createdAt).toBe(msgs[0].at);
      expect(c.lastCustomerMessageAt).toBe(lastCustomer?.at);
      expect(c.lastMessagePreview).toBe(last.type === 'text' ? Array.from(last.text).slice(0, 60).join('') : '');
      expect(c.state).not.toBe('human_in_wecom');
      expect(msgs.every((m) => m.at <= NOW)).toBe(true);
      for (const m of msgs) if (m.answer) m.answer.knowledgeIds.forEach((id) => expect(faqIds.has(id)).toBe(true));
    }

    // exactly one conversation waits for a person, from the last 3 hours
    expect(await s.conversations.countByState(M, 'waiting_human')).toBe(1);
    const [waiting] = (await s.conversations.list(M, { states: ['waiting_human'], limit: 10 })).items;
    expect(waiting.waitingSince).toBeGreaterThanOrEqual(NOW - 3 * 3_600_000);
    expect(waiting.lastCustomerMessageAt).toBeGreaterThanOrEqual(NOW - 3 * 3_600_000);
    const waitingMsgs = threads.get(waiting.id)!;
    expect(waitingMsgs.some((m) => m.type === 'text' && m.text.includes('少了一杯'))).toBe(true);
    expect(waitingMsgs.filter((m) => m.answer?.handoff).pop()!.at).toBe(waiting.waitingSince);
    // its question waits in "AI 没答上来" as well
    const queue = await listTeachItems(deps, M);
    expect(queue).toEqual([expect.objectContaining({ conversationId: waiting.id, reason: 'handoff:order' })]);
    const lastAsked = waitingMsgs.filter((m) => m.sender === 'customer' && m.type === 'text').pop();
    expect(queue[0]!.question).toBe(lastAsked?.type === 'text' ? lastAsked.text : '');
    const recent = convs.filter((c) => c.updatedAt >= NOW - 3 * 3_600_000);
    expect(recent.length).toBeGreaterThanOrEqual(3);
    expect(recent.every((c) => c.kfAccountId === 'wkDEMO0001')).toBe(true);

    // counters equal what the rows say, day by day (Asia/Shanghai days)
    const days = before.counters;
    const today = dayOf(NOW, TZ);
    // every customer message with its Shanghai day, and the AI's verdict on it (if it answered)
    const asked: { m: Message; day: string; verdict?: 'answered' | 'handoff' }[] = [];
    for (const msgs of threads.values()) {
      let question: (typeof asked)[number] | null = null;
      for (const m of msgs) {
        if (m.sender === 'customer') asked.push((question = { m, day: dayOf(m.at, TZ) }));
        else if (m.answer && question) {
          // the live reply's rule: answered only with knowledge behind it
          question.verdict = m.answer.handoff ? 'handoff' : m.answer.knowledgeIds.length ? 'answered' : undefined;
          question = null;
        }
      }
    }
    const expected = (d: string) => {
      const from = startOfDay(d, TZ);
      const to = startOfDay(addDays(d, 1), TZ);
      const placed = orders.filter((o) => o.placedAt >= from && o.placedAt < to);
      const customerMsgs = asked.filter((q) => q.day === d).map((q) => q.m);
      const answered = asked.filter((q) => q.day === d && q.verdict === 'answered').length;
      const handoffs = asked.filter((q) => q.day === d && q.verdict === 'handoff').length;
      return {
        newCustomers: customers.filter((c) => dayOf(c.createdAt, TZ) === d).length,
        lostCustomers: customers.filter((c) => c.lost && dayOf(c.updatedAt, TZ) === d).length,
        orders: placed.length,
        revenueFen: placed.filter((o) => o.status !== 'refunded').reduce((sum, o) => sum + o.amountFen, 0),
        refunds: orders.filter((o) => o.status === 'refunded' && dayOf(o.updatedAt, TZ) === d).length,
        customerMessages: customerMsgs.length,
        consultations: new Set(customerMsgs.map((m) => m.conversationId)).size,
        aiAnswered: answered,
        aiHandoffs: handoffs,
      };
    };
    for (let k = 0; k < 30; k++) {
      const d = addDays(today, -k);
      expect({ day: d, ...days[d] }).toMatchObject({ day: d, ...expected(d) });
      if (days[d].firstResponseCount) {
        const mean = days[d].firstResponseMsSum / days[d].firstResponseCount;
        expect(mean).toBeGreaterThan(1000);
        expect(mean).toBeLessThan(10_000);
      }
    }
    for (const d of [today, addDays(today, -1)]) {
      for (const name of ['newCustomers', 'consultations', 'customerMessages', 'aiAnswered', 'firstResponseCount', 'orders', 'revenueFen'] as const) {
        expect({ d, name, v: days[d][name] > 0 }).toEqual({ d, name, v: true });
      }
    }
    // busier at the weekend (2026-11-21 was a Saturday)
    const sum = (ds: string[], k: 'consultations' | 'orders') => ds.reduce((acc, d) => acc + days[d][k], 0);
    const weekend = Array.from({ length: 29 }, (_, k) => addDays(today, -k - 1)).filter((d) => [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()));
    const weekdays = Array.from({ length: 29 }, (_, k) => addDays(today, -k - 1)).filter((d) => !weekend.includes(d));
    expect(sum(weekend, 'orders') / weekend.length).toBeGreaterThan(sum(weekdays, 'orders') / weekdays.length);
    expect(sum(weekend, 'consultations') / weekend.length).toBeGreaterThan(sum(weekdays, 'consultations') / weekdays.length);
  });

  it('counts the way the live paths do: a rebuild agrees, replayed order events change nothing, a new refund counts once', async () => {
    const deps = makeDeps();
    const s = deps.storage;
    await seedDemoShop(deps);
    // `counters rebuild` from the stored messages and orders: every day and every hour the same
    // (85 days: the best customers' orders from before the month, demo/earlier.ts)
    expect(await rebuildCounters(deps, M)).toMatchObject({ matched: true, diffs: [], days: 85 });
    const merchant = (await s.merchants.get(M))!;
    const orders = await allOrders(s);
    const before = { counters: await counters(s), customers: JSON.stringify(await allCustomers(s)) };
    const event = (o: Order, status: Order['status'], updatedAt: number) => ({
      orderNo: o.id,
      status,
      amountFen: o.amountFen,
      items: o.items,
      customer: { externalUserId: o.externalUserId },
      placedAt: o.placedAt,
      updatedAt,
    });
    const outcomes: Record<string, number> = {};
    for (const o of orders) {
      const replays = [event(o, o.status, o.updatedAt), ...(o.status === 'paid' ? [] : [event(o, 'paid', o.placedAt)])];
      for (const ev of replays) {
        const { outcome } = await ingestOrderEvent(deps, merchant, ev, 'webhook');
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
    }
    expect(outcomes).toEqual({ duplicate: orders.length, older: orders.filter((o) => o.status !== 'paid').length });
    expect(await counters(s)).toEqual(before.counters);
    expect(JSON.stringify(await allCustomers(s))).toBe(before.customers);

    // the open delivery marked done: the order moves, nothing counts again, its customer's totals stay as seeded
    const stuck = orders.find((x) => x.status === 'paid' && x.placedAt <= NOW - 24 * 3_600_000)!;
    const totals = async () => {
      const c = (await s.customers.get(M, stuck.externalUserId!))!;
      return { spent: c.totalSpentFen, count: c.orderCount, first: c.firstOrderAt, last: c.lastOrderAt, categories: c.categories };
    };
    const seeded = await totals();
    expect((await ingestOrderEvent(deps, merchant, event(stuck, 'fulfilled', NOW - 60_000), 'webhook')).outcome).toBe('updated');
    expect(await counters(s)).toEqual(before.counters);
    expect(await totals()).toEqual(seeded);

    // yesterday's last delivered order refunded now: today loses its amount once, its day keeps its revenue
    const today = dayOf(NOW, TZ);
    const yesterday = addDays(today, -1);
    const o = orders.filter((x) => x.status === 'fulfilled' && dayOf(x.placedAt, TZ) === yesterday).pop()!;
    for (let i = 0; i < 2; i++) await ingestOrderEvent(deps, merchant, event(o, 'refunded', NOW), 'webhook');
    const after = await counters(s);
    expect(after[today]).toMatchObject({ refunds: before.counters[today].refunds + 1, revenueFen: before.counters[today].revenueFen - o.amountFen });
    expect(after[yesterday]).toEqual(before.counters[yesterday]);
  });

  it('same clock, same data', async () => {
    const snapshot = async (deps: Deps) => {
      await seedDemoShop(deps);
      const s = deps.storage;
      const msgs = await allMessages(s);
      return JSON.stringify({
        customers: await allCustomers(s),
        conversations: await allConversations(s),
        messages: [...msgs.entries()],
        orders: await allOrders(s),
        counters: await counters(s),
        faqs: await s.knowledge.listFaqs(M),
        products: await s.knowledge.listProducts(M),
      });
    };
    const a = await snapshot(makeDeps());
    const b = await snapshot(makeDeps());
    expect(a).toBe(b);
    expect(JSON.stringify(buildDemoShop(NOW))).toBe(JSON.stringify(buildDemoShop(NOW)));
    // The demo's whole data, pinned: every screen, report and alert of a fresh `npm start` is
    // built from it, so a change is a decision, not a side effect. Changed on purpose? Put the new
    // digest here and say why in the commit. Last change: order lines carry categories, orders the
    // webhook's facts and counter ids, one delivery left unfinished, products a red mark, a
    // product nobody ordered, the alert list a month leaves, and "不客气" no longer counted as an
    // AI answer (the live reply does not count it); then the best customers' orders from the months
    // before (demo/earlier.ts: someone on every spend tier for the tag rules).
    expect(
      crypto
        .createHash('sha256')
        .update(JSON.stringify(buildDemoShop(NOW)))
        .digest('hex'),
    ).toBe('ecf81e4ccca696f4ac4572d0f56921dab667533bbdb9a6d0aacd3cd27f5b5f19');
  });

  it('finishes a run that crashed half-way, later, without duplicates', async () => {
    const deps = makeDeps();
    const realAdd = deps.storage.orders.add.bind(deps.storage.orders);
    let calls = 0;
    deps.storage.orders.add = async (o) => {
      if (++calls > 100) throw new Error('crash');
      return realAdd(o);
    };
    await expect(seedDemoShop(deps)).rejects.toThrow('crash');
    expect(await deps.storage.merchants.get(M)).toBeNull();
    deps.storage.orders.add = realAdd;
    deps.clock.advance(10 * 60_000); // finished ten minutes later: built from the first run's instant
    expect(await seedDemoShop(deps)).toEqual({ created: true, merchantId: M });

    const fresh = makeDeps();
    await seedDemoShop(fresh);
    expect(JSON.stringify(await allCustomers(deps.storage))).toBe(JSON.stringify(await allCustomers(fresh.storage)));
    expect(await counters(deps.storage)).toEqual(await counters(fresh.storage));
    expect((await allOrders(deps.storage)).length).toBe((await allOrders(fresh.storage)).length);
  });

  it('works at any time of day (today may be almost empty)', () => {
    for (const hour of [0, 1, 9, 10, 15, 23]) {
      const now = Date.UTC(2026, 10, 22, hour, 30) - 8 * 3_600_000; // hour:30 in Shanghai
      const data = buildDemoShop(now);
      expect(data.customers.length).toBe(200);
      expect(data.conversations.filter((c) => c.state === 'waiting_human')).toHaveLength(1);
      expect(data.messages.every((m) => m.at <= now)).toBe(true);
      expect(data.orders.every((o) => o.placedAt <= now && o.updatedAt <= now)).toBe(true);
      data.customers.forEach((c) => Customer.parse(c));
      data.conversations.forEach((c) => Conversation.parse(c));
    }
  });
});
