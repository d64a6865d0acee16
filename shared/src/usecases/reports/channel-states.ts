import type { ChannelPushState, Report } from '../../domain/report';
import type { Deps } from '../../ports/deps';
import type { ChannelOutcome } from './channels';

/**
 * Keeps each channel's outcome on the stored report beside the app message's (`push`), so the
 * report page can say what happened on the robot and the subscribe message too — the job
 * ledger alone had it, where no owner looks. A lost write (a second runner) keeps the push going:
 * the state is for reading, the sends themselves are deduplicated by their own keys.
 */
export async function saveChannelStates(deps: Deps, report: Report, outcomes: ChannelOutcome[]): Promise<Report> {
  const others = outcomes.filter((o): o is ChannelOutcome & { channel: 'robot' | 'subscribe' } => o.channel !== 'app');
  if (!others.length) return report;
  const now = deps.clock.now();
  const states: Record<string, ChannelPushState> = { ...(report.channelPushes ?? {}) };
  for (const o of others) states[o.channel] = { state: o.state, ...(o.reason ? { reason: o.reason.slice(0, 60) } : {}), detail: o.detail.slice(0, 200), at: o.at ?? now };
  const next: Report = { ...report, channelPushes: states, rev: report.rev + 1 };
  if (await deps.storage.reports.put(next, report.rev)) return next;
  return (await deps.storage.reports.get(report.merchantId, report.kind, report.date)) ?? report;
}

export type ChannelPushView = ChannelPushState & { channel: 'robot' | 'subscribe' };

/** The report's other channels for a view, robot first. */
export const channelStatesOf = (r: Pick<Report, 'channelPushes'>): ChannelPushView[] =>
  (['robot', 'subscribe'] as const).flatMap((channel) => (r.channelPushes?.[channel] ? [{ channel, ...r.channelPushes[channel]! }] : []));
