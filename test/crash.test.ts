import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../cloudfunctions/server/config';
import { createHostRuntime } from '../cloudfunctions/server/runtime-host';
import { createLogger } from '../cloudfunctions/server/logger';
import { makeLoginLink } from '../cloudfunctions/server/host/login';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { openSqliteStorage } from '../cloudfunctions/server/storage/sqlite';
import { startHost } from '../e2e/helpers';
import { VECTOR_A } from './helpers/host';

/**
 * kill -9 of the host at random points while a client writes: every write the client saw
 * acknowledged must be there after the crash, and SQLite's integrity check must pass.
 */
jest.setTimeout(180_000);

it('loses no acknowledged write across five kill -9 rounds', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-crash-'));
  const setup = await createHostRuntime({ config: loadConfig({ DATA_DIR: dataDir }), logger: createLogger('silent') });
  await createMerchant(setup.deps, { id: 'crash-shop', name: '压测店', ...VECTOR_A });
  await setup.close();

  const acked = new Set<string>();
  const rounds: { acked: number; killedAfterMs: number }[] = [];
  for (let round = 0; round < 5; round++) {
    const host = await startHost({ SEED_DEMO: '0' }, dataDir);
    await host.waitFor(/Owner app:/);
    const rt = await createHostRuntime({ config: loadConfig({ DATA_DIR: dataDir }), logger: createLogger('silent') });
    const link = await makeLoginLink(rt, 'crash-shop', 'owner', host.url);
    await rt.close();
    const login = await fetch(link, { redirect: 'manual' });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];

    let stop = false;
    const writer = async () => {
      while (!stop) {
        try {
          const res = await fetch(`${host.url}/fn/api`, {
            method: 'POST',
            headers: { cookie, 'content-type': 'application/json' },
            body: JSON.stringify({ action: 'invites.create', merchantId: 'crash-shop', role: 'staff' }),
          });
          const body = (await res.json()) as { ok: boolean; data?: { code: string } };
          if (body.ok && body.data) acked.add(body.data.code);
        } catch {
          return; // connection died with the process: that write was never acknowledged
        }
      }
    };
    const writers = [writer(), writer(), writer(), writer()];
    const killedAfterMs = 150 + Math.floor(Math.random() * 600);
    await new Promise((r) => setTimeout(r, killedAfterMs));
    const before = acked.size;
    host.child.kill('SIGKILL');
    await new Promise((r) => host.child.once('exit', r));
    stop = true;
    await Promise.all(writers);
    rounds.push({ acked: acked.size - before, killedAfterMs });

    const s = openSqliteStorage(path.join(dataDir, 'xiaoer.db'));
    try {
      expect(s.integrityCheck()).toBe('ok');
      const stored = new Set((await s.invites.list('crash-shop')).map((i) => i.code));
      const missing = [...acked].filter((c) => !stored.has(c));
      expect(missing).toEqual([]);
    } finally {
      await s.close();
    }
  }
  console.info(`crash rounds: ${JSON.stringify(rounds)}; acknowledged writes in all: ${acked.size}`);
  expect(acked.size).toBeGreaterThan(20);
});
