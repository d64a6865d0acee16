import { Db } from '@cloudbase/database';
import { FakeDbError, FakeEngine, type EngineOptions } from './engine';

/**
 * The test double at the SDK's database interface: the real `Db` of @cloudbase/database (what
 * `app.database()` returns, so every query is built and serialised by the SDK's own code) with
 * its transport replaced by the in-memory engine. No network, no metadata lookups.
 */
export function fakeDatabase(opts: EngineOptions = {}) {
  const engine = new FakeEngine(opts);
  (Db as unknown as { reqClass: unknown }).reqClass = class {
    async send(action: string, params: Record<string, unknown>) {
      try {
        // a JSON round trip, like the wire: undefined fields vanish, nothing is shared by reference
        return engine.handle(action, JSON.parse(JSON.stringify(params)));
      } catch (err) {
        if (err instanceof FakeDbError) throw Object.assign(new Error(err.message), { code: err.code });
        throw err;
      }
    }
  };
  return { db: new Db({ env: 'fake-env' }) as unknown as import('../../cloudfunctions/server/storage/cloudbase/sdk').CloudbaseDb, engine };
}
