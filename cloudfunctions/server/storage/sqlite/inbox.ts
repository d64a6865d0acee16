import type { InboxEntry } from '@xiaoer/shared/domain/inbox';
import type { InboxRepo } from '@xiaoer/shared/ports/storage';
import { type Db, parse, parseAll, tx } from './db';

export class SqliteInbox implements InboxRepo {
  constructor(private db: Db) {}
  async put(e: InboxEntry) {
    const r = this.db
      .prepare('INSERT OR IGNORE INTO inbox (merchant_id, dedupe_key, status, received_at, doc) VALUES (?, ?, ?, ?, ?)')
      .run(e.merchantId, e.dedupeKey, e.status, e.receivedAt, JSON.stringify(e));
    return r.changes === 1;
  }
  async get(merchantId: string, dedupeKey: string) {
    return parse<InboxEntry>(this.db.prepare('SELECT doc FROM inbox WHERE merchant_id = ? AND dedupe_key = ?').get(merchantId, dedupeKey) as { doc: string } | undefined);
  }
  async listPending(receivedBefore: number, limit: number) {
    return parseAll<InboxEntry>(this.db.prepare("SELECT doc FROM inbox WHERE status = 'pending' AND received_at < ? ORDER BY received_at LIMIT ?").all(receivedBefore, limit));
  }
  async pruneProcessed(before: number, limit: number) {
    return this.db.prepare("DELETE FROM inbox WHERE rowid IN (SELECT rowid FROM inbox WHERE status = 'processed' AND received_at < ? LIMIT ?)").run(before, limit).changes;
  }
  async markProcessed(merchantId: string, dedupeKey: string, now: number) {
    this.update(merchantId, dedupeKey, (e) => ({ ...e, status: 'processed', processedAt: now, attempts: e.attempts + 1 }));
  }
  async markFailed(merchantId: string, dedupeKey: string, error: string, now: number) {
    this.update(merchantId, dedupeKey, (e) => ({ ...e, status: 'failed', processedAt: now, attempts: e.attempts + 1, lastError: error.slice(0, 500) }));
  }
  private update(merchantId: string, key: string, f: (e: InboxEntry) => InboxEntry) {
    tx(this.db, () => {
      const cur = parse<InboxEntry>(this.db.prepare('SELECT doc FROM inbox WHERE merchant_id = ? AND dedupe_key = ?').get(merchantId, key) as { doc: string } | undefined);
      if (!cur) return;
      const next = f(cur);
      this.db.prepare('UPDATE inbox SET status = ?, doc = ? WHERE merchant_id = ? AND dedupe_key = ?').run(next.status, JSON.stringify(next), merchantId, key);
    });
  }
}
