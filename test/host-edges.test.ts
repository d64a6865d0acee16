import net from 'node:net';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { makeLoginLink } from '../cloudfunctions/server/host/login';
import { API_BODY_BYTES, createHostServer } from '../cloudfunctions/server/host/server';
import { createWecomSandbox } from '../cloudfunctions/server/wecom-sandbox';
import { MAX_CALLBACK_BYTES } from '../cloudfunctions/wecom';
import { api, loginCookie, startTestHost, type TestHost, VECTOR_A } from './helpers/host';

/** The host's edges: malformed paths, what is read before the session check, per-route body caps, the sandbox's mode. */
let h: TestHost;
let cookie: string;
beforeAll(async () => {
  h = await startTestHost();
  await createMerchant(h.rt.deps, { id: 'shop-e', name: '五号店', ...VECTOR_A });
  cookie = await loginCookie(await makeLoginLink(h.rt, 'shop-e', 'owner', h.url));
});
afterAll(() => h.close());

const post = (p: string, body: string, headers: Record<string, string> = {}) =>
  fetch(h.url + p, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

/** Sends headers announcing `declared` bytes but only `sent` of them, and returns what the server answered. */
function partialPost(p: string, declared: number, sent: number, headers = ''): Promise<string> {
  const { port } = new URL(h.url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), '127.0.0.1', () => {
      s.write(`POST ${p} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n${headers}\r\n`);
      s.write('{"action":"me.get"' + ' '.repeat(Math.max(0, sent - 18)));
    });
    let out = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer without the body: ${out}`));
    }, 5000);
    s.on('data', (b) => {
      out += b.toString();
      if (out.includes('\r\n\r\n') && out.includes('}')) {
        clearTimeout(timer);
        s.destroy();
        resolve(out);
      }
    });
    s.on('error', reject);
  });
}

describe('host edges', () => {
  it('answers a malformed path escape with 400 INPUT.BAD_PATH and logs no stack', async () => {
    const before = h.logs.length;
    for (const p of ['/wecom/callback/%E0%A4%A', '/wecom/callback/%zz']) {
      const res = await fetch(h.url + p, { method: 'POST', body: '<xml/>' });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ ok: false, code: 'INPUT.BAD_PATH', message: '地址格式不对' });
    }
    const logged = h.logs.slice(before).join('');
    expect(logged).not.toMatch(/"stack"|URIError|"level":50/);
  });

  it('refuses an unauthenticated upload before reading its body', async () => {
    const answer = await partialPost('/fn/api', 3 * 1024 * 1024, 1024);
    expect(answer).toMatch(/^HTTP\/1.1 401/);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toContain('AUTH.UNAUTHENTICATED');
    // a whole 3 MiB body from a stranger: the same answer
    const res = await post('/fn/api', 'x'.repeat(3 * 1024 * 1024));
    expect(res.status).toBe(401);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });

  it('caps api bodies small, except a knowledge-base import', async () => {
    const pad = 'x'.repeat(API_BODY_BYTES);
    // an ordinary action with a big body: 413 before parsing
    const big = await post('/fn/api', JSON.stringify({ action: 'dashboard.today', merchantId: 'shop-e', pad }), { cookie });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'INPUT.TOO_LARGE' });
    // the same size as an import is read and parsed (the CSV itself is the handler's business)
    const rows = Array.from({ length: 1500 }, (_, i) => `q${i},第 ${i} 个常见问题问得比较长一点,这是第 ${i} 个回答，也写得长一点好占地方,,true`).join('\n');
    const content = `id,question,answer,alternatives,enabled\n${rows}\n`;
    expect(content.length).toBeGreaterThan(API_BODY_BYTES);
    const imp = await post('/fn/api', JSON.stringify({ action: 'kb.import', merchantId: 'shop-e', format: 'csv', content }), { cookie });
    expect(await imp.json()).toMatchObject({ ok: true, data: { errors: [] } });
    expect(imp.status).toBe(200);
    // pretending to be an import with a second "action" key is caught after parsing
    const sneaky = await post('/fn/api', `{"action":"kb.import","merchantId":"shop-e","pad":"${pad}","action":"dashboard.today"}`, { cookie });
    expect(sneaky.status).toBe(413);
    // the whole cap still holds for imports
    const huge = await post('/fn/api', JSON.stringify({ action: 'kb.import', merchantId: 'shop-e', format: 'csv', content: 'x'.repeat(h.rt.config.bodyLimitBytes + 10) }), {
      cookie,
    });
    expect(huge.status).toBe(413);
    // the callback has its own 64 KiB
    const cb = await post('/wecom/callback/shop-e', 'x'.repeat(MAX_CALLBACK_BYTES + 1));
    expect(cb.status).toBe(413);
  });

  it('answers me.join mistakes with 4xx and Chinese messages, and 429 past the per-person limit', async () => {
    const { ownerInvite } = await createMerchant(h.rt.deps, { id: 'shop-h', name: '三号店', ...VECTOR_A });
    const staff = await loginCookie(await makeLoginLink(h.rt, 'shop-h', 'staff', h.url));
    const owner = await loginCookie(await makeLoginLink(h.rt, 'shop-h', 'owner', h.url));
    expect((await api(h.url, owner, { action: 'me.join', code: ownerInvite.code })).status).toBe(200);
    const cases: [string, number, string][] = [
      ['ZZZZ2345', 404, 'INVITE.NOT_FOUND'],
      [ownerInvite.code, 409, 'INVITE.USED'],
      ['x', 400, 'INVITE.BAD_FORMAT'],
    ];
    const windowAt = Math.floor(Date.now() / 60_000);
    for (const [code, status, want] of cases) {
      const r = await api(h.url, staff, { action: 'me.join', code });
      expect({ code, status: r.status, body: r.body.code }).toEqual({ code, status, body: want });
      expect(r.body.message).toMatch(/邀请码/);
    }
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await api(h.url, staff, { action: 'me.join', code: 'ZZZZ2345' })).status);
    const res = await post('/fn/api', JSON.stringify({ action: 'me.join', code: 'ZZZZ2345' }), { cookie: staff });
    // 3 tries above, 7 more fit in the minute, then 429 (unless the minute turned meanwhile)
    if (Math.floor(Date.now() / 60_000) === windowAt) {
      expect(statuses).toEqual([404, 404, 404, 404, 404, 404, 404, 429, 429]);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await res.json()).toMatchObject({ ok: false, code: 'RATE.LIMITED', message: expect.stringContaining('请稍后再试') });
    }
    expect(h.logs.join('')).not.toMatch(/"level":50/);
  });
});

describe('sandbox control routes', () => {
  it('are on in local mode even when WECOM_API_BASE points elsewhere', async () => {
    const other = await startTestHost({ WECOM_API_BASE: 'http://127.0.0.1:9/elsewhere' });
    try {
      const res = await fetch(`${other.url}/sandbox/_control/clock`);
      expect(res.status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('refuse to run in cloudbase mode, with a Chinese message', async () => {
    const cloudRt = { ...h.rt, config: { ...h.rt.config, runtime: 'cloudbase' as const } };
    const sandbox = createWecomSandbox(cloudRt, { enabled: true });
    expect(sandbox.enabled).toBe(false);
    const server = createHostServer(h.rt, { h5Dir: path.join(h.dataDir, 'h5'), sandbox });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      for (const p of ['/sandbox/_control/clock', '/sandbox/cgi-bin/gettoken']) {
        const res = await fetch(base + p, { method: 'POST', body: JSON.stringify({ advanceMs: 1 }) });
        expect(res.status).toBe(404);
        expect(await res.json()).toMatchObject({ ok: false, code: 'NOT_FOUND.SANDBOX', message: expect.stringContaining('本地模式') });
      }
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
