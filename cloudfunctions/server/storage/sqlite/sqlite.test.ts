import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'libsql';
import { runStorageContracts } from '../contract';
import { openSqliteStorage } from '.';
import { openDb } from './db';
import { BACKSTOP_PAGES, startCheckpointer } from './checkpointer';
import { MIGRATIONS } from './migrations';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-sqlite-'));
let n = 0;

describe('sqlite storage', () => {
  runStorageContracts(async () => openSqliteStorage(path.join(dir, `t${n++}.db`)));

  it('opens in WAL mode with a busy timeout and applies each migration once', () => {
    const file = path.join(dir, 'wal.db');
    const db = openDb(file);
    expect((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    expect((db.prepare('PRAGMA busy_timeout').get() as { timeout: number }).timeout).toBe(5000);
    db.close();
    const again = openDb(file);
    const versions = (again.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version);
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
    again.close();
  });

  it('gives customers stored before migration 9 their sort columns and rule facts (through migration 10)', async () => {
    const file = path.join(dir, 'before-v9.db');
    const old = new Database(file);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version < 9)) {
      old.exec(m.sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
    }
    const doc = (id: string, totalSpentFen: number, createdAt: number) =>
      JSON.stringify({
        merchantId: 'm',
        externalUserId: id,
        name: id,
        source: 'qr',
        sourceState: 'poster',
        tags: ['VIP'],
        totalSpentFen,
        orderCount: 1,
        birthday: { month: 3, day: 1 },
        lost: false,
        createdAt,
        updatedAt: createdAt,
      });
    const ins = old.prepare('INSERT INTO customers (merchant_id, id, name, phone, last_active, doc) VALUES (?, ?, ?, NULL, ?, ?)');
    ins.run('m', 'old1', 'old1', 10, doc('old1', 500, 2));
    ins.run('m', 'old2', 'old2', 20, doc('old2', 900, 1));
    old.close();
    const s = openSqliteStorage(file);
    expect((await s.customers.list('m', { sort: 'spend', limit: 10 })).items.map((c) => c.externalUserId)).toEqual(['old2', 'old1']);
    expect((await s.customers.list('m', { sort: 'added', limit: 10 })).items.map((c) => c.externalUserId)).toEqual(['old1', 'old2']);
    expect((await s.customers.listFacts('m', { limit: 10 })).items[0]).toEqual({
      externalUserId: 'old1',
      name: 'old1',
      tags: ['VIP'],
      totalSpentFen: 500,
      orderCount: 1,
      createdAt: 2,
      source: 'qr',
      sourceState: 'poster',
      birthdayMonth: 3,
      birthdayDay: 1,
      lost: false,
    });
    await s.close();
  });

  it('creates the file and its -wal/-shm readable by the owner only (0600)', () => {
    const file = path.join(dir, 'private', 'mode.db');
    const db = openDb(file);
    db.exec('CREATE TABLE IF NOT EXISTS t (x)');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect((fs.statSync(f).mode & 0o777).toString(8)).toBe('600');
    db.close();
  });

  it('prepares each SQL text once per connection', () => {
    const db = openDb(path.join(dir, 'stmt.db'));
    expect(db.prepare('SELECT 1 AS one')).toBe(db.prepare('SELECT 1 AS one'));
    db.close();
  });

  it('answers a duplicate inbox entry without changing anything', async () => {
    const s = openSqliteStorage(path.join(dir, 'dup.db'));
    const e = { merchantId: 'm', dedupeKey: 'msg:1', msgType: 'text', event: '', plaintext: '<xml/>', receivedAt: 1, status: 'pending' as const, attempts: 0 };
    expect(await s.inbox.put(e)).toBe(true);
    const changes = () => (s.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    const before = changes();
    expect(await s.inbox.put(e)).toBe(false);
    expect(changes()).toBe(before);
    // several puts of one turn commit together, each told whether it was first
    expect(await Promise.all([s.inbox.put({ ...e, dedupeKey: 'msg:2' }), s.inbox.put({ ...e, dedupeKey: 'msg:2' }), s.inbox.put({ ...e, dedupeKey: 'msg:3' })])).toEqual([
      true,
      false,
      true,
    ]);
    await s.inbox.markProcessed('m', 'msg:2', 5);
    expect(await s.inbox.get('m', 'msg:2')).toMatchObject({ status: 'processed', processedAt: 5, attempts: 1 });
    await s.close();
  });

  describe('checkpoints on a thread of their own', () => {
    const pages = (db: ReturnType<typeof openDb>) => (db.prepare('PRAGMA wal_autocheckpoint').get() as { wal_autocheckpoint: number }).wal_autocheckpoint;
    /** The rows the database file holds by itself, read from a copy of it without its WAL. */
    const rowsInMainFile = (file: string) => {
      const copy = `${file}.copy-${n++}`;
      fs.copyFileSync(file, copy);
      const db = openDb(copy);
      const count = (db.prepare('SELECT count(*) AS n FROM inbox').get() as { n: number }).n;
      db.close();
      return count;
    };

    it('copies the WAL into the database file while the connection never checkpoints by itself', async () => {
      const file = path.join(dir, 'ckpt.db');
      const s = openSqliteStorage(file, { checkpointInBackground: true });
      expect(pages(s.db)).toBe(BACKSTOP_PAGES);
      const e = { merchantId: 'm', msgType: 'text', event: '', plaintext: '<xml/>', receivedAt: 1, status: 'pending' as const, attempts: 0 };
      await Promise.all(Array.from({ length: 200 }, (_, i) => s.inbox.put({ ...e, dedupeKey: `msg:${i}` })));
      // far below the connection's own threshold: only the thread can have put them in the file
      const walPages = fs.statSync(`${file}-wal`).size / 4096;
      expect(walPages).toBeLessThan(BACKSTOP_PAGES);
      for (let i = 0; i < 200 && rowsInMainFile(file) < 200; i++) await new Promise((r) => setTimeout(r, 50));
      expect(rowsInMainFile(file)).toBe(200);
      await s.close();
      const again = openSqliteStorage(file);
      expect(await again.inbox.get('m', 'msg:199')).toMatchObject({ status: 'pending' });
      await again.close();
    });

    it('leaves checkpoints to the connection again when the thread cannot run', async () => {
      const db = openDb(path.join(dir, 'fallback.db'));
      const c = startCheckpointer(db, path.join(dir, 'no-such-dir', 'x.db'));
      for (let i = 0; i < 200 && pages(db) !== 1000; i++) await new Promise((r) => setTimeout(r, 50));
      expect(pages(db)).toBe(1000);
      await c.stop();
      db.close();
    });
  });
});

it('work still in flight after the storage is closed gets an error, not a process abort', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-closed-'));
  const s = openSqliteStorage(path.join(dir, 'db'));
  await s.kv.set('m1', 'ns', 'k', { a: 1 }, null, 1);
  await s.close();
  await expect(s.kv.get('m1', 'ns', 'k')).rejects.toThrow('storage is closed');
  await expect(s.inbox.listPending(Date.now(), 10)).rejects.toThrow('storage is closed');
});
