import { makeLoginLink } from '../cloudfunctions/server/host/login';
import { DEMO_MERCHANT_ID, DEMO_WECOM, seedDemoShop } from '../cloudfunctions/server/demo';
import { sandboxSentList } from '../cloudfunctions/server/wecom-sandbox/cli';
import { api, loginCookie, startTestHost, type TestHost } from './helpers/host';

/**
 * 推送设置 through the owner app's api on a real host: the group robot URL goes in and never
 * comes back out, and 发一条测试报表给我 reaches the host's WeCom sandbox on each channel, where
 * `sandbox sent --merchant` lists it under the shop.
 */
const KEY = 'a1b2c3d4-0000-4bc4-97a0-push0channel';
const URL = `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${KEY}`;
let h: TestHost;
let cookie: string;
const call = (body: Record<string, unknown>) => api(h.url, cookie, { merchantId: DEMO_MERCHANT_ID, ...body });

beforeAll(async () => {
  h = await startTestHost();
  await seedDemoShop(h.rt.deps);
  cookie = await loginCookie(await makeLoginLink(h.rt, DEMO_MERCHANT_ID, 'owner', h.url));
}, 120_000);
afterAll(() => h.close());

describe('push channels', () => {
  it('the demo shop stays on the WeCom app message; its test push reaches the owner', async () => {
    const settings = await call({ action: 'settings.get' });
    expect(settings.body.data.reports).toMatchObject({ channels: ['app'], robot: { configured: false, hint: null } });
    const out = await call({ action: 'reports.testPush', channel: 'app' });
    expect(out.body).toMatchObject({ ok: true, data: { channel: 'app', state: 'sent' } });
    const sent = (await sandboxSentList(h.rt, DEMO_MERCHANT_ID)).filter((r) => r.api === 'message/send');
    expect(sent.at(-1)).toMatchObject({ to: DEMO_WECOM.ownerUserId });
    expect(sent.at(-1)!.text).toContain('（测试）');
  });

  it('a robot URL is refused unless it is a WeCom webhook, kept sealed, and test pushes go to the sandbox robot', async () => {
    const bad = await call({ action: 'reports.robot.set', url: 'https://example.com/hook?key=abcdefgh' });
    expect(bad).toMatchObject({ status: 400, body: { ok: false, code: 'INPUT.INVALID' } });

    const set = await call({ action: 'reports.robot.set', url: URL });
    expect(set.body.data.robot).toMatchObject({ configured: true });
    const settings = await call({ action: 'settings.get' });
    for (const body of [set.body, settings.body]) expect(JSON.stringify(body)).not.toContain(KEY);

    const chosen = await call({ action: 'settings.update', reports: { channels: ['app', 'robot'] } });
    expect(chosen.body.data.reports.channels).toEqual(['app', 'robot']);

    const out = await call({ action: 'reports.testPush', channel: 'robot' });
    expect(out.body).toMatchObject({ ok: true, data: { channel: 'robot', state: 'sent', detail: '已发到群里' } });
    const robot = (await sandboxSentList(h.rt, DEMO_MERCHANT_ID)).filter((r) => r.api === 'webhook/send');
    expect(robot).toHaveLength(1);
    expect(robot[0]).toMatchObject({ msgtype: 'markdown', errcode: 0 });
    expect(robot[0]!.text).toContain('（测试）');
  });

  it('staff cannot set the robot or send a test push', async () => {
    const staff = await loginCookie(await makeLoginLink(h.rt, DEMO_MERCHANT_ID, 'staff', h.url));
    for (const body of [
      { action: 'reports.robot.set', url: null },
      { action: 'reports.testPush', channel: 'app' },
    ]) {
      const res = await api(h.url, staff, { merchantId: DEMO_MERCHANT_ID, ...body });
      expect(res.status).toBe(403);
    }
  });
});
