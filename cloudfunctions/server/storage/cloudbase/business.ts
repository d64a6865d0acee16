import type { StoredFaq, StoredProduct } from '@xiaoer/shared/domain/knowledge';
import { type Counters, zeroCounters, COUNTER_NAMES, type CounterName } from '@xiaoer/shared/domain/counters';
import type { AuditEntry } from '@xiaoer/shared/domain/audit';
import type { Order } from '@xiaoer/shared/domain/commerce';
import type { TagRule } from '@xiaoer/shared/domain/marketing';
import { addDays } from '@xiaoer/shared/domain/time';
import type { Day } from '@xiaoer/shared/domain/ids';
import type { AuditRepo, CounterIncrement, CounterRepo, HourlyCounters, KnowledgeRepo, OrderRepo, TagRuleRepo } from '@xiaoer/shared/ports/storage';
import { call, type CloudbaseDb, fromDoc, getById, insertOnce, readAll, toDoc } from './sdk';
import { withoutId } from './people';
import type { CollectionName } from './collections';
import { customerTotals, revsOf } from '@xiaoer/shared/usecases/orders/facts';

/** Upsert by id with set() (replaces the whole document). */
async function put(db: CloudbaseDb, coll: CollectionName, id: string, value: object, extra?: Record<string, unknown>) {
  await call(
    db
      .collection(coll)
      .doc(id)
      .set(withoutId(toDoc(id, value, extra))),
  );
}

export class CloudbaseKnowledge implements KnowledgeRepo {
  constructor(private db: CloudbaseDb) {}
  async upsertFaq(f: StoredFaq) {
    await put(this.db, 'faqs', `${f.merchantId}:${f.id}`, f);
    await this.bump(f.merchantId);
  }
  /** After the write, so a reader that sees the new version also sees the new FAQ. */
  private async bump(merchantId: string) {
    const versions = this.db.collection('kb_versions');
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = await call(versions.where({ _id: merchantId }).update({ v: this.db.command.inc(1) }));
      if (r.updated > 0) return;
      // first write for this shop; a concurrent first write makes the insert fail and the update win next round
      if (await insertOnce(versions, { _id: merchantId, v: 1 })) return;
    }
  }
  async faqsVersion(merchantId: string) {
    return fromDoc<{ v: number }>(await getById(this.db.collection('kb_versions'), merchantId))?.v ?? 0;
  }
  async listFaqs(merchantId: string) {
    return (await readAll(this.db.collection('faqs').where({ merchantId }).orderBy('id', 'asc'))).map((d) => fromDoc<StoredFaq>(d)!);
  }
  async removeFaq(merchantId: string, faqId: string) {
    await call(this.db.collection('faqs').doc(`${merchantId}:${faqId}`).remove());
    await this.bump(merchantId);
  }
  async upsertProduct(p: StoredProduct) {
    await put(this.db, 'products', `${p.merchantId}:${p.sku}`, p);
  }
  async listProducts(merchantId: string) {
    return (await readAll(this.db.collection('products').where({ merchantId }).orderBy('sku', 'asc'))).map((d) => fromDoc<StoredProduct>(d)!);
  }
  async getProducts(merchantId: string, skus: string[]) {
    if (!skus.length) return [];
    const _ = this.db.command;
    const ids = [...new Set(skus)].map((sku) => `${merchantId}:${sku}`);
    return (await readAll(this.db.collection('products').where({ _id: _.in(ids) }))).map((d) => fromDoc<StoredProduct>(d)!);
  }
  async setFacts(merchantId: string, facts: Record<string, unknown>, now: number) {
    await put(this.db, 'shop_facts', merchantId, { merchantId, facts, updatedAt: now });
  }
  async getFacts(merchantId: string) {
    return (fromDoc<{ facts: Record<string, unknown> }>(await getById(this.db.collection('shop_facts'), merchantId))?.facts ?? {}) as Record<string, unknown>;
  }
}

/** Counter documents this process has seen exist: a day's and an hour's, so a few thousand at most. */
const KNOWN_DOCS = 5_000;

