import { AppError } from '../../domain/errors';
import type { Merchant } from '../../domain/merchant';
import type { Report } from '../../domain/report';
import type { ChartRenderer, TrendChartInput } from '../../ports/chart';
import type { Deps } from '../../ports/deps';
import type { WecomApi } from '../../ports/wecom';
import { reportRecipients } from './push';

/**
 * The weekly chart on the WeCom app message channel: the PNG uploaded with `media/upload` (app
 * secret, type image) and sent as an image message (`message/send` msgtype image), before the
 * report's text. Its state lives on the stored report (`details.chart`), so a job that runs
 * again after it went out does not send it again. A run that dies between WeCom's answer and
 * that write sends it once more on retry (a new upload, so WeCom's duplicate check cannot help):
 * the one case where the owner may get the picture twice.
 */
export interface ChartState {
  state: 'sent' | 'failed' | 'none';
  /** none / failed: why (`no_renderer`, `render`, `wecom_<errcode>` …). */
  reason?: string;
  at?: number;
  width?: number;
  height?: number;
  bytes?: number;
}

export const chartStateOf = (report: Report): ChartState | undefined => (report.details as { chart?: ChartState }).chart;

async function saveChart(deps: Deps, report: Report, chart: ChartState): Promise<Report> {
  const next: Report = { ...report, details: { ...report.details, chart }, rev: report.rev + 1 };
  if (!(await deps.storage.reports.put(next, report.rev))) throw new AppError('CONFLICT.REPORT_BUSY', '这份报表正在被同时推送', 409);
  return next;
}

/**
 * Sends the chart once. Returns the report as stored after it and what happened to the chart:
 * `sent`, or why not. Nothing is sent (and the text's push decides skipped) when the report's
 * push already ended or the shop has no app or no recipients. A render failure is recorded and
 * the text still goes; a WeCom failure throws, so the job ledger retries with backoff.
 */
export async function pushChart(
  deps: Deps,
  env: { wecom: WecomApi; charts?: ChartRenderer },
  merchant: Merchant,
  report: Report,
  input: () => TrendChartInput,
): Promise<{ report: Report; chart?: string }> {
  const prior = chartStateOf(report);
  if (prior?.state === 'sent' || prior?.state === 'none' || report.push.state === 'sent' || report.push.state === 'skipped') return { report, chart: prior?.state };
  if (!merchant.wecom.agentId || !merchant.wecom.secrets.app) return { report };
  const to = await reportRecipients(deps, merchant);
  if (!to.length) return { report };
  if (!env.charts) return { report: await saveChart(deps, report, { state: 'none', reason: 'no_renderer', at: deps.clock.now() }), chart: 'none' };
  let png: { png: Uint8Array; width: number; height: number };
  try {
    png = await env.charts.renderTrend(input());
  } catch {
    return { report: await saveChart(deps, report, { state: 'none', reason: 'render', at: deps.clock.now() }), chart: 'none' };
  }
  try {
    const media = await env.wecom.mediaUpload(merchant.id, 'app', 'image', { bytes: png.png, fileName: `report-${report.kind}-${report.date}.png`, contentType: 'image/png' });
    await env.wecom.messageSend(merchant.id, { touser: to.join('|'), msgtype: 'image', image: { media_id: media.media_id } });
  } catch (err) {
    const reason = typeof (err as { errcode?: unknown }).errcode === 'number' ? `wecom_${(err as { errcode: number }).errcode}` : 'network';
    await saveChart(deps, report, { state: 'failed', reason, at: deps.clock.now() });
    throw err;
  }
  const sent = await saveChart(deps, report, { state: 'sent', at: deps.clock.now(), width: png.width, height: png.height, bytes: png.png.length });
  return { report: sent, chart: 'sent' };
}
