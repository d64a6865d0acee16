import { addDays, dayOf, weekStart } from '@xiaoer/shared/domain/time';
import { DEMO_MERCHANT_ID, DEMO_WECOM } from '../cloudfunctions/server/demo';
import type { TestHost } from './helpers/host';
import { cliJson, useDemoHostForCli } from './helpers/demo-cli';

/**
 * Issue 12's acceptance for the weekly report, as a person would do it (like daily-report.test.ts):
 * a host on a fresh data folder with the demo shop seeded, then `jobs run-due --at <next
 * Monday>T09:00:00+08:00` from the CLI. The chart goes through the host's sandbox as media/upload
 * + an image message, then the text; a second call pushes nothing.
 */
const TZ = 'Asia/Shanghai';
let h: TestHost;
useDemoHostForCli((host) => (h = host));
const cli = cliJson;
type Sent = { api: string; msgtype: string; to: string; text: string };
const appMessages = async () => ((await cli('sandbox', 'sent', '--merchant', DEMO_MERCHANT_ID)) as Sent[]).filter((r) => r.api === 'message/send');

/** Width and height from a PNG's IHDR chunk (bytes 16–23, big-endian). */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

describe('weekly report push (jobs run-due)', () => {
  it('pushes exactly one weekly report, chart image first, at next Monday 09:00, and nothing on a second call', async () => {
    const nextMonday = addDays(weekStart(dayOf(Date.now(), TZ)), 7);
    const week = addDays(nextMonday, -7);
    const key = `report:weekly:${DEMO_MERCHANT_ID}:${week}`;
    const before = await appMessages();

    const first = await cli('jobs', 'run-due', '--at', `${nextMonday}T09:00:00+08:00`);
    expect(first.ran.filter((r: { key: string }) => r.key.startsWith('report:weekly:'))).toEqual([{ key, status: 'done' }]);
    const pushed = (await appMessages()).slice(before.length).filter((r) => r.msgtype === 'image' || r.text.includes('周报'));
    expect(pushed.map((r) => r.msgtype)).toEqual(['image', 'textcard']);
    expect(pushed.every((r) => r.to === DEMO_WECOM.ownerUserId)).toBe(true);

    // the image message names what media/upload kept: a PNG at the renderer's size, not a blank
    const mediaId = pushed[0]!.text.replace('[image] ', '');
    const media = await h.rt.wecom.mediaGet(DEMO_MERCHANT_ID, 'app', mediaId);
    expect(media.contentType).toBe('image/png');
    expect(pngSize(media.bytes)).toEqual({ width: 1500, height: 840 });
    expect(media.bytes.length).toBeGreaterThan(10_000);

    const count = (await appMessages()).length;
    const second = await cli('jobs', 'run-due', '--at', `${nextMonday}T09:00:00+08:00`);
    expect(second.ran.map((r: { key: string }) => r.key)).not.toContain(key);
    expect(await appMessages()).toHaveLength(count);

    const stored = await h.rt.storage.reports.get(DEMO_MERCHANT_ID, 'weekly', week);
    expect(stored!.details.chart).toMatchObject({ state: 'sent', width: 1500, height: 840 });
    // report show names the week by any of its days; the week still running on the wall clock
    // (the test may run on it) is recomputed, with the same numbers as nothing counted since
    const shown = await cli('report', 'show', '--merchant', DEMO_MERCHANT_ID, '--kind', 'weekly', '--date', addDays(week, 3));
    expect(shown).toMatchObject({ kind: 'weekly', date: week, push: { state: 'sent' } });
    expect(shown.numbers).toEqual(stored!.numbers);
    expect(shown.text).toBe(stored!.text);
  });
});
