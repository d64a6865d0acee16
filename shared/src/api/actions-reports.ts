import { listReports, showDailyReport } from '../usecases/reports/show';
import { showPeriodReport } from '../usecases/reports/period-show';
import { robotView, setPushRobot } from '../usecases/reports/channels';
import { testPush } from '../usecases/reports/test-push';
import { exportReport } from '../usecases/reports/export';
import { channelOf, type Handlers } from './context';

/** The report page the push links to, and the stored reports; staff see them without revenue. */
export const reportActions = {
  'reports.get': async (ctx, req) =>
    req.kind === 'daily' ? showDailyReport(ctx.deps, req.merchantId, req.date, ctx.member.role) : showPeriodReport(ctx.deps, req.merchantId, req.kind, req.date, ctx.member.role),

  'reports.list': async (ctx, req) => listReports(ctx.deps, req.merchantId, req.kind, ctx.member.role, { limit: req.limit, before: req.before }),

  'reports.robot.set': async (ctx, req) => ({ robot: robotView(await setPushRobot(ctx.deps, req.merchantId, ctx.member.id, req.url)) }),

  'reports.testPush': async (ctx, req) => testPush(channelOf(ctx), req.merchantId, ctx.member, req.channel),

  'reports.export': async (ctx, req) => exportReport(ctx.deps, { merchantId: req.merchantId, kind: req.kind, date: req.date, role: ctx.member.role }, ctx.xlsx),
} satisfies Partial<Handlers>;
