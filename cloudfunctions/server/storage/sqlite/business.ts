import type { StoredFaq, StoredProduct } from '@xiaoer/shared/domain/knowledge';
import { type Counters, zeroCounters, COUNTER_NAMES, type CounterName } from '@xiaoer/shared/domain/counters';
import type { AuditEntry } from '@xiaoer/shared/domain/audit';
import type { Order } from '@xiaoer/shared/domain/commerce';
import type { TagRule } from '@xiaoer/shared/domain/marketing';
import { addDays } from '@xiaoer/shared/domain/time';
import type { Day } from '@xiaoer/shared/domain/ids';
import type { AuditRepo, CounterIncrement, CounterRepo, CustomerOrderTotals, HourlyCounters, KnowledgeRepo, OrderRepo, TagRuleRepo } from '@xiaoer/shared/ports/storage';
import { type Db, parse, parseAll, tx } from './db';
import { GroupCommit } from './group-commit';

export class SqliteKnowledge implements KnowledgeRepo {
  constructor(private db: Db) {}
  async upsertFaq(f: StoredFaq) {
    tx(this.db, () => {
      this.db.prepare('INSERT INTO faqs (merchant_id, id, doc) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET doc = excluded.doc').run(f.merchantId, f.id, JSON.stringify(f));
      this.bump(f.merchantId);
    });
  }
  private bump(merchantId: string) {
    this.db.prepare('INSERT INTO kb_versions (merchant_id, v) VALUES (?, 1) ON CONFLICT DO UPDATE SET v = v + 1').run(merchantId);
  }
  async faqsVersion(merchantId: string) {
    return (this.db.prepare('SELECT v FROM kb_versions WHERE merchant_id = ?').get(merchantId) as { v: number } | undefined)?.v ?? 0;
  }
  async listFaqs(merchantId: string) {
    return parseAll<StoredFaq>(this.db.prepare('SELECT doc FROM faqs WHERE merchant_id = ? ORDER BY id').all(merchantId));
  }
  async removeFaq(merchantId: string, faqId: string) {
    tx(this.db, () => {
      this.db.prepare('DELETE FROM faqs WHERE merchant_id = ? AND id = ?').run(merchantId, faqId);
      this.bump(merchantId);
    });
  }
  async upsertProduct(p: StoredProduct) {
    this.db.prepare('INSERT INTO products (merchant_id, sku, doc) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET doc = excluded.doc').run(p.merchantId, p.sku, JSON.stringify(p));
  }
  async listProducts(merchantId: string) {
    return parseAll<StoredProduct>(this.db.prepare('SELECT doc FROM products WHERE merchant_id = ? ORDER BY sku').all(merchantId));
  }
  async getProducts(merchantId: string, skus: string[]) {
    if (!skus.length) return [];
    // one sku (most orders): a primary-key `get`, one call into libsql where `all` makes two
    if (skus.length === 1) {
      const row = this.db.prepare('SELECT doc FROM products WHERE merchant_id = ? AND sku = ?').get(merchantId, skus[0]) as { doc: string } | undefined;
      return row ? [JSON.parse(row.doc) as StoredProduct] : [];
    }
    // one statement per list length: orders carry a handful of items, so few SQL texts are cached
    const marks = skus.map(() => '?').join(', ');
    return parseAll<StoredProduct>(this.db.prepare(`SELECT doc FROM products WHERE merchant_id = ? AND sku IN (${marks})`).all(merchantId, ...skus));
  }
  async setFacts(merchantId: string, facts: Record<string, unknown>, now: number) {
    this.db
      .prepare('INSERT INTO shop_facts (merchant_id, doc, updated_at) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at')
      .run(merchantId, JSON.stringify(facts), now);
  }
  async getFacts(merchantId: string) {
    return parse<Record<string, unknown>>(this.db.prepare('SELECT doc FROM shop_facts WHERE merchant_id = ?').get(merchantId) as { doc: string } | undefined) ?? {};
  }
}

