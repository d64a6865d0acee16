import fs from 'node:fs';
import path from 'node:path';
import { encrypt, getSignature } from '@wecom/crypto';
import { runCli } from '../cloudfunctions/server/cli/main';
import { makeLoginLink } from '../cloudfunctions/server/host/login';
import { api, loginCookie, startTestHost, type TestHost } from './helpers/host';

/** Marker values planted in every secret slot; none may show up anywhere outside the ciphertext. */
const M = {
  token: 'MarkTokA1b2c3d4',
  aesKey: 'MarkAesA' + 'x'.repeat(31) + 'Zq9w',
  kfToken: 'MarkTokKf5e6f7g8',
  kfAesKey: 'MarkAesK' + 'y'.repeat(31) + 'Pm4v',
  appSecret: 'MarkAppSecret-7c1e9a4b2d',
  contactSecret: 'MarkContactSecret-5f0b3e8a1c',
  kfSecret: 'MarkKfSecret-2a6d9c0e7f',
};
const corpId = 'ww1122334455667788';

let h: TestHost;
const seen: string[] = [];
beforeAll(async () => {
  h = await startTestHost();
  process.env.DATA_DIR = h.dataDir;
  const created = await runCli([
    'merchant',
    'create',
    '--id',
    'secret-shop',
    '--name',
    '保密店',
    '--corp-id',
    corpId,
    '--token',
    M.token,
    '--aes-key',
    M.aesKey,
    '--kf-token',
    M.kfToken,
    '--kf-aes-key',
    M.kfAesKey,
    '--app-secret',
    M.appSecret,
    '--contact-secret',
    M.contactSecret,
    '--kf-secret',
    M.kfSecret,
    '--json',
  ]);
  expect(created.code).toBe(0);
  seen.push(created.stdout);
});
afterAll(async () => {
  delete process.env.DATA_DIR;
  await h.close();
});

describe('secrets at rest and in transit', () => {
  it('never appear in CLI output, HTTP responses, logs or the raw database files', async () => {
    const list = await runCli(['merchant', 'list', '--json']);
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout);
    expect(listed[0]).toMatchObject({ id: 'secret-shop', secrets: { app: '****4b2d', kf: '****0e7f' } });
    seen.push(list.stdout, (await runCli(['merchant', 'list'])).stdout);

    const cookie = await loginCookie(await makeLoginLink(h.rt, 'secret-shop', 'owner', h.url));
    for (const body of [
      { action: 'settings.get', merchantId: 'secret-shop' },
      { action: 'settings.update', merchantId: 'secret-shop', aiPersona: '亲切' },
      { action: 'me.get' },
      { action: 'dashboard.today', merchantId: 'secret-shop' },
    ]) {
      const r = await api(h.url, cookie, body);
      expect(r.status).toBe(200);
      seen.push(JSON.stringify(r.body));
    }
    // callbacks with both pairs, one good and one tampered, so the WeCom path logs too
    const ts = String(Math.floor(h.clock.now() / 1000));
    for (const pair of [
      { t: M.token, k: M.aesKey },
      { t: M.kfToken, k: M.kfAesKey },
    ]) {
      const echo = encrypt(pair.k, '1234', corpId);
      const ok = await fetch(
        `${h.url}/wecom/callback/secret-shop?msg_signature=${getSignature(pair.t, ts, '1', echo)}&timestamp=${ts}&nonce=1&echostr=${encodeURIComponent(echo)}`,
      );
      expect(await ok.text()).toBe('1234');
      const bad = await fetch(`${h.url}/wecom/callback/secret-shop?msg_signature=${'0'.repeat(40)}&timestamp=${ts}&nonce=1&echostr=${encodeURIComponent(echo)}`);
      seen.push(await bad.text());
    }
    const dbBytes = fs
      .readdirSync(h.dataDir)
      .filter((f) => f.startsWith('xiaoer.db'))
      .map((f) => fs.readFileSync(path.join(h.dataDir, f)).toString('latin1'));
    expect(dbBytes.length).toBeGreaterThan(0);
    const haystacks = { output: seen.join('\n'), logs: h.logs.join(''), database: dbBytes.join('') };
    expect(haystacks.logs.length).toBeGreaterThan(100);
    for (const [where, text] of Object.entries(haystacks)) {
      for (const [name, value] of Object.entries(M)) {
        expect({ where, name, found: text.includes(value) }).toEqual({ where, name, found: false });
      }
    }
    // and the store really holds them: they decrypt back
    const m = await h.rt.storage.merchants.get('secret-shop');
    expect(h.rt.deps.secrets.open(m!.wecom.secrets.kf!)).toBe(M.kfSecret);
    expect(h.rt.deps.secrets.open(m!.wecom.kfCallback!.aesKey)).toBe(M.kfAesKey);
  });

  it('keeps the generated local key file private (0600)', () => {
    const mode = fs.statSync(path.join(h.dataDir, 'master.key')).mode & 0o777;
    expect(mode).toBe(0o600);
  });
});
