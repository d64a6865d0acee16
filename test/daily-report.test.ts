import { addDays, dayOf } from '@xiaoer/shared/domain/time';
import { DEMO_MERCHANT_ID, DEMO_WECOM } from '../cloudfunctions/server/demo';
import type { TestHost } from './helpers/host';
import { cliJson, useDemoHostForCli } from './helpers/demo-cli';

/**
 * Issue 12's acceptance for the daily report, as a person would do it: a host on a fresh data
 * folder with the demo shop seeded at start (like `npm start`), then `jobs run-due --at
 * <day>T21:00:00+08:00` from the CLI against the same SQLite file while the host runs. The
 * report goes out once through the host's WeCom sandbox (message/send), and its numbers are the
 * counters'.
 */
const TZ = 'Asia/Shanghai';
let h: TestHost;
useDemoHostForCli((host) => (h = host));
const cli = cliJson;
/** The alert jobs (09:00 stock check, hourly order check) push to the same owner: not reports. */
const isAlertPush = (text: string) => /^【[^】]*】提醒\n/.test(text);
/** A later day's tick can also run that week's weekly report (its chart image, then its text). */
const isPeriodPush = (r: { msgtype: string; text: string }) => r.msgtype === 'image' || /周报|月报/.test(r.text);
const reportPushes = async () =>
  ((await cli('sandbox', 'sent', '--merchant', DEMO_MERCHANT_ID)) as { api: string; msgtype: string; to: string; text: string }[]).filter(
    (r) => r.api === 'message/send' && !isAlertPush(r.text) && !isPeriodPush(r),
  );

describe('daily report push (jobs run-due)', () => {
  it('pushes exactly one daily report at 21:00 of today, and nothing on a second call', async () => {
    const today = dayOf(Date.now(), TZ);
    const key = `report:daily:${DEMO_MERCHANT_ID}:${today}`;
    const before = await reportPushes();
    const hostClock = h.clock.now();

    const first = await cli('jobs', 'run-due', '--at', `${today}T21:00:00+08:00`);
    expect(first.ran.filter((r: { key: string }) => r.key.startsWith('report:'))).toEqual([{ key, status: 'done' }]);
    const pushed = (await reportPushes()).slice(before.length);
    expect(pushed).toHaveLength(1);
    expect(pushed[0]).toMatchObject({ msgtype: 'textcard', to: DEMO_WECOM.ownerUserId });
    expect(pushed[0]!.text).toContain('日报');

    const second = await cli('jobs', 'run-due', '--at', `${today}T21:00:00+08:00`);
    expect(second.ran.map((r: { key: string }) => r.key)).not.toContain(key);
    expect(await reportPushes()).toHaveLength(before.length + 1);
    // nothing shared moved: the host (and its sandbox) kept its clock
    expect(h.clock.now()).toBe(hostClock);

    // the numbers pushed are the counters' (nothing has counted since)
    const counters = (await h.rt.storage.counters.days(DEMO_MERCHANT_ID, today, today))[today]!;
    const stored = await h.rt.storage.reports.get(DEMO_MERCHANT_ID, 'daily', today);
    const shown = await cli('report', 'show', '--merchant', DEMO_MERCHANT_ID, '--kind', 'daily', '--date', today);
    for (const numbers of [stored!.numbers, shown.numbers]) {
      for (const name of ['revenueFen', 'orders', 'newCustomers', 'consultations', 'customerMessages', 'aiAnswered', 'aiHandoffs', 'refunds'] as const) {
        expect([name, numbers[name]]).toEqual([name, counters[name]]);
      }
    }
    expect(shown).toMatchObject({ kind: 'daily', date: today, live: true, push: { state: 'sent', to: [DEMO_WECOM.ownerUserId] } });
    expect(typeof shown.text).toBe('string');
    expect(stored!.push.message?.url).toBe(`${h.url}/#/sub/report/index?merchant=${DEMO_MERCHANT_ID}&kind=daily&date=${today}`);
  });

  it('runs a later day’s report once too', async () => {
    const later = addDays(dayOf(Date.now(), TZ), 2);
    const before = await reportPushes();
    const first = await cli('jobs', 'run-due', '--at', `${later}T21:00:00+08:00`);
    expect(first.ran).toContainEqual({ key: `report:daily:${DEMO_MERCHANT_ID}:${later}`, status: 'done' });
    expect((await cli('jobs', 'run-due', '--at', `${later}T21:00:00+08:00`)).ran).toEqual([]);
    expect(await reportPushes()).toHaveLength(before.length + 1);
    // its stored report is what `report show` gives for that day
    const shown = await cli('report', 'show', '--merchant', DEMO_MERCHANT_ID, '--kind', 'daily', '--date', later);
    expect(shown).toMatchObject({ date: later, live: false, push: { state: 'sent' } });
  });
});
