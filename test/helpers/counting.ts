import type { Storage } from '@xiaoer/shared/ports/storage';
import type { SqliteStorage } from '../../cloudfunctions/server/storage/sqlite';

/** Every repository method call through the returned storage, as `repo.method`, in call order. */
export function countingStorage(storage: Storage) {
  const calls: string[] = [];
  const proxy = new Proxy(storage, {
    get(target, repo) {
      const r = Reflect.get(target, repo) as unknown;
      if (typeof r !== 'object' || r === null) return r;
      return new Proxy(r, {
        get(rt, method) {
          const f = Reflect.get(rt, method) as unknown;
          if (typeof f !== 'function') return f;
          return (...args: unknown[]) => {
            calls.push(`${String(repo)}.${String(method)}`);
            return (f as (...a: unknown[]) => unknown).apply(rt, args);
          };
        },
      });
    },
  });
  return { storage: proxy, calls };
}

/** The SQL texts the SQLite connection runs from now on (or what `name` makes of each), one entry per run/get/all. */
export function sqlStatements(s: SqliteStorage, name: (sql: string) => string = (sql) => sql): string[] {
  const seen: string[] = [];
  const prepare = s.db.prepare.bind(s.db);
  s.db.prepare = ((sql: string) => {
    const st = prepare(sql);
    return new Proxy(st, {
      get(t, k) {
        const v = Reflect.get(t, k) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          if (k === 'run' || k === 'get' || k === 'all') seen.push(name(sql));
          return (v as (...x: unknown[]) => unknown).apply(t, args);
        };
      },
    });
  }) as typeof s.db.prepare;
  return seen;
}
