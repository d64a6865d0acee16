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
    expect(await s.members.list(M)).toEqual([expect.objectContaining({ role: 'owner', openid: `local:${M}:owner` })]);

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
          question.verdict = m.answer.handoff ? 'handoff' : 'answered';
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
