import fs from 'node:fs';
import path from 'node:path';
import Database from 'libsql';
import { MIGRATIONS } from './migrations';

export type Db = InstanceType<typeof Database>;

/**
 * Opens (creating if needed) the SQLite file: WAL so readers never block the writer and a
 * crash loses nothing that committed; busy_timeout so the CLI and the host can write at once.
 */
export function openDb(file: string): Db {
  if (file !== ':memory:') ownerOnly(file);
  const db = cacheStatements(new Database(file));
  db.exec('PRAGMA journal_mode = WAL');
  // SQLite gives -wal and -shm the main file's mode; files left by an older version are fixed here
  if (file !== ':memory:') for (const f of [`${file}-wal`, `${file}-shm`]) chmodIfPresent(f);
  db.exec('PRAGMA busy_timeout = 5000');
  // NORMAL in WAL mode is durable against process crashes (kill -9); only power loss can
  // drop the last transactions.
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  migrate(db);
  return db;
}

/**
 * The file holds customers' messages and sealed secrets: created 0600 (directory 0700 when we
 * create it) before SQLite opens it, whatever the umask; an existing file is narrowed to 0600.
 */
function ownerOnly(file: string) {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  chmodIfPresent(file);
}

function chmodIfPresent(file: string) {
  try {
    fs.chmodSync(file, 0o600);
  } catch {
    // absent (not created yet), or not ours to change: SQLite's own errors say more than this would
  }
}

/** Plenty for every SQL text the repositories build (a few dynamic filters included). */
const MAX_CACHED_STATEMENTS = 500;

/**
 * One `prepare` per SQL text per connection: the repositories keep their SQL inline where it is
 * read, and compiling it again on every call was a measurable share of each callback's cost. A
 * statement is reusable (the API is synchronous, each run binds its own parameters).
 */
function cacheStatements(db: Db): Db {
  const prepare = db.prepare.bind(db);
  const exec = db.exec.bind(db);
  const close = db.close.bind(db);
  const cache = new Map<string, ReturnType<Db['prepare']>>();
  // libsql aborts the whole process (a Rust panic) when a statement runs on a closed connection;
  // work still in flight when the storage is closed (a callback being followed, a shutdown) gets
  // a JavaScript error instead, which its caller logs and the sweep retries
  let closed = false;
  const open = () => {
    if (closed) throw new Error('storage is closed');
  };
  db.close = (() => {
    closed = true;
    cache.clear();
    return close();
  }) as Db['close'];
  db.exec = ((sql: string) => {
    open();
    return exec(sql);
  }) as Db['exec'];
  db.prepare = ((sql: string) => {
    open();
    let st = cache.get(sql);
    if (!st) {
      st = prepare(sql);
      if (cache.size < MAX_CACHED_STATEMENTS) cache.set(sql, st);
    }
    return st;
  }) as Db['prepare'];
  return db;
}

export function migrate(db: Db): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    // BEGIN IMMEDIATE: two processes starting together must not both apply a migration.
    db.exec('BEGIN IMMEDIATE');
    try {
      const again = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version);
      if (!again) {
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
        applied.push(m.version);
      }
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
  return applied;
}

export function integrityCheck(db: Db): string {
  const row = db.prepare('PRAGMA integrity_check').get() as { integrity_check: string };
  return row.integrity_check;
}

/** Runs `fn` in a write transaction that takes the lock up front (no upgrade deadlocks). */
export function tx<T>(db: Db, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

export const parse = <T>(row: { doc: string } | undefined): T | null => (row ? (JSON.parse(row.doc) as T) : null);
export const parseAll = <T>(rows: unknown[]): T[] => (rows as { doc: string }[]).map((r) => JSON.parse(r.doc) as T);

export { decodeCursor, encodeCursor } from '../cursor';
