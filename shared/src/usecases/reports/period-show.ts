import { AppError } from '../../domain/errors';
import type { Day } from '../../domain/ids';
import type { Role } from '../../domain/member';
import type { PushState, Report } from '../../domain/report';
import { dayOf, weekStart } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { requireMerchant } from '../shop/require-merchant';
import { monthlyText, type MonthlyDetails, type MonthlyNumbers } from './monthly';
import { computePeriod, type PeriodKind } from './period-job';
import { weeklyText, type WeeklyDetails, type WeeklyNumbers } from './weekly';
import { channelStatesOf, type ChannelPushView } from './channel-states';

/**
 * Reading a weekly or monthly report (`report show --kind weekly|monthly`). `date` may be any
 * day of the period: it names the week (Monday to Sunday) or the month it falls in. A finished
 * period shows what was stored (and sent), or is computed when nothing was stored; the period
 * still running is computed as of now. Staff get every number but revenue.
 */
export interface ShownPeriodReport {
  kind: PeriodKind;
  /** The period's first day: its Monday, or the month's 1st. */
  date: Day;
  numbers: Record<string, unknown>;
  details: Record<string, unknown>;
  text: string;
  builtAt: number;
  live: boolean;
  push: PushState | null;
  /** The robot's and the subscribe message's outcomes, when those channels were used. */
  channels: ChannelPushView[];
}

export const periodStart = (kind: PeriodKind, day: Day): Day => (kind === 'weekly' ? weekStart(day) : `${day.slice(0, 7)}-01`);

function shown(r: Report, name: string, role: Role, live: boolean): ShownPeriodReport {
  const kind = r.kind as PeriodKind;
  let numbers = r.numbers;
  let text = r.text;
  if (role !== 'owner') {
    const before = kind === 'weekly' ? 'weekBefore' : 'monthBefore';
    const b = r.numbers[before] as Record<string, unknown>;
    numbers = { ...r.numbers, revenueFen: null, [before]: { ...b, revenueFen: null }, ...(kind === 'weekly' ? { dailyRevenueFen: null } : {}) };
    text =
      kind === 'weekly'
        ? weeklyText(name, r.numbers as unknown as WeeklyNumbers, r.details as unknown as WeeklyDetails, false)
        : monthlyText(name, r.numbers as unknown as MonthlyNumbers, r.details as unknown as MonthlyDetails, false);
  }
  return {
    kind,
    date: r.date,
    numbers,
    details: r.details,
    text,
    builtAt: r.builtAt,
    live,
    push: r.push.state === 'pending' && !r.push.attempts ? null : r.push,
    channels: channelStatesOf(r),
  };
}

export async function showPeriodReport(deps: Deps, merchantId: string, kind: PeriodKind, day: Day, role: Role): Promise<ShownPeriodReport> {
  const m = await requireMerchant(deps, merchantId);
  const date = periodStart(kind, day);
  const current = periodStart(kind, dayOf(deps.clock.now(), m.timezone));
  const stored = await deps.storage.reports.get(m.id, kind, date);
  if (stored && date !== current) return shown(stored, m.name, role, false);
  if (date > current) throw new AppError('NOT_FOUND.REPORT', kind === 'weekly' ? '这一周还没到，还没有周报' : '这个月还没到，还没有月报', 404);
  const built = await computePeriod(deps, m, kind, date);
  const live: Report = {
    merchantId: m.id,
    kind,
    date,
    ...built,
    push: stored?.push ?? { state: 'pending', to: [], attempts: 0 },
    ...(stored?.channelPushes ? { channelPushes: stored.channelPushes } : {}),
    rev: 1,
  };
  return shown(live, m.name, role, true);
}