/**
 * "value += amount and remember the event, unless it is remembered". A document this process
 * already knows exists costs one conditional update; otherwise it is inserted first (a no-op
 * when it exists) and remembered — the insert-then-update every increment used to pay, now only
 * the first time a warm instance meets a document. An update that matches nothing on a known
 * document means the event was already counted (counter documents are never deleted).
 */
async function incrementOnce(
  coll: ReturnType<CloudbaseDb['collection']>,
  known: Set<string>,
  id: string,
  eventKey: string,
  amount: number,
  fresh: () => Record<string, unknown>,
  _: CloudbaseDb['command'],
): Promise<number> {
  if (!known.has(id)) {
    await insertOnce(coll, fresh());
    if (known.size >= KNOWN_DOCS) known.delete(known.values().next().value!);
    known.add(id);
  }
  return (await call(coll.where({ _id: id, events: _.neq(eventKey) }).update({ value: _.inc(amount), events: _.push([eventKey]) }))).updated;
}

/**
 * One document per (merchant, day, store, counter). An increment is a single-document
 * conditional update — "value += n and remember the event, unless the event is already
 * remembered" — so it is atomic without a transaction, and a retry of the same source event
 * changes nothing. The remembered event ids stay on that day's document.
 */
export class CloudbaseCounters implements CounterRepo {
  private known = new Set<string>();
  constructor(private db: CloudbaseDb) {}
  private get c() {
    return this.db.collection('counters');
  }
  async increment(merchantId: string, incs: CounterIncrement[]) {
    const _ = this.db.command;
    let applied = 0;
    for (const i of incs) {
      const storeId = i.storeId ?? '';
      const id = `${merchantId}:${i.day}:${storeId}:${i.name}`;
      const eventKey = `${i.name}:${i.eventId}`;
      applied += await incrementOnce(this.c, this.known, id, eventKey, i.amount, () => toDoc(id, { merchantId, day: i.day, storeId, name: i.name, value: 0, events: [] }), _);
      // its own remembered events, and tried even when the day's total was already counted: a
      // retry after a crash between the two writes completes the hour instead of skipping it
      if (i.hour !== undefined) await this.incrementHour(merchantId, i, eventKey);
    }
    return applied;
  }
  private async incrementHour(merchantId: string, i: CounterIncrement, eventKey: string) {
    const _ = this.db.command;
    const hours = this.db.collection('counter_hours');
    const id = `${merchantId}:${i.day}:${i.hour}:${i.name}`;
    await incrementOnce(hours, this.known, id, eventKey, i.amount, () => toDoc(id, { merchantId, day: i.day, hour: i.hour, name: i.name, value: 0, events: [] }), _);
  }
  async hours(merchantId: string, from: Day, to: Day) {
    const _ = this.db.command;
    const out: Record<Day, HourlyCounters> = {};
    for (let d = from; d <= to; d = addDays(d, 1)) out[d] = Array.from({ length: 24 }, zeroCounters);
    const where = { merchantId, day: _.gte(from).and(_.lte(to)) };
    for (const row of await readAll(this.db.collection('counter_hours').where(where).field({ events: false }).orderBy('_id', 'asc'))) {
      const bucket = out[row.day as string]?.[Number(row.hour)];
      if (bucket && (COUNTER_NAMES as readonly string[]).includes(row.name as string)) bucket[row.name as CounterName] += Number(row.value);
    }
    return out;
  }
  async days(merchantId: string, from: Day, to: Day, storeId?: string) {
    const _ = this.db.command;
    const out: Record<Day, Counters> = {};
    for (let d = from; d <= to; d = addDays(d, 1)) out[d] = zeroCounters();
    const where: Record<string, unknown> = { merchantId, day: _.gte(from).and(_.lte(to)) };
    if (storeId !== undefined) where.storeId = storeId;
    // summing across stores here keeps to plain queries; the rows are days × stores × counters
    for (const row of await readAll(this.c.where(where).field({ events: false }).orderBy('_id', 'asc'))) {
      const day = out[row.day as string];
      if (day && (COUNTER_NAMES as readonly string[]).includes(row.name as string)) day[row.name as CounterName] += Number(row.value);
    }
    return out;
  }
}

