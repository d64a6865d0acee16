import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { loadConfig } from '../cloudfunctions/server/config';
import { createHostRuntime } from '../cloudfunctions/server/runtime-host';
import { createLogger } from '../cloudfunctions/server/logger';
import { startFakeCloudbase } from './cloudbase-fake/server';
import { VECTOR_A } from './helpers/host';

/**
 * The production join path: the `api` function's CloudBase entry, the caller proved by
 * wx-server-sdk's getWXContext() (a fake WeChat context: the WX_* variables CloudBase sets),
 * data in a CloudBase-protocol server.
 */
let fake: Awaited<ReturnType<typeof startFakeCloudbase>>;
const env = (extra: Record<string, string> = {}) => ({
  APP_RUNTIME: 'cloudbase',
  CLOUDBASE_ENV_ID: 'join-env',
  TENCENTCLOUD_SECRETID: 'AKIDjoin',
  TENCENTCLOUD_SECRETKEY: 'join',
  APP_MASTER_KEY: 'b'.repeat(64),
  CLOUDBASE_SERVICE_URL: fake.url,
  ...extra,
});

beforeAll(async () => {
  fake = await startFakeCloudbase();
  Object.assign(process.env, env(), { SILENCE: 'true', WX_CONTEXT_KEYS: 'WX_OPENID,WX_APPID', WX_APPID: 'wxapp' });
});
afterAll(() => fake.close());

const as = (openid: string) => {
  process.env.WX_OPENID = openid;
};

it('an owner and a staff member join with invite codes and get their roles', async () => {
  const admin = await createHostRuntime({ config: loadConfig(env()), logger: createLogger('silent') });
  const { ownerInvite } = await createMerchant(admin.deps, { id: 'cb-shop', name: '云上店', ...VECTOR_A });
  const { main } = await import('../cloudfunctions/api/main');

  as('o-owner-1');
  expect(await main({ action: 'me.get' })).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN' });
  expect(await main({ action: 'me.join', code: ownerInvite.code, name: '王老板' })).toEqual({ ok: true, data: { merchant: { id: 'cb-shop', name: '云上店', role: 'owner' } } });
  expect(await main({ action: 'me.get' })).toMatchObject({ ok: true, data: { merchants: [{ id: 'cb-shop', role: 'owner' }] } });
  const invite = (await main({ action: 'invites.create', merchantId: 'cb-shop', role: 'staff' })) as { ok: boolean; data: { code: string } };
  expect(invite.ok).toBe(true);

  as('o-staff-1');
  expect(await main({ action: 'me.join', code: ownerInvite.code })).toMatchObject({ ok: false, code: 'INVITE.USED', message: expect.stringContaining('用过') });
  expect(await main({ action: 'me.join', code: 'ZZZZ2345' })).toMatchObject({ ok: false, code: 'INVITE.NOT_FOUND' });
  expect(await main({ action: 'me.join', code: invite.data.code })).toMatchObject({ ok: true, data: { merchant: { role: 'staff' } } });
  expect(await main({ action: 'settings.get', merchantId: 'cb-shop' })).toMatchObject({ ok: false, code: 'AUTH.ROLE_REQUIRED' });
  expect(await main({ action: 'dashboard.today', merchantId: 'cb-shop' })).toMatchObject({ ok: true, data: { role: 'staff', revenueFen: null } });

  // the event can't claim to be someone else: identity comes only from the WeChat context
  expect(await main({ action: 'settings.get', merchantId: 'cb-shop', openid: 'o-owner-1', userInfo: { openId: 'o-owner-1' } })).toMatchObject({ ok: false });
  delete process.env.WX_OPENID;
  expect(await main({ action: 'me.get' })).toMatchObject({ ok: false, code: 'AUTH.UNAUTHENTICATED' });

  const members = fake.engine.find('members');
  expect(members.map((m) => m.openid).sort()).toEqual(['o-owner-1', 'o-staff-1']);
  expect(members.every((m) => m.schemaVersion === 1)).toBe(true);
});
