import { z } from 'zod';
import { parseInput } from '@xiaoer/shared/contracts/envelope';
import { MerchantId } from '@xiaoer/shared/domain/ids';
import { runDoctor, type DoctorCheck } from '@xiaoer/shared/usecases/shop/doctor';
import type { Runtime } from '../composition';
import { hostUrlForCli } from '../host/running';

const Flags = z.object({ merchant: MerchantId, 'send-test': z.boolean().default(false) });

/**
 * `doctor --merchant <id> [--send-test]`: the setup doctor (usecases/shop/doctor.ts), the same
 * checks as the app's 企业微信连接检查. Exit code 1 when any check fails. Secrets never appear:
 * the checks name fields, not values.
 */
export async function runDoctorCli(rt: Runtime, flags: Record<string, unknown>): Promise<{ json: unknown; text: string; code: number }> {
  const a = parseInput(Flags, flags);
  // the built-in sandbox lives in the running host: reach it, and build the local callback URL, where that host listens
  if (rt.config.wecom.source === 'sandbox') rt.setHostBaseUrl(hostUrlForCli(rt));
  const { checks, ok } = await runDoctor({ deps: rt.deps, wecom: rt.wecom, probe: rt.probe, appUrl: rt.inbox.appUrl }, a.merchant, {
    sendTest: a['send-test'],
    sendTestHint: `要试就加上 --send-test：npm run cli -- doctor --merchant ${a.merchant} --send-test`,
  });
  const json = { checks: checks.map(({ name, ok: good, detail, fix, label, skipped }) => ({ name, ok: good, detail, fix, label, ...(skipped ? { skipped } : {}) })) };
  const where = rt.probe.target === 'sandbox' ? '本地沙箱' : '企业微信';
  const failed = checks.filter((c) => !c.ok).length;
  const text = [
    `店铺 ${a.merchant} 的企业微信连接检查（连的是${where}）`,
    ...checks.map(line),
    failed ? `有 ${failed} 项要处理：照着 → 后面的说明改好，再运行一次。` : '都通过了。',
  ].join('\n');
  return { json, text, code: ok ? 0 : 1 };
}

function line(c: DoctorCheck): string {
  const mark = c.skipped ? '–' : c.ok ? '✓' : '✗';
  return `${mark} ${c.label}：${c.detail}${c.fix ? `\n    → ${c.fix}` : ''}`;
}
