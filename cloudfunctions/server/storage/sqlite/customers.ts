import type { Customer } from '@xiaoer/shared/domain/customer';
import type { Conversation, Message } from '@xiaoer/shared/domain/conversation';
import type { ConversationQuery, ConversationRepo, CustomerFacts, CustomerQuery, CustomerRepo, CustomerSort, MessageRepo } from '@xiaoer/shared/ports/storage';
import { type Db, decodeCursor, encodeCursor, parse, parseAll, tx } from './db';

const activity = (c: Customer) => c.lastMessageAt ?? c.lastOrderAt ?? c.createdAt;
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** The column each sort reads (migration 9 generates `spent` and `added_at` from the document). */
const SORT_COLUMN: Record<CustomerSort, string> = { lastVisit: 'last_active', spend: 'spent', added: 'added_at' };

type FactsRow = [id: string, facts: string];
/**
 * The `facts` column (migration 9) is a JSON array in this order: name, tags, totalSpentFen,
 * orderCount, lastOrderAt, createdAt, categories, source, sourceState, birthday month, storeId,
 * followUserId, lost, lastMessageAt — null where the document has nothing.
 */
function factsOf(id: string, f: unknown[]): CustomerFacts {
  const out: CustomerFacts = {
    externalUserId: id,
    name: (f[0] as string | null) ?? '',
    tags: (f[1] as string[] | null) ?? [],
    totalSpentFen: (f[2] as number | null) ?? 0,
    orderCount: (f[3] as number | null) ?? 0,
    createdAt: f[5] as number,
    source: (f[7] as string | null) ?? 'other',
    lost: f[12] === 1,
  };
  if (f[4] != null) out.lastOrderAt = f[4] as number;
  if (f[6] != null) out.categories = f[6] as string[];
  if (f[8] != null) out.sourceState = f[8] as string;
  if (f[9] != null) out.birthdayMonth = f[9] as number;
  if (f[10] != null) out.storeId = f[10] as string;
  if (f[11] != null) out.followUserId = f[11] as string;
  if (f[13] != null) out.lastMessageAt = f[13] as number;
  if (f[14] != null) out.birthdayDay = f[14] as number;
  if (f[15] != null) out.firstOrderAt = f[15] as number;
  if (f[16] != null) out.optedOutAt = f[16] as number;
  if (f[17] != null) out.campaignReplyAt = f[17] as number;
  return out;
}

