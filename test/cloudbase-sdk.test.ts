import { runStorageContracts } from '../cloudfunctions/server/storage/contract';
import { createCloudbaseStorage, ensureCollections, openCloudbaseStorage } from '../cloudfunctions/server/storage/cloudbase';
import { type CloudbaseDb, withPrefix } from '../cloudfunctions/server/storage/cloudbase/sdk';
import { loadConfig } from '../cloudfunctions/server/config';
import { createLogger } from '../cloudfunctions/server/logger';
import { startFakeCloudbase } from './cloudbase-fake/server';

/**
 * The adapter through the REAL @cloudbase/node-sdk: every repository contract, over HTTP, to a
 * server speaking CloudBase's wire protocol (`serviceUrl`). Each test gets its own collection
 * prefix, which is also how the same suites run against a real environment below.
 */
process.env.SILENCE = 'true'; // the SDK's "slower than 3 s" warnings
process.env.TENCENTCLOUD = 'true'; // skip its metadata probe, as openCloudbaseStorage does with a serviceUrl
jest.setTimeout(120_000);

async function sdkDb(env: Record<string, string>): Promise<CloudbaseDb> {
  const { default: tcb } = await import('@cloudbase/node-sdk');
  const c = loadConfig(env).cloudbase;
  const app = tcb.init({ env: c.envId!, secretId: c.secretId!, secretKey: c.secretKey!, serviceUrl: c.serviceUrl, sessionToken: c.sessionToken, timeout: 15_000 } as never);
  return app.database() as unknown as CloudbaseDb;
}

describe('CloudBase adapter through the real node-sdk, against a wire-protocol server', () => {
  let fake: Awaited<ReturnType<typeof startFakeCloudbase>>;
  let db: CloudbaseDb;
  let n = 0;
  beforeAll(async () => {
    fake = await startFakeCloudbase({ maxPage: 3 });
    db = await sdkDb({
      APP_RUNTIME: 'cloudbase',
      CLOUDBASE_ENV_ID: 'fake-env',
      TENCENTCLOUD_SECRETID: 'AKIDfake',
      TENCENTCLOUD_SECRETKEY: 'fake',
      APP_MASTER_KEY: 'a'.repeat(64),
      CLOUDBASE_SERVICE_URL: fake.url,
    });
  });
  afterAll(() => fake.close());

  runStorageContracts(async () => {
    const scoped = withPrefix(db, `t${n++}_`);
    await ensureCollections(scoped);
    return createCloudbaseStorage(scoped);
  });

  it('opens through openCloudbaseStorage with serviceUrl and creates the collections', async () => {
    const config = loadConfig({
      APP_RUNTIME: 'cloudbase',
      CLOUDBASE_ENV_ID: 'fake-env',
      TENCENTCLOUD_SECRETID: 'AKIDfake',
      TENCENTCLOUD_SECRETKEY: 'fake',
      APP_MASTER_KEY: 'a'.repeat(64),
      CLOUDBASE_SERVICE_URL: fake.url,
    });
    const s = await openCloudbaseStorage(config, createLogger('silent'));
    expect(fake.engine.collections.has('merchants')).toBe(true);
    expect(await s.merchants.listAll()).toEqual([]);
  });
});

const real = process.env.CLOUDBASE_ENV_ID && process.env.TENCENTCLOUD_SECRETID && process.env.TENCENTCLOUD_SECRETKEY;
if (!real) console.info('CloudBase contract suites against a real environment: skipped (set CLOUDBASE_ENV_ID, TENCENTCLOUD_SECRETID and TENCENTCLOUD_SECRETKEY to run them)');
(real ? describe : describe.skip)('CloudBase adapter against the real environment in CLOUDBASE_ENV_ID', () => {
  let db: CloudbaseDb;
  const run = `xiaoer_test_${Date.now().toString(36)}_`;
  let n = 0;
  beforeAll(async () => {
    db = await sdkDb({ ...(process.env as Record<string, string>), APP_RUNTIME: 'cloudbase', APP_MASTER_KEY: 'a'.repeat(64) });
  });
  runStorageContracts(async () => {
    const scoped = withPrefix(db, `${run}${n++}_`);
    await ensureCollections(scoped);
    return createCloudbaseStorage(scoped);
  });
});
