import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { startHost, ROOT } from '../e2e/helpers';
import { startFakeCloudbase } from './cloudbase-fake/server';
import { VECTOR_A } from './helpers/host';

/**
 * ARCHITECTURE §5: the local host with APP_RUNTIME=cloudbase, data in a server that speaks
 * CloudBase's protocol (CLOUDBASE_SERVICE_URL), driven the way an operator would: the CLI
 * creates and lists a merchant, the host serves the app, a login link works, WeCom's URL
 * verification and a callback land in the CloudBase inbox.
 */
jest.setTimeout(120_000);

const A1 =
  'msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780&echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D';

let fake: Awaited<ReturnType<typeof startFakeCloudbase>>;
let env: Record<string, string>;
beforeAll(async () => {
  fake = await startFakeCloudbase();
  env = {
    APP_RUNTIME: 'cloudbase',
    CLOUDBASE_ENV_ID: 'host-env',
    TENCENTCLOUD_SECRETID: 'AKIDhost',
    TENCENTCLOUD_SECRETKEY: 'host',
    APP_MASTER_KEY: 'c'.repeat(64),
    CLOUDBASE_SERVICE_URL: fake.url,
    WECOM_MAX_SKEW_S: '0',
    SILENCE: 'true',
  };
});
afterAll(() => fake.close());

/** Async on purpose: the fake CloudBase server lives in this process and must keep answering. */
function cli(args: string[], extra: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'cloudfunctions/server/cli/main.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, ...env, ...extra } },
      (err, stdout) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout.trim() }),
    );
  });
}

it('refuses to start in cloudbase mode without credentials, with a clear error', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cloudfunctions/server/host/main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, APP_RUNTIME: 'cloudbase', CLOUDBASE_ENV_ID: 'x', PORT: '0' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status).toBe(1);
  expect(JSON.parse(r.stderr.trim().split('\n').pop()!)).toMatchObject({ ok: false, code: 'CONFIG.MISSING', message: expect.stringContaining('TENCENTCLOUD_SECRETID') });
});

it('runs the host on CloudBase storage: merchant create/list, the app, a session, the WeCom callback', async () => {
  const host = await startHost(env);
  try {
    await host.waitFor(/Owner app:/);
    expect(host.output()).toContain('runtime: cloudbase');
    expect(host.output()).not.toContain('demo shop demo-naicha seeded');

    const made = await cli([
      'merchant',
      'create',
      '--id',
      'cloud-shop',
      '--name',
      '云端奶茶',
      '--corp-id',
      VECTOR_A.corpId,
      '--token',
      VECTOR_A.token,
      '--aes-key',
      VECTOR_A.aesKey,
      '--json',
    ]);
    expect(made.code).toBe(0);
    expect(JSON.parse(made.out)).toMatchObject({ id: 'cloud-shop', name: '云端奶茶' });
    const listed = JSON.parse((await cli(['merchant', 'list', '--json'])).out);
    expect(listed).toEqual([expect.objectContaining({ id: 'cloud-shop', name: '云端奶茶' })]);
    expect(fake.engine.find('merchants')).toHaveLength(1);
    expect(JSON.stringify(fake.engine.find('merchants'))).not.toContain(VECTOR_A.aesKey);

    const page = await fetch(`${host.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');

    const link = JSON.parse((await cli(['login-link', '--merchant', 'cloud-shop', '--json'], { PUBLIC_URL: host.url })).out).url as string;
    const login = await fetch(link, { redirect: 'manual' });
    expect(login.status).toBe(302);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    const me = await fetch(`${host.url}/fn/api`, { method: 'POST', headers: { cookie }, body: JSON.stringify({ action: 'dashboard.today', merchantId: 'cloud-shop' }) });
    expect(await me.json()).toMatchObject({ ok: true, data: { merchant: { name: '云端奶茶' }, role: 'owner' } });

    const verify = await fetch(`${host.url}/wecom/callback/cloud-shop?${A1}`);
    expect(await verify.text()).toBe('1616140317555161061');

    // the owner app's newer actions on CloudBase storage: the setup checker sees the verification,
    // a FAQ added from the app answers 问问 AI, a member's WeCom account is kept
    const api = async (body: object) =>
      (await (await fetch(`${host.url}/fn/api`, { method: 'POST', headers: { cookie }, body: JSON.stringify({ merchantId: 'cloud-shop', ...body }) })).json()) as any;
    const setup = await api({ action: 'setup.check' });
    expect(setup.data.items.find((i: { key: string }) => i.key === 'callback')).toMatchObject({ ok: true, fix: null });
    const saved = await api({ action: 'kb.save', question: '可以带宠物进店吗', answer: '可以，牵好绳就行' });
    expect(saved).toMatchObject({ ok: true, data: { created: true } });
    expect(await api({ action: 'kb.ask', text: '能带宠物进店吗' })).toMatchObject({ ok: true, data: { reply: '可以，牵好绳就行', handoff: false } });
    const members = await api({ action: 'members.list' });
    const owner = members.data.members[0];
    expect(await api({ action: 'members.update', memberId: owner.id, wecomUserId: 'CloudBoss' })).toMatchObject({ ok: true, data: { member: { wecomUserId: 'CloudBoss' } } });
    expect((await api({ action: 'badges.get' })).data).toEqual({ waitingHuman: 0, unanswered: 0 });
  } finally {
    await host.stop();
  }
});