export class SqliteCustomers implements CustomerRepo {
  constructor(private db: Db) {}
  async upsert(c: Customer) {
    tx(this.db, () => {
      this.db
        .prepare(
          `INSERT INTO customers (merchant_id, id, name, phone, last_active, doc) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT DO UPDATE SET name = excluded.name, phone = excluded.phone, last_active = excluded.last_active, doc = excluded.doc`,
        )
        .run(c.merchantId, c.externalUserId, c.name, c.phone ?? null, activity(c), JSON.stringify(c));
      this.db.prepare('DELETE FROM customer_tags WHERE merchant_id = ? AND customer_id = ?').run(c.merchantId, c.externalUserId);
      const ins = this.db.prepare('INSERT OR IGNORE INTO customer_tags (merchant_id, customer_id, tag) VALUES (?, ?, ?)');
      for (const t of c.tags) ins.run(c.merchantId, c.externalUserId, t);
    });
  }
  async get(merchantId: string, externalUserId: string) {
    return parse<Customer>(this.db.prepare('SELECT doc FROM customers WHERE merchant_id = ? AND id = ?').get(merchantId, externalUserId) as { doc: string } | undefined);
  }
  async findByPhone(merchantId: string, phone: string) {
    return parse<Customer>(
      this.db.prepare('SELECT doc FROM customers WHERE merchant_id = ? AND phone = ? ORDER BY last_active DESC, id LIMIT 1').get(merchantId, phone) as { doc: string } | undefined,
    );
  }
  async list(merchantId: string, q: CustomerQuery) {
    const where = ['c.merchant_id = ?'];
    const args: unknown[] = [merchantId];
    const tags = [...new Set([...(q.tag ? [q.tag] : []), ...(q.tags ?? [])])];
    const hasTag = 'EXISTS (SELECT 1 FROM customer_tags t WHERE t.merchant_id = c.merchant_id AND t.customer_id = c.id AND t.tag';
    if (tags.length && q.tagMode === 'any') {
      where.push(`${hasTag} IN (${tags.map(() => '?').join(',')}))`);
      args.push(...tags);
    } else {
      for (const t of tags) {
        where.push(`${hasTag} = ?)`);
        args.push(t);
      }
    }
    if (q.search) {
      where.push("(c.name LIKE ? ESCAPE '\\' OR c.phone LIKE ? ESCAPE '\\')");
      const pat = `%${likeEscape(q.search)}%`;
      args.push(pat, pat);
    }
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM customers c WHERE ${where.join(' AND ')}`).get(...args) as { n: number }).n;
    const col = `c.${SORT_COLUMN[q.sort ?? 'lastVisit']}`;
    const cur = decodeCursor(q.cursor);
    if (cur) {
      // the first term bounds the index range; the second skips the rows of the cursor's value already shown
      where.push(`${col} <= ? AND (${col} < ? OR c.id > ?)`);
      args.push(cur.sort, cur.sort, cur.id);
    }
    const rows = this.db
      .prepare(`SELECT c.doc, ${col} AS sort, c.id FROM customers c WHERE ${where.join(' AND ')} ORDER BY ${col} DESC, c.id LIMIT ?`)
      .all(...args, q.limit + 1) as { doc: string; sort: number; id: string }[];
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return { items: parseAll<Customer>(page), nextCursor: rows.length > q.limit && last ? encodeCursor(last.sort, last.id) : null, total };
  }
  async listFacts(merchantId: string, q: { limit: number; cursor?: string }) {
    const after = decodeCursor(q.cursor)?.id ?? '';
    // raw rows (arrays): no per-row object for what is parsed at once
    const st = this.db.prepare('SELECT id, facts FROM customers WHERE merchant_id = ? AND id > ? ORDER BY id LIMIT ?');
    const rows = st.raw(true).all(merchantId, after, q.limit + 1) as FactsRow[];
    const page = rows.length > q.limit ? rows.slice(0, q.limit) : rows;
    const items = page.map(([id, facts]) => factsOf(id, JSON.parse(facts) as unknown[]));
    const last = page[page.length - 1];
    return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(0, last[0]) : null };
  }
  async count(merchantId: string) {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM customers WHERE merchant_id = ?').get(merchantId) as { n: number }).n;
  }
  async remove(merchantId: string, externalUserId: string) {
    tx(this.db, () => {
      this.db.prepare('DELETE FROM customer_tags WHERE merchant_id = ? AND customer_id = ?').run(merchantId, externalUserId);
      this.db.prepare('DELETE FROM customers WHERE merchant_id = ? AND id = ?').run(merchantId, externalUserId);
    });
  }
}

export class SqliteConversations implements ConversationRepo {
  constructor(private db: Db) {}
  async upsert(c: Conversation) {
    this.db
      .prepare(
        `INSERT INTO conversations (merchant_id, id, customer_id, channel, state, updated_at, waiting_since, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (merchant_id, id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at, waiting_since = excluded.waiting_since, doc = excluded.doc`,
      )
      .run(c.merchantId, c.id, c.externalUserId, c.channel, c.state, c.updatedAt, c.state === 'waiting_human' ? (c.waitingSince ?? c.updatedAt) : null, JSON.stringify(c));
  }
  async get(merchantId: string, id: string) {
    return parse<Conversation>(this.db.prepare('SELECT doc FROM conversations WHERE merchant_id = ? AND id = ?').get(merchantId, id) as { doc: string } | undefined);
  }
  async findByCustomer(merchantId: string, externalUserId: string, channel: Conversation['channel']) {
    return parse<Conversation>(
      this.db.prepare('SELECT doc FROM conversations WHERE merchant_id = ? AND customer_id = ? AND channel = ?').get(merchantId, externalUserId, channel) as
        { doc: string } | undefined,
    );
  }
  async list(merchantId: string, q: ConversationQuery) {
    const where = ['merchant_id = ?'];
    const args: unknown[] = [merchantId];
    if (q.states?.length) {
      where.push(`state IN (${q.states.map(() => '?').join(',')})`);
      args.push(...q.states);
    }
    const cur = decodeCursor(q.cursor);
    if (cur) {
      where.push('(updated_at < ? OR (updated_at = ? AND id > ?))');
      args.push(cur.sort, cur.sort, cur.id);
    }
    const rows = this.db.prepare(`SELECT doc, updated_at, id FROM conversations WHERE ${where.join(' AND ')} ORDER BY updated_at DESC, id LIMIT ?`).all(...args, q.limit + 1) as {
      doc: string;
      updated_at: number;
      id: string;
    }[];
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return { items: parseAll<Conversation>(page), nextCursor: rows.length > q.limit && last ? encodeCursor(last.updated_at, last.id) : null };
  }
  async countByState(merchantId: string, state: Conversation['state']) {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM conversations WHERE merchant_id = ? AND state = ?').get(merchantId, state) as { n: number }).n;
  }
  async listWaitingSince(merchantId: string, before: number, limit: number) {
    return parseAll<Conversation>(
      this.db
        .prepare("SELECT doc FROM conversations WHERE merchant_id = ? AND state = 'waiting_human' AND waiting_since < ? ORDER BY waiting_since LIMIT ?")
        .all(merchantId, before, limit),
    );
  }
  async removeByCustomer(merchantId: string, externalUserId: string) {
    return tx(this.db, () => {
      const ids = (this.db.prepare('SELECT id FROM conversations WHERE merchant_id = ? AND customer_id = ?').all(merchantId, externalUserId) as { id: string }[]).map((r) => r.id);
      this.db.prepare('DELETE FROM conversations WHERE merchant_id = ? AND customer_id = ?').run(merchantId, externalUserId);
      return ids;
    });
  }
}

export class SqliteMessages implements MessageRepo {
  constructor(private db: Db) {}
  async add(m: Message) {
    const r = this.db
      .prepare('INSERT OR IGNORE INTO messages (merchant_id, id, conversation_id, at, doc) VALUES (?, ?, ?, ?, ?)')
      .run(m.merchantId, m.id, m.conversationId, m.at, JSON.stringify(m));
    return r.changes === 1;
  }
  async listByConversation(merchantId: string, conversationId: string, limit: number, before?: { at: number; id: string }) {
    const rows = before
      ? this.db
          .prepare('SELECT doc FROM messages WHERE merchant_id = ? AND conversation_id = ? AND (at < ? OR (at = ? AND id < ?)) ORDER BY at DESC, id DESC LIMIT ?')
          .all(merchantId, conversationId, before.at, before.at, before.id, limit)
      : this.db.prepare('SELECT doc FROM messages WHERE merchant_id = ? AND conversation_id = ? ORDER BY at DESC, id DESC LIMIT ?').all(merchantId, conversationId, limit);
    return parseAll<Message>(rows).reverse();
  }
  async removeByConversation(merchantId: string, conversationId: string) {
    return this.db.prepare('DELETE FROM messages WHERE merchant_id = ? AND conversation_id = ?').run(merchantId, conversationId).changes;
  }
  async setDelivery(merchantId: string, messageId: string, delivery: NonNullable<Message['delivery']>) {
    const r = this.db.prepare("UPDATE messages SET doc = json_set(doc, '$.delivery', ?) WHERE merchant_id = ? AND id = ?").run(delivery, merchantId, messageId);
    return r.changes === 1;
  }
}
