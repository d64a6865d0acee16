import type { Deps } from '../../ports/deps';
import type { WecomContext } from '../channel-wecom/context';
import { runDoctor } from './doctor';
import type { SetupCheckItem } from './setup-recorded';

export { setupItems, type SetupCheckItem } from './setup-recorded';

/** Where the app offers the real message a send test would make (the doctor does not send from here). */
export const APP_SEND_TEST_HINT = '想试一下：我 → 店铺设置 → 推送方式 → 企业微信应用消息 → 发一条测试报表给我';

/**
 * 企业微信连接检查: the setup doctor's checks (doctor.ts), the same the CLI's `doctor` runs, as
 * the app's items (`key` = the check's name). With a channel that has a probe the live checks
 * run (gettoken per secret, kf accounts, the callback round trip, the group robot); without one
 * the items come from what the channel recorded. It never sends a message from here.
 */
export async function checkSetup(deps: Deps, merchantId: string, channel?: Pick<WecomContext, 'wecom' | 'appUrl' | 'probe'>): Promise<{ items: SetupCheckItem[]; allOk: boolean }> {
  const live = channel && (await claimLiveRun(deps, merchantId));
  const { checks, ok } = await runDoctor({ deps, wecom: live ? channel.wecom : undefined, probe: live ? channel.probe : undefined, appUrl: channel?.appUrl }, merchantId, {
    sendTestHint: APP_SEND_TEST_HINT,
  });
  const items = checks.map(({ name, label, ok: good, detail, fix, skipped }) => ({ key: name, label, ok: good, detail, fix, ...(skipped ? { skipped } : {}) }));
  return { items, allOk: ok };
}

/**
 * WeCom asks not to call gettoken often, and 今日 and this page both load the check: the live
 * checks run at most once a minute per shop, unless the shop's settings changed since (a fixed
 * secret is checked at once); in between, the items come from what the last run recorded
 * (tokens, kf accounts, the verification), which is at most a minute old.
 */
export const LIVE_CHECK_EVERY_MS = 60_000;
async function claimLiveRun(deps: Deps, merchantId: string): Promise<boolean> {
  const now = deps.clock.now();
  const m = await deps.storage.merchants.get(merchantId);
  const last = await deps.storage.kv.get<{ at: number; settingsAt?: number }>(merchantId, 'setup', 'live-check');
  if (last && now - last.value.at < LIVE_CHECK_EVERY_MS && last.value.settingsAt === m?.updatedAt) return false;
  // two loads at once: one of them runs the live checks
  return deps.storage.kv.set(merchantId, 'setup', 'live-check', { at: now, settingsAt: m?.updatedAt }, last?.version ?? null, now);
}
