import { z } from 'zod';
import { Day, MerchantId } from '../domain/ids';
import { CalendarDay, PushFormat, PushState, ReportKind, ReportTime } from '../domain/report';

/**
 * The report actions of the `api` contract (api.ts spreads them into its union, policy and
 * results): the report page the push links to, and the list of stored reports. Open to staff,
 * who get every number but revenue.
 */
const m = { merchantId: MerchantId };
/** Kinds the app can ask for today; weekly and monthly join when they are built. */
const Kind = z.enum(['daily']).default('daily');

export const REPORT_REQUESTS = [
  /** One report: today's recomputed now, an earlier day's as stored (or computed when none was). */
  z.object({ action: z.literal('reports.get'), ...m, kind: Kind, date: CalendarDay }),
  /** Stored reports, newest first; `before`: the last date of the previous page. */
  z.object({ action: z.literal('reports.list'), ...m, kind: Kind, limit: z.number().int().min(1).max(60).default(30), before: CalendarDay.optional() }),
] as const;

export const REPORT_POLICY = {
  'reports.get': { role: 'staff', scope: 'merchant' },
  'reports.list': { role: 'staff', scope: 'merchant' },
} as const;

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
});
export type ReportView = z.infer<typeof ReportView>;

export const ReportListItemView = z.object({ kind: ReportKind, date: Day, builtAt: z.number(), headline: z.string(), push: PushState.shape.state });

export const REPORT_RESULTS = {
  'reports.get': ReportView,
  'reports.list': z.object({ items: z.array(ReportListItemView), nextBefore: Day.nullable() }),
};

/** 推送设置 as settings.update takes it: any of the fields; recipients null goes back to "the owners". */
export const ReportSettingsChange = z
  .object({
    dailyAt: ReportTime.optional(),
    recipients: z.array(z.string().min(1).max(64)).max(50).nullable().optional(),
    format: PushFormat.optional(),
  })
  .strict();
export type ReportSettingsChange = z.infer<typeof ReportSettingsChange>;
/** 推送设置 as settings.get shows it (defaults filled in; recipients null = the owners). */
export const ReportSettingsView = z.object({ dailyAt: z.string(), format: PushFormat, recipients: z.array(z.string()).nullable() });
