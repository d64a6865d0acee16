import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runStorageContracts } from '../contract';
import { openSqliteStorage } from '.';
import { openDb } from './db';
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
});
