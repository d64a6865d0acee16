import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { FakeWecomApi } from '../../testing/fake-wecom-api';
import { settingsView } from '../../api/views';
import { schedulerTick } from '../scheduling/scheduler';
import { createMerchant } from '../shop/merchants';
import { ensureLocalMember } from '../shop/members';
import { updateSettings } from '../shop/settings';
import { pushToChannels, setPushRobot } from './channels';
import { createDailyReportJob } from './daily-job';
import { checkRobotMessage, createRobotSendJob, ROBOT_MARKDOWN_BYTES, robotKeyOf, sendToRobot } from './robot';
import { testPush } from './test-push';
import { utf8Length } from '../channel-wecom/msgid';

const sh = (local: string) => Date.parse(`${local}+08:00`);
const CORP = { corpId: 'wx5823bf96d3bd56c7', token: 'QDG6eK', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
const URL = `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${KEY}`;

let deps: Deps & { clock: ManualClock };
let fake: FakeWecomApi;
const env = () => ({ deps, wecom: fake, appUrl: () => 'https://xiaoer.example.com' });
const shop = async () => (await deps.storage.merchants.get('shop'))!;
const robotSends = () => fake.callsTo('webhook/send');

beforeEach(async () => {
  deps = testDeps(sh('2026-11-20T20:00:10'));
  await createMerchant(deps, { id: 'shop', name: '阿香奶茶', ...CORP, agentId: 1000002, appSecret: 'app-secret' });
  const owner = await ensureLocalMember(deps, 'shop', 'owner');
  await deps.storage.members.save({ ...owner, wecomUserId: 'LaoBan' });
  fake = new FakeWecomApi();
});
afterEach(() => deps.storage.close());

describe('group robot URL', () => {
  it('takes only a WeCom robot webhook URL, stores it sealed and shows the app a hint, never the URL', async () => {
    expect(robotKeyOf(` ${URL} `)).toBe(KEY);
    for (const bad of ['http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdefgh', 'https://evil.example.com/cgi-bin/webhook/send?key=abcdefgh', `${URL}&x=1`, 'key=abc']) {
      await expect(setPushRobot(deps, 'shop', 'local-owner', bad)).rejects.toMatchObject({ code: 'INPUT.INVALID', status: 400 });
    }
    await setPushRobot(deps, 'shop', 'local-owner', URL);
    const m = await shop();
    expect(JSON.stringify(m)).not.toContain(KEY);
    expect(deps.secrets.open(m.pushRobot!.url)).toBe(URL);
    const view = JSON.stringify(settingsView(m, deps.secrets));
    expect(view).not.toContain(KEY);
    expect(settingsView(m, deps.secrets).reports.robot).toEqual({ configured: true, hint: m.pushRobot!.hint });
  });

  it('the robot can be chosen only once its URL is set; removing the URL takes it off the channels', async () => {
    await expect(updateSettings(deps, 'shop', 'local-owner', { reports: { channels: ['robot'] } })).rejects.toMatchObject({ code: 'INPUT.INVALID' });
    await setPushRobot(deps, 'shop', 'local-owner', URL);
    await updateSettings(deps, 'shop', 'local-owner', { reports: { channels: ['app', 'robot'] } });
    expect(settingsView(await shop(), deps.secrets).reports.channels).toEqual(['app', 'robot']);
    await setPushRobot(deps, 'shop', 'local-owner', null);
    const m = await shop();
    expect(m.pushRobot).toBeUndefined();
    expect(settingsView(m, deps.secrets).reports).toMatchObject({ channels: ['app'], robot: { configured: false, hint: null } });
  });
});

describe('robot limits', () => {
  it('cuts markdown to 4096 bytes at a character boundary and refuses an image over 2 MB', () => {
    const long = checkRobotMessage({ msgtype: 'markdown', content: '奶茶'.repeat(1000) });
    expect(long.msgtype === 'markdown' && utf8Length(long.content)).toBeLessThanOrEqual(ROBOT_MARKDOWN_BYTES);
    expect(long.msgtype === 'markdown' && long.content.endsWith('（完整报表在店小二里看）')).toBe(true);
    expect(checkRobotMessage({ msgtype: 'markdown', content: '短' })).toEqual({ msgtype: 'markdown', content: '短' });
    const md5 = 'd41d8cd98f00b204e9800998ecf8427e';
    const exactly2mb = 'A'.repeat(((2 * 1024 * 1024) / 3) * 4 - 4) + 'AAA=';
    expect(() => checkRobotMessage({ msgtype: 'image', base64: exactly2mb, md5 })).not.toThrow();
    expect(() => checkRobotMessage({ msgtype: 'image', base64: 'A'.repeat(((2 * 1024 * 1024) / 3) * 4 + 4), md5 })).toThrow(/2 MB/);
    expect(() => checkRobotMessage({ msgtype: 'image', base64: 'AAAA', md5: 'nope' })).toThrow();
  });
});

describe('robot queue', () => {
  it('21 messages in one minute: 20 go now, the 21st in the next minute, none dropped', async () => {
    await setPushRobot(deps, 'shop', 'local-owner', URL);
    const m = await shop();
    const states: string[] = [];
    for (let i = 1; i <= 21; i++) states.push((await sendToRobot(deps, fake, m, { msgtype: 'text', content: `第 ${i} 条` })).state);
    expect(states.filter((s) => s === 'sent')).toHaveLength(20);
    expect(states[20]).toBe('queued');
    expect(robotSends()).toHaveLength(20);
    expect(robotSends().every((c) => c.merchantId === KEY)).toBe(true);

    const jobs = [createRobotSendJob(fake)];
    // still this minute: nothing more goes out
    deps.clock.set(sh('2026-11-20T20:00:59'));
    await schedulerTick(deps, jobs);
    expect(robotSends()).toHaveLength(20);
    deps.clock.set(sh('2026-11-20T20:01:00'));
    await schedulerTick(deps, jobs);
    expect(robotSends()).toHaveLength(21);
    expect((robotSends()[20]!.req as { text: { content: string } }).text.content).toBe('第 21 条');
  });

  it('two senders sharing the robot (the rate record is shared) still hand out 20 slots a minute', async () => {
    await setPushRobot(deps, 'shop', 'local-owner', URL);
    const m = await shop();
    const out = await Promise.all(Array.from({ length: 25 }, (_, i) => sendToRobot(deps, fake, m, { msgtype: 'text', content: `${i}` })));
    expect(out.filter((o) => o.state === 'sent')).toHaveLength(20);
    expect(out.filter((o) => o.state === 'queued').map((o) => o.at)).toEqual(Array(5).fill(sh('2026-11-20T20:01:00')));
  });

  it('a rate-limited send waits in the ledger instead of being lost', async () => {
    await setPushRobot(deps, 'shop', 'local-owner', URL);
    fake.failNext('webhook/send', 45009);
    expect(await sendToRobot(deps, fake, await shop(), { msgtype: 'text', content: '补发' })).toMatchObject({ state: 'queued' });
    deps.clock.advance(61_000);
    await schedulerTick(deps, [createRobotSendJob(fake)]);
    expect(robotSends()).toHaveLength(1);
  });
});

describe('channels', () => {
  it("the daily report goes to the chosen channels; a rerun doesn't send to the group again", async () => {
    await setPushRobot(deps, 'shop', 'local-owner', URL);
    await updateSettings(deps, 'shop', 'local-owner', { reports: { channels: ['robot'] } });
    deps.clock.set(sh('2026-11-20T21:00:00'));
    const job = createDailyReportJob({ wecom: fake, appUrl: () => 'https://xiaoer.example.com' });
    const ledger = {
      key: 'k',
      merchantId: 'shop',
      kind: 'report.daily',
      runAt: 0,
      payload: { day: '2026-11-20' },
      status: 'running' as const,
      attempts: 1,
      maxAttempts: 5,
      createdAt: 0,
      updatedAt: 0,
    };
    expect(await job.run(ledger, deps)).toEqual({ day: '2026-11-20', push: 'off', robot: 'queued' });
    expect(await job.run({ ...ledger, attempts: 2 }, deps)).toEqual({ day: '2026-11-20', push: 'off', robot: 'queued' });
    await schedulerTick(deps, [createRobotSendJob(fake)]);
    expect(fake.callsTo('message/send')).toHaveLength(0);
    expect(robotSends()).toHaveLength(1);
    expect((robotSends()[0]!.req as { msgtype: string }).msgtype).toBe('markdown');
  });

  it('one channel failing is its own outcome, not the others’', async () => {
    await setPushRobot(deps, 'shop', 'local-owner', URL);
    fake.failNext('message/send', 40014);
    const out = await pushToChannels(env(), await shop(), { msgtype: 'text', content: '你好' }, { channels: ['app', 'robot'] });
    expect(out.map((o) => [o.channel, o.state])).toEqual([
      ['app', 'failed'],
      ['robot', 'sent'],
    ]);
  });

  it('a robot WeCom no longer knows says to paste a new URL', async () => {
    await setPushRobot(deps, 'shop', 'local-owner', URL);
    fake.failNext('webhook/send', 93000);
    const [out] = await pushToChannels(env(), await shop(), { msgtype: 'text', content: '你好' }, { channels: ['robot'] });
    expect(out).toMatchObject({ state: 'failed', reason: 'wecom_93000' });
    expect(out!.detail).toContain('重新粘贴');
  });
});

describe('发一条测试报表给我', () => {
  it("pushes today's report to the caller through the app message, and says what happened", async () => {
    const owner = (await deps.storage.members.list('shop'))[0]!;
    const out = await testPush(env(), 'shop', owner, 'app');
    expect(out).toMatchObject({ channel: 'app', state: 'sent' });
    const req = fake.callsTo('message/send')[0]!.req as { touser: string; textcard: { title: string } };
    expect(req.touser).toBe('LaoBan');
    expect(req.textcard.title).toMatch(/^（测试）/);
    expect(await deps.storage.reports.get('shop', 'daily', '2026-11-20')).toBeNull();
  });

  it('through the robot: sent to the group; without a URL, says where to paste it', async () => {
    const owner = (await deps.storage.members.list('shop'))[0]!;
    expect(await testPush(env(), 'shop', owner, 'robot')).toMatchObject({ state: 'skipped', reason: 'no_robot' });
    await setPushRobot(deps, 'shop', 'local-owner', URL);
    expect(await testPush(env(), 'shop', owner, 'robot')).toMatchObject({ state: 'sent', detail: '已发到群里' });
    expect(robotSends()).toHaveLength(1);
  });

  it('a caller without a WeCom account is told so instead of nothing arriving', async () => {
    const owner = (await deps.storage.members.list('shop'))[0]!;
    expect(await testPush(env(), 'shop', { ...owner, wecomUserId: undefined }, 'app')).toMatchObject({ state: 'skipped', reason: 'no_wecom_user' });
    expect(fake.callsTo('message/send')).toHaveLength(0);
  });
});
