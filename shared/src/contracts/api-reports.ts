import { z } from 'zod';
import { Day, MerchantId } from '../domain/ids';
import { CalendarDay, ChannelPushState, PushChannel, PushFormat, PushState, ReportKind, ReportTime } from '../domain/report';

/**
 * The report actions of the `api` contract (api.ts spreads them into its union, policy and
 * results): the report page the push links to, and the list of stored reports. Open to staff,
 * who get every number but revenue.
 */
const m = { merchantId: MerchantId };
/** reports.list pages through one kind at a time (daily when not said, as before weekly and monthly were listed). */
const Kind = ReportKind.default('daily');

export const REPORT_REQUESTS = [
  /**
   * One report: today's recomputed now, an earlier day's as stored (or computed when none was).
   * weekly / monthly: `date` is any day of the week (Monday to Sunday) or month; the running one is recomputed.
   */
  z.object({ action: z.literal('reports.get'), ...m, kind: ReportKind.default('daily'), date: CalendarDay }),
  /** Stored reports of one kind, newest first (weekly/monthly keyed by the period's first day); `before`: the last date of the previous page. */
  z.object({ action: z.literal('reports.list'), ...m, kind: Kind, limit: z.number().int().min(1).max(60).default(30), before: CalendarDay.optional() }),
  /** The group robot's webhook URL as pasted (stored sealed, never shown again); null removes it. */
  z.object({ action: z.literal('reports.robot.set'), ...m, url: z.string().trim().min(1).max(300).nullable() }),
  /** 发一条测试报表给我: today's daily report now, through one channel, to the caller (or the robot's group). */
  z.object({ action: z.literal('reports.testPush'), ...m, channel: PushChannel }),
  /** 导出 Excel: one report (`date` as in reports.get) as an .xlsx; staff get it without the revenue column. */
  z.object({ action: z.literal('reports.export'), ...m, kind: ReportKind, date: CalendarDay }),
] as const;

export const REPORT_POLICY = {
  'reports.get': { role: 'staff', scope: 'merchant' },
  'reports.list': { role: 'staff', scope: 'merchant' },
  'reports.robot.set': { role: 'owner', scope: 'merchant' },
  'reports.testPush': { role: 'owner', scope: 'merchant' },
  'reports.export': { role: 'staff', scope: 'merchant' },
} as const;

/** The group robot's and the subscribe message's outcome for this report (the app message's is `push`). */
const ChannelPushView = ChannelPushState.extend({ channel: z.enum(['robot', 'subscribe']) });

const Totals = {
  /** null for staff. */
  revenueFen: z.number().int().nullable(),
  orders: z.number().int(),
  newCustomers: z.number().int(),
  consultations: z.number().int(),
  customerMessages: z.number().int(),
  aiAnswered: z.number().int(),
  aiHandoffs: z.number().int(),
};

export const DailyNumbersView = z.object({
  ...Totals,
  refunds: z.number().int(),
  firstResponseAvgMs: z.number().nullable(),
  aiAnswerRate: z.number().min(0).max(1).nullable(),
  waitingHuman: z.number().int(),
  /** False until the shop has any order: show 接入订单后这里显示营业额, not ¥0. */
  hasOrders: z.boolean(),
  dayBefore: z.object(Totals),
  weekBefore: z.object(Totals),
});
export type DailyNumbersView = z.infer<typeof DailyNumbersView>;

export const ReportView = z.object({
  kind: ReportKind,
  date: Day,
  numbers: DailyNumbersView,
  details: z.object({
    unanswered: z.array(z.object({ question: z.string(), count: z.number().int() })),
    topSellers: z.array(z.object({ name: z.string(), qty: z.number().int() })),
    topSellersOmitted: z.boolean(),
    lowStock: z.array(z.object({ name: z.string(), stock: z.number().int(), lowStockAt: z.number().int() })),
    advice: z.string(),
  }),
  text: z.string(),
  builtAt: z.number(),
  /** Computed for this answer (today, or a day nothing was stored for). */
  live: z.boolean(),
  /** The push of this report (sent / failed why / skipped why); null before any attempt. */
  push: PushState.nullable(),
  channels: z.array(ChannelPushView),
});
export type ReportView = z.infer<typeof ReportView>;

/**
 * A weekly or monthly report (usecases/reports/weekly.ts and monthly.ts define its numbers and
 * details: the trend series, sellers, buyers; the health score and its parts, the suggestions).
 * Staff get revenue fields as null.
 */
export const PeriodReportView = z.object({
  kind: z.enum(['weekly', 'monthly']),
  /** The period's first day: its Monday, or the month's 1st. */
  date: Day,
  numbers: z.record(z.string(), z.unknown()),
  details: z.record(z.string(), z.unknown()),
  text: z.string(),
  builtAt: z.number(),
  live: z.boolean(),
  push: PushState.nullable(),
  channels: z.array(ChannelPushView),
});
export type PeriodReportView = z.infer<typeof PeriodReportView>;

/** The group robot as the app sees it: set or not, and a hint of its key; never the URL. */
export const RobotView = z.object({ configured: z.boolean(), hint: z.string().nullable() });

export const ReportListItemView = z.object({
  kind: ReportKind,
  date: Day,
  builtAt: z.number(),
  headline: z.string(),
  push: PushState.shape.state,
  /** Why the push failed or was skipped, in the owner's words; null when there is nothing to add. */
  pushDetail: z.string().nullable(),
});

export const REPORT_RESULTS = {
  'reports.get': z.union([ReportView, PeriodReportView]),
  'reports.list': z.object({ items: z.array(ReportListItemView), nextBefore: Day.nullable() }),
  'reports.robot.set': z.object({ robot: RobotView }),
  'reports.testPush': z.object({
    channel: PushChannel,
    state: z.enum(['sent', 'queued', 'skipped', 'failed']),
    reason: z.string().optional(),
    /** What happened, for the owner (zh-CN). */
    detail: z.string(),
    at: z.number().optional(),
  }),
  /** The workbook as base64 and the name to save it under (…-周报-2026-11-30至2026-12-06.xlsx). */
  'reports.export': z.object({ filename: z.string(), base64: z.string() }),
};

/** 推送设置 as settings.update takes it: any of the fields; recipients null goes back to "the owners". */
export const ReportSettingsChange = z
  .object({
    dailyAt: ReportTime.optional(),
    recipients: z.array(z.string().min(1).max(64)).max(50).nullable().optional(),
    format: PushFormat.optional(),
    /** Where pushes go; the robot needs its webhook URL set first (reports.robot.set). */
    channels: z.array(PushChannel).min(1, '至少选一个推送方式').max(3).optional(),
  })
  .strict();
export type ReportSettingsChange = z.infer<typeof ReportSettingsChange>;
/** 推送设置 as settings.get shows it (defaults filled in; recipients null = the owners). */
export const ReportSettingsView = z.object({
  dailyAt: z.string(),
  format: PushFormat,
  recipients: z.array(z.string()).nullable(),
  channels: z.array(PushChannel),
  robot: RobotView,
});
