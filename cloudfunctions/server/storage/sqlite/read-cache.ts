import type { Db } from './db';

/** Rows kept per table; past this the table's rows are dropped and read again as asked for. */
const MAX_ROWS = 1_000;
/** A longer row is always read from the file: the cache is for small, hot settings rows. */
const MAX_ROW_CHARS = 64 * 1024;

/**
 * Rows this connection read of a few read-mostly tables (a shop, its kv settings such as the
 * order webhook's sealed secret), answered from memory while nothing can have changed them: an
 * order delivery read both on every request, and each read is a libsql round trip that cost
 * about a quarter of the delivery's use-case CPU.
 *
 * Why this stays exact:
 * - Another connection's commit (the CLI rotating a secret, a second host) changes SQLite's
 *   `PRAGMA data_version`, which is read before the first cached answer of each turn of the
 *   event loop; a change drops every row. Within one turn a read answered from memory is the
 *   read that would have run a moment earlier, before that commit.
 * - This connection's own writes do not change `data_version`, so every write method of a cached
 *   table drops the rows it may touch ({@link forget}) whether or not it changed anything — a
 *   compare-and-set lost to another process reads the row again on its retry.
 * - Inside a transaction nothing is answered from or kept in memory (the write may roll back).
 * - Rows are kept as the text SQLite returned, so every caller parses its own object.
 * - Only rows that exist are kept: a missing row is read every time.
 */
export class ReadCache {
  private tables = new Map<string, Map<string, unknown>>();
  private version: number | null = null;
  private checked = false;

  constructor(private db: Db) {}

  /** The row under `key` of `table`, from memory when current, else `read()` (kept when it found a small row). */
  row<R extends object>(table: string, key: string, read: () => R | undefined, size: (r: R) => number): R | undefined {
    // a closed connection: `read` throws the storage's own error (libsql aborts the process on
    // `inTransaction` there); in a transaction the row may be this connection's uncommitted write
    if (!this.db.open || this.db.inTransaction) return read();
    this.sync();
    let rows = this.tables.get(table);
    const hit = rows?.get(key) as R | undefined;
    if (hit) return hit;
    const r = read();
    if (r && size(r) <= MAX_ROW_CHARS) {
      if (!rows) this.tables.set(table, (rows = new Map()));
      if (rows.size >= MAX_ROWS) rows.clear();
      rows.set(key, r);
    }
    return r;
  }

  /** Drops the row under `key` of `table` (every row of it without a key): this connection is writing it. */
  forget(table: string, key?: string): void {
    if (key === undefined) this.tables.delete(table);
    else this.tables.get(table)?.delete(key);
  }

  /** Once per turn of the event loop: another connection's commit since the last look drops everything. */
  private sync() {
    if (this.checked) return;
    const v = (this.db.prepare('PRAGMA data_version').get() as { data_version: number }).data_version;
    if (v !== this.version) {
      this.tables.clear();
      this.version = v;
    }
    this.checked = true;
    setImmediate(() => {
      this.checked = false;
    });
  }
}
