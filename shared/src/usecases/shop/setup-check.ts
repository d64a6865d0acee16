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
  const { checks, ok } = await runDoctor({ deps, wecom: channel?.wecom, probe: channel?.probe, appUrl: channel?.appUrl }, merchantId, { sendTestHint: APP_SEND_TEST_HINT });
  const items = checks.map(({ name, label, ok: good, detail, fix, skipped }) => ({ key: name, label, ok: good, detail, fix, ...(skipped ? { skipped } : {}) }));
  return { items, allOk: ok };
}
