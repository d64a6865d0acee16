import type { Member } from '../../domain/member';
import type { PushChannel } from '../../domain/report';
import { dayOf } from '../../domain/time';
import { requireMerchant } from '../shop/require-merchant';
import { pushToChannels, type ChannelEnv, type ChannelOutcome } from './channels';
import { buildDailyReport, composeDailyMessage } from './daily-job';
import { reportSummary } from './subscribe-data';

/**
 * 发一条测试报表给我: today's daily report as of now, through one channel (chosen or not yet),
 * to the caller (app message, subscribe message) or the group (robot). Nothing is stored: the evening's report is
 * still built and pushed once, on time.
 */
export async function testPush(env: ChannelEnv, merchantId: string, caller: Member, channel: PushChannel): Promise<ChannelOutcome> {
  const merchant = await requireMerchant(env.deps, merchantId);
  if (channel === 'app' && !caller.wecomUserId) {
    return { channel, state: 'skipped', reason: 'no_wecom_user', detail: '你的账号还没填企业微信账号，收不到应用消息：到 设置 → 成员 里填上' };
  }
  const day = dayOf(env.deps.clock.now(), merchant.timezone);
  const report = await buildDailyReport(env.deps, merchant, day);
  const message = composeDailyMessage(report, merchant, env.appUrl?.());
  const marked = { ...message, ...(message.title ? { title: `（测试）${message.title}` } : { content: `（测试）${message.content}` }) };
  const summary = reportSummary(report, merchant, env.deps.clock.now());
  const [outcome] = await pushToChannels(env, merchant, marked, {
    channels: [channel],
    ...(channel === 'app' ? { to: [caller.wecomUserId!] } : {}),
    // the caller's own credit: a test spends one, like any push (WeChat counts it the same)
    ...(channel === 'subscribe' ? { subscribeTo: caller.openid ? [caller.openid] : [], summary: { ...summary, title: `（测试）${summary.title}` } } : {}),
  });
  return outcome!;
}