export class SqliteCounters implements CounterRepo {
  /** `group`: shared with the order writes, so an order event's counters and order share commits with their neighbours'. */
  constructor(
    private db: Db,
    private group = new GroupCommit(db),
  ) {}
  async increment(merchantId: string, incs: CounterIncrement[]) {
    // in a group commit's batch the batch's transaction holds the marks and the counts together;
    // alone (a batch of one, or a retry after a failed batch) it takes its own. `open` first:
    // libsql aborts the process when `inTransaction` is read on a closed connection (a flush that
    // runs after shutdown closed the storage), where tx() throws a JavaScript error instead
    return this.group.write(() => (this.db.open && this.db.inTransaction ? this.apply(merchantId, incs) : tx(this.db, () => this.apply(merchantId, incs))));
  }
  private apply(merchantId: string, incs: CounterIncrement[]) {
    let applied = 0;
    const mark = this.db.prepare('INSERT OR IGNORE INTO counter_events (merchant_id, event_id) VALUES (?, ?)');
    const add = this.db.prepare('INSERT INTO counters (merchant_id, day, store_id, name, value) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = value + excluded.value');
    const addHour = this.db.prepare(
      'INSERT INTO counter_hours (merchant_id, day, hour, name, value) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = value + excluded.value',
    );
    for (const i of incs) {
      // The event id row is the "already counted" flag; the counter moves only with it.
      if (mark.run(merchantId, `${i.name}:${i.eventId}`).changes === 0) continue;
      add.run(merchantId, i.day, i.storeId ?? '', i.name, i.amount);
      if (i.hour !== undefined) addHour.run(merchantId, i.day, i.hour, i.name, i.amount);
      applied++;
    }
    return applied;
  }
  async days(merchantId: string, from: Day, to: Day, storeId?: string) {
    const out: Record<Day, Counters> = {};
    for (let d = from; d <= to; d = addDays(d, 1)) out[d] = zeroCounters();
    const rows = (
      storeId === undefined
        ? this.db.prepare('SELECT day, name, SUM(value) AS v FROM counters WHERE merchant_id = ? AND day BETWEEN ? AND ? GROUP BY day, name').all(merchantId, from, to)
        : this.db.prepare('SELECT day, name, value AS v FROM counters WHERE merchant_id = ? AND day BETWEEN ? AND ? AND store_id = ?').all(merchantId, from, to, storeId)
    ) as { day: string; name: string; v: number }[];
    for (const r of rows) {
      const day = out[r.day];
      if (day && (COUNTER_NAMES as readonly string[]).includes(r.name)) day[r.name as CounterName] = Number(r.v);
    }
    return out;
  }
  async hours(merchantId: string, from: Day, to: Day) {
    const out: Record<Day, HourlyCounters> = {};
    for (let d = from; d <= to; d = addDays(d, 1)) out[d] = Array.from({ length: 24 }, zeroCounters);
    const rows = this.db.prepare('SELECT day, hour, name, value FROM counter_hours WHERE merchant_id = ? AND day BETWEEN ? AND ?').all(merchantId, from, to) as {
      day: string;
      hour: number;
      name: string;
      value: number;
    }[];
    for (const r of rows) {
      const bucket = out[r.day]?.[r.hour];
      if (bucket && (COUNTER_NAMES as readonly string[]).includes(r.name)) bucket[r.name as CounterName] = Number(r.value);
    }
    return out;
  }
}

export class SqliteAudit implements AuditRepo {
  constructor(private db: Db) {}
  async append(e: AuditEntry) {
    this.db.prepare('INSERT OR IGNORE INTO audit (merchant_id, id, at, doc) VALUES (?, ?, ?, ?)').run(e.merchantId, e.id, e.at, JSON.stringify(e));
  }
  async list(merchantId: string, limit: number) {
    return parseAll<AuditEntry>(this.db.prepare('SELECT doc FROM audit WHERE merchant_id = ? ORDER BY at DESC, id DESC LIMIT ?').all(merchantId, limit));
  }
}

