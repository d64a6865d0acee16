import { z } from 'zod';
import { parseInput } from '@xiaoer/shared/contracts/envelope';
import { MerchantId } from '@xiaoer/shared/domain/ids';
import { CalendarDay } from '@xiaoer/shared/domain/report';
import { schedulerTick } from '@xiaoer/shared/usecases/scheduling/scheduler';
import { showDailyReport, type ShownReport } from '@xiaoer/shared/usecases/reports/show';
import { showPeriodReport, type ShownPeriodReport } from '@xiaoer/shared/usecases/reports/period-show';
import type { Runtime } from '../composition';

type Flags = Record<string, unknown>;

const At = z
  .string({ required_error: '要给 --at <时间>，比如 2026-11-22T21:00:00+08:00' })
  .datetime({ offset: true, message: '--at 要写成 2026-11-22T21:00:00+08:00 这样（带时区）' });

/**
 * `jobs run-due --at <ISO time>`: one scheduler tick as if it were that time. Only the tick's
 * "now" moves: the host's and sandbox's clock, sessions and the webhook's freshness window stay
 * on wall-clock time. Lists the jobs this call ran; jobs done before are not run again.
 */
export async function runJobsDue(rt: Runtime, flags: Flags) {
  const a = parseInput(z.object({ at: At }), flags);
  const tick = await schedulerTick(rt.deps, rt.jobs, { now: Date.parse(a.at) });
  const json = { ran: tick.ran };
  const text = tick.ran.length ? tick.ran.map((r) => `${r.status === 'done' ? '完成' : '失败（稍后重试）'}  ${r.key}`).join('\n') : '这个时间没有要跑的任务（已经跑过的不会再跑）';
  return { json, text };
}

/** `report show --merchant <id> --kind daily|weekly|monthly --date <YYYY-MM-DD>`: the running period recomputed, earlier ones as stored. */
export async function runReportShow(rt: Runtime, flags: Flags): Promise<{ json: ShownReport | ShownPeriodReport; text: string }> {
  const a = parseInput(
    z.object({
      merchant: MerchantId,
      kind: z.enum(['daily', 'weekly', 'monthly'], { errorMap: () => ({ message: '--kind 要写 daily、weekly 或 monthly（日报、周报、月报）' }) }).default('daily'),
      date: CalendarDay,
    }),
    flags,
  );
  // weekly and monthly: any day of the week or month names it
  const report = a.kind === 'daily' ? await showDailyReport(rt.deps, a.merchant, a.date, 'owner') : await showPeriodReport(rt.deps, a.merchant, a.kind, a.date, 'owner');
  const state = report.push ? `\n推送：${pushText(report.push)}` : '';
  return { json: report, text: `${report.text}${report.live ? '\n（按现在的数据算的）' : ''}${state}` };
}

function pushText(p: NonNullable<ShownReport['push']>): string {
  const states = { pending: '还没发', sending: '正在发', sent: '已发出', failed: '没发出去', skipped: '没发' } as const;
  return [states[p.state], p.detail].filter(Boolean).join('：');
}
