import { createHash, randomBytes } from 'node:crypto';
import { newJob, type Job } from '../../domain/job';
import type { ManualClock } from '../../domain/time';
import type { ChartRenderer, TrendChartInput } from '../../ports/chart';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { FakeWecomApi } from '../../testing/fake-wecom-api';
import { schedulerTick } from '../scheduling/scheduler';
import { createMerchant } from '../shop/merchants';
import { ensureLocalMember } from '../shop/members';
import { updateSettings } from '../shop/settings';
import { utf8Length } from '../channel-wecom/msgid';
import { setPushRobot } from './channels';
import { createMonthlyReportJob, createWeeklyReportJob } from './period-job';
import { base64Of, md5Hex } from './push-image';
import { createRobotSendJob, ROBOT_MARKDOWN_BYTES } from './robot';

const sh = (local: string) => Date.parse(`${local}+08:00`);
const CORP = { corpId: 'wx5823bf96d3bd56c7', token: 'QDG6eK', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
const MON = '2026-11-16';
/** Random bytes standing for the PNG: any byte value must survive base64 and match its md5. */
const PNG = new Uint8Array(randomBytes(50_003));

class FixedCharts implements ChartRenderer {
  drawn = 0;
  async renderTrend(_input: TrendChartInput) {
    this.drawn++;
    return { png: PNG, width: 1500, height: 840 };
  }
}

let deps: Deps & { clock: ManualClock };
let fake: FakeWecomApi;
const job = (payload: Record<string, unknown>, attempts = 1): Job => ({
  ...newJob({ key: `report:x:shop:${JSON.stringify(payload)}`, merchantId: 'shop', kind: 'report.weekly', runAt: 0, payload }, 0),
  attempts,
});
const robotSends = () => fake.callsTo('webhook/send').map((c) => c.req as Record<string, any>);
const drainRobot = async () => {
  deps.clock.advance(61_000);
  await schedulerTick(deps, [createRobotSendJob(fake)]);
};

beforeEach(async () => {
  deps = testDeps(sh(`${MON}T10:00:00`));
  await createMerchant(deps, { id: 'shop', name: '阿香奶茶', ...CORP });
  await ensureLocalMember(deps, 'shop', 'owner');
  await setPushRobot(deps, 'shop', 'local-owner', URL);
  await updateSettings(deps, 'shop', 'local-owner', { reports: { channels: ['robot'] } });
  fake = new FakeWecomApi();
  deps.clock.set(sh('2026-11-23T09:00:00'));
});
afterEach(() => deps.storage.close());

describe('weekly and monthly through the group robot', () => {
  it('the weekly goes as the chart image (base64 + md5 of the PNG) and markdown, once however often the job runs', async () => {
    const charts = new FixedCharts();
    const weekly = createWeeklyReportJob({ wecom: fake, appUrl: () => 'https://xiaoer.example.com', charts });
    expect(await weekly.run(job({ week: MON }), deps)).toEqual({ date: MON, push: 'off', robot: 'queued' });
    expect(await weekly.run(job({ week: MON }, 2), deps)).toEqual({ date: MON, push: 'off', robot: 'queued' });
    await drainRobot();
    await drainRobot();
    const sent = robotSends();
    expect(sent.map((r) => r.msgtype).sort()).toEqual(['image', 'markdown']);
    const image = sent.find((r) => r.msgtype === 'image')!.image as { base64: string; md5: string };
    const bytes = Buffer.from(image.base64, 'base64');
    expect(bytes.equals(Buffer.from(PNG))).toBe(true);
    expect(image.md5).toBe(createHash('md5').update(bytes).digest('hex'));
    const md = sent.find((r) => r.msgtype === 'markdown')!.markdown.content as string;
    expect(md).toContain('阿香奶茶');
    expect(md).toContain(`https://xiaoer.example.com/#/sub/report/index?merchant=shop&kind=weekly&date=${MON}`);
    expect(utf8Length(md)).toBeLessThanOrEqual(ROBOT_MARKDOWN_BYTES);
    // the app message was not chosen: nothing went there
    expect(fake.callsTo('message/send')).toHaveLength(0);
    expect(charts.drawn).toBe(1);
  });

  it('a chart that cannot be drawn leaves the markdown to go alone', async () => {
    const broken: ChartRenderer = { renderTrend: async () => Promise.reject(new Error('no font')) };
    const weekly = createWeeklyReportJob({ wecom: fake, appUrl: () => undefined, charts: broken });
    await weekly.run(job({ week: MON }), deps);
    await drainRobot();
    expect(robotSends().map((r) => r.msgtype)).toEqual(['markdown']);
  });

  it('the monthly goes as markdown within 4096 bytes', async () => {
    deps.clock.set(sh('2026-12-05T09:00:00'));
    const monthly = createMonthlyReportJob({ wecom: fake, appUrl: () => 'https://xiaoer.example.com' });
    expect(await monthly.run(job({ month: '2026-11' }), deps)).toEqual({ date: '2026-11-01', push: 'off', robot: 'queued' });
    await drainRobot();
    const [sent] = robotSends();
    expect(sent!.msgtype).toBe('markdown');
    expect(utf8Length(sent!.markdown.content)).toBeLessThanOrEqual(ROBOT_MARKDOWN_BYTES);
    expect(sent!.markdown.content).toContain('月');
  });
});

describe('the image encoding the robot takes', () => {
  it('matches node:crypto md5 and Buffer base64 at every padding length', () => {
    for (const n of [0, 1, 2, 3, 55, 56, 63, 64, 65, 4097]) {
      const b = new Uint8Array(randomBytes(n));
      expect(md5Hex(b)).toBe(createHash('md5').update(b).digest('hex'));
      expect(base64Of(b)).toBe(Buffer.from(b).toString('base64'));
    }
  });
});
