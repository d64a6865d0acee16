import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { makeLoginLink } from '../cloudfunctions/server/host/login';
import { api, loginCookie, startTestHost, type TestHost, VECTOR_A } from './helpers/host';

let h: TestHost;
beforeAll(async () => {
  h = await startTestHost();
  await createMerchant(h.rt.deps, { id: 'shop-a', name: '一号店', ...VECTOR_A });
});
afterAll(() => h.close());

describe('local host', () => {
  it('answers /healthz', async () => {
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('refuses /fn/api without a session with 401 and the envelope', async () => {
    const r = await api(h.url, null, { action: 'me.get' });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ ok: false, code: 'AUTH.UNAUTHENTICATED' });
    const forged = await api(h.url, 'xe_session=eyJzdWIiOiJ4In0.bad', { action: 'me.get' });
    expect(forged.status).toBe(401);
  });

  it('turns a login link into a session that calls the api', async () => {
    const cookie = await loginCookie(await makeLoginLink(h.rt, 'shop-a', 'owner', h.url));
    const me = await api(h.url, cookie, { action: 'me.get' });
    expect(me.status).toBe(200);
    expect(me.body.data.merchants).toEqual([{ id: 'shop-a', name: '一号店', role: 'owner' }]);
    const today = await api(h.url, cookie, { action: 'dashboard.today', merchantId: 'shop-a' });
    expect(today.body.data).toMatchObject({ day: '2026-11-22', merchant: { name: '一号店' }, revenueFen: 0 });
  });

  it('refuses an expired login link', async () => {
    const link = await makeLoginLink(h.rt, 'shop-a', 'owner', h.url);
    // expiry is wall-clock time (the sandbox's clock cannot touch it): move that one
    const wall = jest.spyOn(h.rt.deps.timers, 'wallNow').mockReturnValue(Date.now() + 25 * 3600_000);
    try {
      const res = await fetch(link, { redirect: 'manual', headers: { accept: 'text/html' } });
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('登录链接无效');
      const api = await fetch(link.replace(/token=[^&]+/, 'token=garbage'), { redirect: 'manual' });
      expect(api.status).toBe(401);
      expect(await api.json()).toMatchObject({ ok: false, code: 'AUTH.BAD_LOGIN_LINK' });
    } finally {
      wall.mockRestore();
    }
  });

  it('answers bad input with a 4xx envelope and stays up', async () => {
    const cookie = await loginCookie(await makeLoginLink(h.rt, 'shop-a', 'owner', h.url));
    const cases: [RequestInit & { path: string }, number, string][] = [
      [{ path: '/fn/api', method: 'POST', body: '{not json', headers: { cookie } }, 400, 'INPUT.BAD_JSON'],
      [{ path: '/fn/api', method: 'POST', body: JSON.stringify({ action: 'nope' }), headers: { cookie } }, 400, 'INPUT.INVALID'],
      [{ path: '/fn/api', method: 'POST', body: JSON.stringify({ action: 'customers.list', merchantId: 'shop-a', limit: 10_000 }), headers: { cookie } }, 400, 'INPUT.INVALID'],
      [{ path: '/fn/api', method: 'POST', body: JSON.stringify([1, 2]), headers: { cookie } }, 400, 'INPUT.INVALID'],
      [{ path: '/fn/api', method: 'POST', body: 'x'.repeat(4 * 1024 * 1024), headers: { cookie } }, 413, 'INPUT.TOO_LARGE'],
      [{ path: '/fn/api', method: 'GET' }, 405, 'INPUT.METHOD'],
      [{ path: '/fn/scheduler', method: 'POST', body: '{}', headers: { cookie } }, 404, 'NOT_FOUND.FUNCTION'],
      [{ path: '/nowhere', method: 'POST', body: '{}' }, 404, 'NOT_FOUND.ROUTE'],
      [
        { path: '/wecom/callback/nobody?msg_signature=' + 'a'.repeat(40) + `&timestamp=${Date.UTC(2026, 10, 22, 4) / 1000}&nonce=1&echostr=abc`, method: 'GET' },
        404,
        'NOT_FOUND.MERCHANT',
      ],
    ];
    for (const [init, status, code] of cases) {
      const res = await fetch(h.url + init.path, init);
      expect({ path: init.path, status: res.status }).toEqual({ path: init.path, status });
      expect(await res.json()).toMatchObject({ ok: false, code });
    }
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });

  it('serves the app and never files outside it', async () => {
    const page = await fetch(`${h.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('店小二');
    const escape = await fetch(`${h.url}/..%2f..%2fetc%2fpasswd`);
    expect([403, 200]).toContain(escape.status);
    expect(await escape.text()).not.toContain('root:');
  });
});
