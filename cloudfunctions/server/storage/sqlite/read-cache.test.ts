import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Merchant } from '@xiaoer/shared/domain/merchant';
import { openSqliteStorage, type SqliteStorage } from '.';
import { tx } from './db';
import { sqlStatements } from '../../../../test/helpers/counting';

/**
 * Shops and kv rows are answered from memory while nothing changed them (read-cache.ts): these
 * check that no change is ever missed — another connection's commit (the CLI in another process)
 * from the next turn on, this connection's own writes and lost compare-and-sets at once — and
 * that the cache does save the reads, counted at the SQL the connection runs.
 */
let file: string;
let a: SqliteStorage;
let b: SqliteStorage;
beforeEach(() => {
  file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-read-cache-')), 'db');
  a = openSqliteStorage(file);
  b = openSqliteStorage(file);
});
afterEach(async () => {
  await a.close();
  await b.close();
});

const nextTurn = () => new Promise((r) => setImmediate(r));
const shop = (name: string) => ({ id: 'm1', name, timezone: 'Asia/Shanghai', createdAt: 1 }) as unknown as Merchant;

describe('read cache (SQLite)', () => {
  it('serves a shop and a kv row from memory until something changes them', async () => {
    await a.merchants.create(shop('一号店'));
    await a.kv.set('m1', 'webhook', 'secret', { v: 1 }, null, 1);
    await a.merchants.get('m1');
    await a.kv.get('m1', 'webhook', 'secret');
    await nextTurn();
    const sql = sqlStatements(a);
    for (let i = 0; i < 5; i++) {
      expect((await a.merchants.get('m1'))?.name).toBe('一号店');
      expect((await a.kv.get<{ v: number }>('m1', 'webhook', 'secret'))?.value).toEqual({ v: 1 });
    }
    // ten reads in one turn: one look at data_version, no row read again
    expect(sql).toEqual(['PRAGMA data_version']);
  });

  it("sees another connection's commit from the next turn on", async () => {
    await a.merchants.create(shop('一号店'));
    await a.kv.set('m1', 'webhook', 'secret', { v: 1 }, null, 1);
    expect((await a.kv.get<{ v: number }>('m1', 'webhook', 'secret'))?.value).toEqual({ v: 1 });
    expect((await a.merchants.get('m1'))?.name).toBe('一号店');
    // the CLI rotating the secret and renaming the shop from its own process
    const cur = await b.kv.get('m1', 'webhook', 'secret');
    expect(await b.kv.set('m1', 'webhook', 'secret', { v: 2 }, cur!.version, 2)).toBe(true);
    await b.merchants.save(shop('二号店'));
    await nextTurn();
    expect((await a.kv.get<{ v: number }>('m1', 'webhook', 'secret'))?.value).toEqual({ v: 2 });
    expect((await a.merchants.get('m1'))?.name).toBe('二号店');
  });

  it("answers this connection's own writes at once, and a lost compare-and-set reads the row again", async () => {
    await a.merchants.create(shop('一号店'));
    await a.merchants.get('m1');
    await a.merchants.save(shop('改名店'));
    expect((await a.merchants.get('m1'))?.name).toBe('改名店');

    await a.kv.set('m1', 'stock', 'T01', { n: 10 }, null, 1);
    const seen = await a.kv.get<{ n: number }>('m1', 'stock', 'T01');
    // another process moves the row within this very turn: the cached version is now stale...
    const theirs = await b.kv.get('m1', 'stock', 'T01');
    expect(await b.kv.set('m1', 'stock', 'T01', { n: 7 }, theirs!.version, 2)).toBe(true);
    // ...so this connection's compare-and-set loses, and its retry must read the row again
    expect(await a.kv.set('m1', 'stock', 'T01', { n: 9 }, seen!.version, 3)).toBe(false);
    const again = await a.kv.get<{ n: number }>('m1', 'stock', 'T01');
    expect(again?.value).toEqual({ n: 7 });
    expect(await a.kv.set('m1', 'stock', 'T01', { n: 6 }, again!.version, 3)).toBe(true);
    expect((await a.kv.get<{ n: number }>('m1', 'stock', 'T01'))?.value).toEqual({ n: 6 });

    await a.kv.delete('m1', 'stock', 'T01');
    expect(await a.kv.get('m1', 'stock', 'T01')).toBeNull();
    await a.kv.set('m1', 'old', 'k', 1, null, 1);
    await a.kv.get('m1', 'old', 'k');
    expect(await a.kv.prune('old', 5, 10)).toBe(1);
    expect(await a.kv.get('m1', 'old', 'k')).toBeNull();
  });

  it('keeps nothing read inside a transaction, which may roll back', async () => {
    await a.kv.set('m1', 'ns', 'k', { v: 1 }, null, 1);
    expect(() =>
      tx(a.db, () => {
        a.db.prepare('UPDATE kv SET value = ? WHERE key = ?').run('{"v":2}', 'k');
        void a.kv.get('m1', 'ns', 'k');
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect((await a.kv.get<{ v: number }>('m1', 'ns', 'k'))?.value).toEqual({ v: 1 });
  });

  it('hands every caller its own object', async () => {
    await a.merchants.create(shop('一号店'));
    const first = await a.merchants.get('m1');
    first!.name = '被改了';
    expect((await a.merchants.get('m1'))?.name).toBe('一号店');
  });
});
