import type { KvEntry, KvRepo } from '@xiaoer/shared/ports/storage';
import type { Db } from './db';
import { ReadCache } from './read-cache';

type Row = { key: string; value: string; version: number; updated_at: number };
const entry = <T>(r: Row): KvEntry<T> => ({ key: r.key, value: JSON.parse(r.value) as T, version: r.version, updatedAt: r.updated_at });

/** The cache key of one kv row: the three parts cannot run into each other. */
const rowKey = (merchantId: string, ns: string, key: string) => JSON.stringify([merchantId, ns, key]);

export class SqliteKv implements KvRepo {
  /** `cache`: settings such as the order webhook's sealed secret are read on every delivery (read-cache.ts). */
  constructor(
    private db: Db,
    private cache = new ReadCache(db),
  ) {}
  async get<T>(merchantId: string, ns: string, key: string) {
    const read = () => this.db.prepare('SELECT key, value, version, updated_at FROM kv WHERE merchant_id = ? AND ns = ? AND key = ?').get(merchantId, ns, key) as Row | undefined;
    const r = this.cache.row('kv', rowKey(merchantId, ns, key), read, (row) => row.value.length);
    return r ? entry<T>(r) : null;
  }
  async set(merchantId: string, ns: string, key: string, value: unknown, expectedVersion: number | null, now: number) {
    // before the write, won or lost: a lost compare-and-set must read the row again on its retry
    this.cache.forget('kv', rowKey(merchantId, ns, key));
    const json = JSON.stringify(value ?? null);
    const r =
      expectedVersion === null
        ? this.db.prepare('INSERT OR IGNORE INTO kv (merchant_id, ns, key, version, updated_at, value) VALUES (?, ?, ?, 1, ?, ?)').run(merchantId, ns, key, now, json)
        : this.db
            .prepare('UPDATE kv SET value = ?, version = version + 1, updated_at = ? WHERE merchant_id = ? AND ns = ? AND key = ? AND version = ?')
            .run(json, now, merchantId, ns, key, expectedVersion);
    return r.changes === 1;
  }
  async delete(merchantId: string, ns: string, key: string) {
    this.cache.forget('kv', rowKey(merchantId, ns, key));
    this.db.prepare('DELETE FROM kv WHERE merchant_id = ? AND ns = ? AND key = ?').run(merchantId, ns, key);
  }
  async prune(ns: string, before: number, limit: number) {
    this.cache.forget('kv');
    return this.db.prepare('DELETE FROM kv WHERE rowid IN (SELECT rowid FROM kv WHERE ns = ? AND updated_at < ? LIMIT ?)').run(ns, before, limit).changes;
  }
  async list<T>(merchantId: string, ns: string, limit: number) {
    return (this.db.prepare('SELECT key, value, version, updated_at FROM kv WHERE merchant_id = ? AND ns = ? ORDER BY key LIMIT ?').all(merchantId, ns, limit) as Row[]).map((r) =>
      entry<T>(r),
    );
  }
}
