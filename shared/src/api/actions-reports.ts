import { listReports, showDailyReport } from '../usecases/reports/show';
import type { Handlers } from './context';

/** The report page the push links to, and the stored reports; staff see them without revenue. */
export const reportActions = {
  'reports.get': async (ctx, req) => showDailyReport(ctx.deps, req.merchantId, req.date, ctx.member.role),

  'reports.list': async (ctx, req) => listReports(ctx.deps, req.merchantId, req.kind, ctx.member.role, { limit: req.limit, before: req.before }),
} satisfies Partial<Handlers>;
