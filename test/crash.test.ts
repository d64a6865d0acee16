import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../cloudfunctions/server/config';
import { createHostRuntime } from '../cloudfunctions/server/runtime-host';
import { createLogger } from '../cloudfunctions/server/logger';
import { makeLoginLink } from '../cloudfunctions/server/host/login';
import { sandboxSentList } from '../cloudfunctions/server/wecom-sandbox/cli';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { openSqliteStorage } from '../cloudfunctions/server/storage/sqlite';
import { startHost } from '../e2e/helpers';
import { VECTOR_A } from './helpers/host';
import { alive, healthy, kill9, sleep, until, type Host } from './helpers/host-process';

/**
 * kill -9 of the host process (`npm start`'s entry) at the worst moments. The test waits for
 * and looks at the running host over HTTP only (GET /healthz, GET /sandbox/_control/sent), and
 * at the dead host's data by opening its SQLite file in this process: no CLI child processes.
 */
jest.setTimeout(180_000);

const silent = (dataDir: string) => createHostRuntime({ config: loadConfig({ DATA_DIR: dataDir }), logger: createLogger('silent') });

const started: Host[] = [];
afterAll(async () => {
  for (const h of started) if (alive(h)) await h.stop();
});
async function start(env: Record<string, string>, dataDir: string): Promise<Host> {
  const host = await startHost(env, dataDir);
  started.push(host);
  await healthy(host);
  return host;
}

it('loses no acknowledged write across five kill -9 rounds', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-crash-'));
  const setup = await silent(dataDir);
  await createMerchant(setup.deps, { id: 'crash-shop', name: '压测店', ...VECTOR_A });
  await setup.close();

  const acked = new Set<string>();
  const rounds: { acked: number; killedAfterMs: number }[] = [];
  for (let round = 0; round < 5; round++) {
    const host = await start({ SEED_DEMO: '0' }, dataDir);
    const rt = await silent(dataDir);
    const link = await makeLoginLink(rt, 'crash-shop', 'owner', host.url);
    await rt.close();
    const login = await fetch(link, { redirect: 'manual' });
    expect(login.status).toBe(302);
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
    // kill at a random point, but only once this round has had writes acknowledged
    const before = acked.size;
    await until(
      async () => acked.size,
      (n) => n > before,
      'a first acknowledged write this round',
    );
    const killedAfterMs = 150 + Math.floor(Math.random() * 600);
    await sleep(killedAfterMs);
    await kill9(host);
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

const SHOP = 'kf-shop';
const SECRETS = { appSecret: 'kf-e2e-app-secret-1', contactSecret: 'kf-e2e-contact-secret-2', kfSecret: 'kf-e2e-kf-secret-3', agentId: 1000002 };
const ANSWER = '每天早上十点开门，晚上十点打烊';
type Sent = { api: string; to: string; text: string; errcode: number; msgid: string };

it('kill -9 between the acknowledgement and the reply: answered exactly once after restart', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-kf-crash-'));
  const env = { SEED_DEMO: '0', DATA_DIR: dataDir };
  let host = await start(env, dataDir);
  const admin = await silent(dataDir);
  await createMerchant(admin.deps, { id: SHOP, name: '客服店', ...VECTOR_A, corpId: 'ww5566778899001122', ...SECRETS });
  await admin.deps.storage.knowledge.upsertFaq({
    id: 'hours',
    merchantId: SHOP,
    question: '你们几点开门',
    answer: ANSWER,
    alternatives: ['营业时间'],
    enabled: true,
    updatedAt: 0,
  });
  await admin.close();

  const res = await fetch(`${host.url}/sandbox/_control/customer-message`, {
    method: 'POST',
    body: JSON.stringify({ merchantId: SHOP, externalUserId: 'wmCrash', text: '你们几点开门' }),
  });
  const posted = ((await res.json()) as { data: { callback: { status: number } } }).data;
  expect(posted.callback.status).toBe(200); // acknowledged (and stored) ...
  await kill9(host); // ... and killed inside the 2 s fragment window, before any reply

  // the dead host's sandbox records, read from its database the way `cli sandbox sent` does
  const dead = await silent(dataDir);
  try {
    expect((await sandboxSentList(dead, SHOP)).filter((s) => s.to === 'wmCrash')).toEqual([]);
  } finally {
    await dead.close();
  }

  host = await start(env, dataDir);
  const sent = async () => {
    const r = await fetch(`${host.url}/sandbox/_control/sent?merchantId=${SHOP}`);
    if (r.status !== 200) throw new Error(`sent: HTTP ${r.status}`);
    return ((await r.json()) as { data: Sent[] }).data;
  };
  await until(sent, (list) => list.some((s) => s.to === 'wmCrash'), 'a reply to wmCrash after the restart');
  await sleep(2500); // room for a second (wrong) reply to show up
  expect((await sent()).filter((s) => s.to === 'wmCrash' && s.errcode === 0).map((s) => s.text)).toEqual([ANSWER]);
});
