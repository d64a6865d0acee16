import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { makeLoginLink, SESSION_TTL_MS } from '../cloudfunctions/server/host/login';
import { api, loginCookie, startTestHost, type TestHost, VECTOR_A } from './helpers/host';

/**
 * Local sessions are revocable (a server-side record behind the signed cookie), login links work
 * once, and both run on wall-clock time: the sandbox's movable clock never revives them.
 */
let h: TestHost;
beforeAll(async () => {
  h = await startTestHost();
  await createMerchant(h.rt.deps, { id: 'shop-s', name: '四号店', ...VECTOR_A });
});
afterAll(() => h.close());
afterEach(() => jest.restoreAllMocks());

const link = (role: 'owner' | 'staff' = 'owner') => makeLoginLink(h.rt, 'shop-s', role, h.url);
const me = async (cookie: string) => (await api(h.url, cookie, { action: 'me.get' })).status;
const moveSandboxClock = async (advanceMs: number) => {
  const res = await fetch(`${h.url}/sandbox/_control/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceMs }) });
  expect(res.status).toBe(200);
};
const wallAt = (t: number) => jest.spyOn(h.rt.deps.timers, 'wallNow').mockReturnValue(t);

describe('login links', () => {
  it('work once: the second opening is a clear 401, not a session', async () => {
    const url = await link();
    expect(await me(await loginCookie(url))).toBe(200);
    const page = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    expect(page.headers.get('set-cookie')).toBeNull();
    expect(await page.text()).toContain('只能打开一次');
    const json = await fetch(url, { redirect: 'manual' });
    expect(await json.json()).toMatchObject({ ok: false, code: 'AUTH.BAD_LOGIN_LINK', message: expect.stringContaining('重新生成') });
  });

  it('make exactly one session when opened many times at once', async () => {
    const url = await link();
    const statuses = await Promise.all(Array.from({ length: 10 }, () => fetch(url, { redirect: 'manual' }).then((r) => r.status)));
    expect(statuses.filter((s) => s === 302)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(9);
  });

  it('expire on wall-clock time, whatever the sandbox clock says', async () => {
    const url = await link();
    await moveSandboxClock(48 * 3600_000); // the sandbox's day-after-tomorrow: the link is still fresh
    try {
      expect(await me(await loginCookie(url))).toBe(200);
    } finally {
      await moveSandboxClock(-48 * 3600_000);
    }
    const late = await link();
    wallAt(Date.now() + 25 * 3600_000);
    await moveSandboxClock(-48 * 3600_000);
    try {
      expect((await fetch(late, { redirect: 'manual' })).status).toBe(401);
    } finally {
      await moveSandboxClock(48 * 3600_000);
    }
  });
});

describe('sessions', () => {
  it('end at logout: the same cookie is refused afterwards', async () => {
    const cookie = await loginCookie(await link());
    const other = await loginCookie(await link());
    expect(await me(cookie)).toBe(200);
    const out = await fetch(`${h.url}/logout`, { method: 'POST', headers: { cookie } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect(await me(cookie)).toBe(401);
    // only that session: the same person's other device is still in
    expect(await me(other)).toBe(200);
  });

  it('end everywhere when the owner signs out everywhere; a new link works again', async () => {
    const phone = await loginCookie(await link());
    const laptop = await loginCookie(await link());
    const staff = await loginCookie(await link('staff'));
    const r = await api(h.url, phone, { action: 'me.signOutEverywhere', merchantId: 'shop-s' });
    expect(r).toMatchObject({ status: 200, body: { ok: true, data: { signedOutAt: expect.any(Number) } } });
    expect(await me(phone)).toBe(401);
    expect(await me(laptop)).toBe(401);
    // another person's session is theirs to end
    expect(await me(staff)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await me(await loginCookie(await link()))).toBe(200);
    // staff may not (owner only)
    expect(await api(h.url, staff, { action: 'me.signOutEverywhere', merchantId: 'shop-s' })).toMatchObject({ status: 403, body: { code: 'AUTH.ROLE_REQUIRED' } });
  });

  it('stay expired when the sandbox clock is moved back or forward', async () => {
    const cookie = await loginCookie(await link());
    const fresh = await loginCookie(await link());
    // a fresh session survives the sandbox's clock jumping a month ahead
    await moveSandboxClock(31 * 24 * 3600_000);
    try {
      expect(await me(fresh)).toBe(200);
    } finally {
      await moveSandboxClock(-31 * 24 * 3600_000);
    }
    // once wall time passes its expiry, no sandbox clock move brings it back
    wallAt(Date.now() + SESSION_TTL_MS + 60_000);
    expect(await me(cookie)).toBe(401);
    for (const ms of [-40 * 24 * 3600_000, 80 * 24 * 3600_000]) {
      await moveSandboxClock(ms);
      expect(await me(cookie)).toBe(401);
    }
    await moveSandboxClock(-40 * 24 * 3600_000);
  });

  it('stop working for a member the owner removes: their very next call fails, on every device', async () => {
    const phone = await loginCookie(await link('staff'));
    const laptop = await loginCookie(await link('staff'));
    const owner = await loginCookie(await link());
    expect((await api(h.url, phone, { action: 'dashboard.today', merchantId: 'shop-s' })).status).toBe(200);
    // a session opened in the very millisecond of the removal would outlive it
    await new Promise((resolve) => setTimeout(resolve, 5));
    const r = await api(h.url, owner, { action: 'members.remove', merchantId: 'shop-s', memberId: 'local-staff' });
    expect(r).toMatchObject({ status: 200, body: { ok: true, data: { memberId: 'local-staff', sessionsEnded: true } } });
    expect(await api(h.url, phone, { action: 'dashboard.today', merchantId: 'shop-s' })).toMatchObject({ status: 401 });
    expect(await me(laptop)).toBe(401);
    // the owner is still in, and removing themself is refused in Chinese
    expect(await api(h.url, owner, { action: 'members.remove', merchantId: 'shop-s', memberId: 'local-owner' })).toMatchObject({
      status: 409,
      body: { code: 'CONFLICT.REMOVE_SELF', message: '不能把自己移出店铺' },
    });
  });
});