export class SqliteOrders implements OrderRepo {
  constructor(
    private db: Db,
    private group = new GroupCommit(db),
  ) {}
  /** Committed with the other writes of this turn (group-commit.ts) before it resolves. */
  async add(o: Order) {
    return this.group.write(() => this.insert(o));
  }
  private insert(o: Order) {
    const r = this.db
      .prepare('INSERT OR IGNORE INTO orders (merchant_id, id, customer_id, placed_at, doc) VALUES (?, ?, ?, ?, ?)')
      .run(o.merchantId, o.id, o.externalUserId ?? null, o.placedAt, JSON.stringify(o));
    return r.changes === 1;
  }
  async get(merchantId: string, id: string) {
    return parse<Order>(this.db.prepare('SELECT doc FROM orders WHERE merchant_id = ? AND id = ?').get(merchantId, id) as { doc: string } | undefined);
  }
  async listByCustomer(merchantId: string, externalUserId: string, limit: number) {
    return parseAll<Order>(
      this.db.prepare('SELECT doc FROM orders WHERE merchant_id = ? AND customer_id = ? ORDER BY placed_at DESC LIMIT ?').all(merchantId, externalUserId, limit),
    );
  }
  async listPlacedBetween(merchantId: string, from: number, to: number, limit: number) {
    return parseAll<Order>(
      this.db.prepare('SELECT doc FROM orders WHERE merchant_id = ? AND placed_at >= ? AND placed_at < ? ORDER BY placed_at LIMIT ?').all(merchantId, from, to, limit),
    );
  }
  async put(o: Order, expectedRev: number | null) {
    if (expectedRev === null) return this.add(o);
    return this.group.write(() => {
      // the rev lives in the document: a row written before revs existed reads as 0
      const r = this.db
        .prepare("UPDATE orders SET customer_id = ?, placed_at = ?, doc = ? WHERE merchant_id = ? AND id = ? AND COALESCE(json_extract(doc, '$.rev'), 0) = ?")
        .run(o.externalUserId ?? null, o.placedAt, JSON.stringify(o), o.merchantId, o.id, expectedRev);
      return r.changes === 1;
    });
  }
  async listUnmatched(merchantId: string, limit: number) {
    return parseAll<Order>(this.db.prepare('SELECT doc FROM orders WHERE merchant_id = ? AND customer_id IS NULL ORDER BY placed_at DESC, id LIMIT ?').all(merchantId, limit));
  }
  /**
   * customerTotals (usecases/orders/facts.ts) in one statement, so an order event does not read
   * and parse every order of a regular: `paid` and `refunded` as withFacts reads them (a row
   * without a rev by its status), then the sums, and the categories of what they kept.
   */
  async customerTotals(merchantId: string, externalUserId: string, opts: { limit: number; except?: string }) {
    const row = this.db.prepare(CUSTOMER_TOTALS_SQL).get(merchantId, externalUserId, opts.limit, opts.except ?? null, opts.except ?? null) as {
      version: string | null;
      spent: number;
      n: number;
      first: number | null;
      last: number | null;
      cats: string;
    };
    const totals: CustomerOrderTotals = {
      totalSpentFen: Number(row.spent),
      orderCount: Number(row.n),
      ...(row.first !== null ? { firstOrderAt: Number(row.first) } : {}),
      ...(row.last !== null ? { lastOrderAt: Number(row.last) } : {}),
      // sorted here, as JavaScript sorts (SQLite would order by UTF-8 bytes)
      categories: (JSON.parse(row.cats) as string[]).sort(),
    };
    return { totals, version: row.version ?? '' };
  }
}

const CUSTOMER_TOTALS_SQL = `
WITH latest AS (
  SELECT id, placed_at, doc FROM orders WHERE merchant_id = ? AND customer_id = ? ORDER BY placed_at DESC LIMIT ?
), o AS (
  SELECT id, placed_at, doc, json_extract(doc, '$.rev') AS rev,
    CASE WHEN json_extract(doc, '$.rev') IS NOT NULL THEN json_extract(doc, '$.paidFen')
      ELSE COALESCE(json_extract(doc, '$.paidFen'), CASE WHEN json_extract(doc, '$.status') IN ('paid', 'fulfilled', 'refunded') THEN json_extract(doc, '$.amountFen') END)
    END AS paid,
    (json_extract(doc, '$.refundedAt') IS NOT NULL OR (json_extract(doc, '$.rev') IS NULL AND json_extract(doc, '$.status') = 'refunded')) AS refunded
  FROM latest
), kept AS (
  SELECT * FROM o WHERE id IS NOT ?
)
SELECT
  (SELECT group_concat(id || '@' || COALESCE(rev, 0), ',') FROM (SELECT id, rev FROM o ORDER BY id)) AS version,
  COALESCE(SUM(CASE WHEN paid IS NOT NULL AND NOT refunded THEN paid END), 0) AS spent,
  COUNT(CASE WHEN paid IS NOT NULL AND NOT refunded THEN 1 END) AS n,
  MIN(CASE WHEN paid IS NOT NULL THEN placed_at END) AS first,
  MAX(CASE WHEN paid IS NOT NULL THEN placed_at END) AS last,
  (SELECT json_group_array(c) FROM (
    SELECT DISTINCT json_extract(j.value, '$.category') AS c FROM o, json_each(o.doc, '$.items') AS j
    WHERE o.id IS NOT ? AND o.paid IS NOT NULL AND NOT o.refunded AND json_extract(j.value, '$.category') IS NOT NULL AND json_extract(j.value, '$.category') != ''
  )) AS cats
FROM kept`;

export class SqliteTagRules implements TagRuleRepo {
  constructor(private db: Db) {}
  async upsert(r: TagRule) {
    this.db.prepare('INSERT INTO tag_rules (merchant_id, id, doc) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET doc = excluded.doc').run(r.merchantId, r.id, JSON.stringify(r));
  }
  async list(merchantId: string) {
    return parseAll<TagRule>(this.db.prepare('SELECT doc FROM tag_rules WHERE merchant_id = ? ORDER BY id').all(merchantId));
  }
  async remove(merchantId: string, id: string) {
    this.db.prepare('DELETE FROM tag_rules WHERE merchant_id = ? AND id = ?').run(merchantId, id);
  }
}
