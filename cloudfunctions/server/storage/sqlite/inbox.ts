import type { InboxEntry } from '@xiaoer/shared/domain/inbox';
import type { InboxRepo } from '@xiaoer/shared/ports/storage';
import { type Db, parse, parseAll, tx } from './db';
import { GroupCommit } from './group-commit';

export class SqliteInbox implements InboxRepo {
  constructor(
    private db: Db,
    private group = new GroupCommit(db),
  ) {}
  async put(e: InboxEntry) {
    // committed (with the other callbacks of this turn) before it resolves: stored before
    // acknowledged. A duplicate (WeCom's retries, a replay) is ignored inside the same batch: a
    // read first would cost every new callback a SQLite call to save the rare duplicate a share
    // of a write lock the batch takes anyway.
    return this.group.write(
      () =>
        this.db
          .prepare('INSERT OR IGNORE INTO inbox (merchant_id, dedupe_key, status, received_at, doc) VALUES (?, ?, ?, ?, ?)')
          .run(e.merchantId, e.dedupeKey, e.status, e.receivedAt, JSON.stringify(e)).changes === 1,
    );
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
    // one statement, committed with this turn's other writes: this runs once per callback, and a
    // read-modify-write transaction of its own cost more than the rest of storing it
    await this.group.write(() =>
      this.db
        .prepare(
          "UPDATE inbox SET status = 'processed', doc = json_set(doc, '$.status', 'processed', '$.processedAt', ?, '$.attempts', COALESCE(json_extract(doc, '$.attempts'), 0) + 1) WHERE merchant_id = ? AND dedupe_key = ?",
        )
        .run(now, merchantId, dedupeKey),
    );
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