export class CloudbaseAudit implements AuditRepo {
  constructor(private db: CloudbaseDb) {}
  async append(e: AuditEntry) {
    await insertOnce(this.db.collection('audit'), toDoc(`${e.merchantId}:${e.id}`, e));
  }
  async list(merchantId: string, limit: number) {
    const rows = await readAll(this.db.collection('audit').where({ merchantId }).orderBy('at', 'desc').orderBy('_id', 'desc'), limit);
    return rows.map((d) => fromDoc<AuditEntry>(d)!);
  }
}

export class CloudbaseOrders implements OrderRepo {
  constructor(private db: CloudbaseDb) {}
  private get c() {
    return this.db.collection('orders');
  }
  async add(o: Order) {
    return insertOnce(this.c, toDoc(`${o.merchantId}:${o.id}`, o));
  }
  async get(merchantId: string, id: string) {
    return fromDoc<Order>(await getById(this.c, `${merchantId}:${id}`));
  }
  async listByCustomer(merchantId: string, externalUserId: string, limit: number) {
    return (await readAll(this.c.where({ merchantId, externalUserId }).orderBy('placedAt', 'desc'), limit)).map((d) => fromDoc<Order>(d)!);
  }
  async listPlacedBetween(merchantId: string, from: number, to: number, limit: number) {
    const _ = this.db.command;
    const rows = await readAll(this.c.where({ merchantId, placedAt: _.gte(from).and(_.lt(to)) }).orderBy('placedAt', 'asc'), limit);
    return rows.map((d) => fromDoc<Order>(d)!);
  }
  /** A single-document conditional update on `rev` (absent on rows from before revs: read as 0). */
  async put(o: Order, expectedRev: number | null) {
    const id = `${o.merchantId}:${o.id}`;
    if (expectedRev === null) return insertOnce(this.c, toDoc(id, o));
    const _ = this.db.command;
    const rev = expectedRev === 0 ? _.or([{ rev: 0 }, { rev: _.exists(false) }]) : { rev: expectedRev };
    const fields: Record<string, unknown> = {};
    // set() per field: an object or array value must replace the stored one, not merge into it
    for (const [k, v] of Object.entries(withoutId(toDoc(id, o)))) fields[k] = v !== null && typeof v === 'object' ? _.set(v) : v;
    const r = await call(this.c.where(_.and([{ _id: id }, rev])).update(fields));
    return r.updated === 1;
  }
  async listUnmatched(merchantId: string, limit: number) {
    const _ = this.db.command;
    const rows = await readAll(
      this.c
        .where({ merchantId, externalUserId: _.exists(false) })
        .orderBy('placedAt', 'desc')
        .orderBy('_id', 'asc'),
      limit,
    );
    return rows.map((d) => fromDoc<Order>(d)!);
  }
  /** Worked out here from the customer's latest orders (the document database has no JSON arithmetic worth its round trips). */
  async customerTotals(merchantId: string, externalUserId: string, opts: { limit: number; except?: string }) {
    const orders = await this.listByCustomer(merchantId, externalUserId, opts.limit);
    return { totals: customerTotals(orders.filter((o) => o.id !== opts.except)), version: revsOf(orders) };
  }
}

export class CloudbaseTagRules implements TagRuleRepo {
  constructor(private db: CloudbaseDb) {}
  async upsert(r: TagRule) {
    await put(this.db, 'tag_rules', `${r.merchantId}:${r.id}`, r);
  }
  async list(merchantId: string) {
    return (await readAll(this.db.collection('tag_rules').where({ merchantId }).orderBy('id', 'asc'))).map((d) => fromDoc<TagRule>(d)!);
  }
  async remove(merchantId: string, id: string) {
    await call(this.db.collection('tag_rules').doc(`${merchantId}:${id}`).remove());
  }
}
