import { AppError } from '../../domain/errors';
import type { Merchant } from '../../domain/merchant';
import { reportSettingsOf, type PushState, type Report, type ReportKind } from '../../domain/report';
import type { Deps } from '../../ports/deps';
import { WecomApiError, type WecomApi } from '../../ports/wecom';
import type { SubscribeEnv } from './subscribe-data';

/**
 * The WeCom app message channel of reports (issue 12 §4): `message/send` through the shop's
 * self-built app to the owner and the staff the owner chose. The push's state lives on the stored
 * report, so a job that runs twice sends once: `sent` and `skipped` are final, and a `sending`
 * left behind by a run that died mid-call (or lost WeCom's answer) sends the same message again
 * with WeCom's duplicate check on — WeCom drops it when the first one arrived.
 */
export interface PushEnv {
  wecom: WecomApi;
  /** Where the owner app lives (link of the push); absent: the push says where to tap instead. */
  appUrl?: () => string | undefined;
  /** The mini-program subscribe message (usecases/reports/subscribe.ts); absent: that channel is skipped. */
  subscribe?: SubscribeEnv;
}

export type PushMessage = NonNullable<PushState['message']>;
/** WeCom's longest duplicate-check window (4 h): covers every retry of the ledger. */
const DUPLICATE_CHECK_S = 4 * 3600;

/** The chosen members' WeCom userids; by default every owner's. Members without one get nothing. */
export async function reportRecipients(deps: Deps, merchant: Merchant): Promise<string[]> {
  const members = await deps.storage.members.list(merchant.id);
  const chosen = reportSettingsOf(merchant).recipients;
  const picked = chosen ? members.filter((m) => chosen.includes(m.id)) : members.filter((m) => m.role === 'owner');
  return [...new Set(picked.map((m) => m.wecomUserId).filter((u): u is string => Boolean(u)))];
}

/** The report page of the owner app (H5 hash route; the same path in the mini-program). */
export function reportLink(appUrl: string | undefined, merchantId: string, kind: ReportKind, date: string): string | undefined {
  if (!appUrl) return undefined;
  const q = `merchant=${encodeURIComponent(merchantId)}&kind=${kind}&date=${date}`;
  return `${appUrl.replace(/\/$/, '')}/#/sub/report/index?${q}`;
}

/** Why a push failed, for the app: a stable reason and a sentence the owner understands. */
export function pushFailure(err: unknown): { reason: string; detail: string } {
  if (err instanceof WecomApiError) {
    const reason = `wecom_${err.errcode}`;
    if (err.errcode === 81013) return { reason, detail: '接收人都不在企业微信里（检查成员的企业微信账号）' };
    if (err.isConfig) return { reason, detail: '企业微信自建应用的设置不对（Secret、AgentId 或可信 IP），到 设置 → 企业微信 检查' };
    if (err.retryable) return { reason, detail: '企业微信忙，稍后会自动再发' };
    return { reason, detail: `企业微信没收下这条消息（错误 ${err.errcode}），稍后会再试` };
  }
  if (err instanceof AppError) return { reason: err.code.toLowerCase().slice(0, 60), detail: err.message.slice(0, 200) };
  return { reason: 'network', detail: '连不上企业微信，稍后会自动再发' };
}

async function savePush(deps: Deps, report: Report, push: PushState): Promise<Report> {
  // fields cleared with undefined are left out, as every adapter would store them
  const clean = Object.fromEntries(Object.entries(push).filter(([, v]) => v !== undefined)) as PushState;
  const next: Report = { ...report, push: clean, rev: report.rev + 1 };
  if (!(await deps.storage.reports.put(next, report.rev))) {
    // only one runner holds the job's lease: a lost write means a stray second runner, so stop here
    throw new AppError('CONFLICT.REPORT_BUSY', '这份报表正在被同时推送', 409);
  }
  return next;
}

export function request(message: PushMessage, to: string[]): Parameters<WecomApi['messageSend']>[1] {
  const common = { touser: to.join('|'), enable_duplicate_check: 1 as const, duplicate_check_interval: DUPLICATE_CHECK_S };
  if (message.msgtype === 'textcard') {
    return { ...common, msgtype: 'textcard', textcard: { title: message.title ?? '', description: message.content, url: message.url ?? '', btntxt: '看完整报表' } };
  }
  if (message.msgtype === 'markdown') return { ...common, msgtype: 'markdown', markdown: { content: message.content } };
  return { ...common, msgtype: 'text', text: { content: message.content } };
}

/**
 * Pushes a stored report once. `compose` makes the message on the first attempt; later attempts
 * send what was stored. Throws when the send failed (the job ledger retries with backoff).
 */
export async function pushReport(deps: Deps, env: PushEnv, merchant: Merchant, report: Report, compose: () => PushMessage): Promise<PushState> {
  if (report.push.state === 'sent' || report.push.state === 'skipped') return report.push;
  const now = deps.clock.now();
  const skip = async (reason: string, detail: string) => (await savePush(deps, report, { ...report.push, state: 'skipped', reason, detail, at: now })).push;
  if (!merchant.wecom.agentId || !merchant.wecom.secrets.app) return skip('no_app', '没配置企业微信自建应用（AgentId 和 Secret），报表发不出去，可以在店小二里看');
  const to = await reportRecipients(deps, merchant);
  if (!to.length) return skip('no_recipients', '没有能收报表的人：给老板或选中的店员填上企业微信账号');
  const message = report.push.message ?? compose();
  let cur = await savePush(deps, report, { ...report.push, state: 'sending', to, message, attempts: report.push.attempts + 1, at: now, reason: undefined, detail: undefined });
  try {
    const res = await env.wecom.messageSend(merchant.id, request(message, to));
    const invalid = res.invaliduser || undefined;
    cur = await savePush(deps, cur, { ...cur.push, state: 'sent', at: deps.clock.now(), invalid, detail: invalid ? `${invalid} 不在企业微信里，没收到` : undefined });
    return cur.push;
  } catch (err) {
    await savePush(deps, cur, { ...cur.push, state: 'failed', at: deps.clock.now(), ...pushFailure(err) });
    throw err;
  }
}
