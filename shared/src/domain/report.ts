import { z } from 'zod';
import { Day, Instant, MerchantId } from './ids';

/**
 * Reports the owner gets pushed and can reopen (issue 12 §3): each is stored once per
 * (merchant, kind, period) with its numbers and the text that was sent, and the push's state.
 */
export const ReportKind = z.enum(['daily', 'weekly', 'monthly']);
export type ReportKind = z.infer<typeof ReportKind>;

/** A real calendar day (the Day pattern alone lets 2026-02-31 through). */
export const CalendarDay = Day.refine((d) => {
  const [y, m, dd] = d.split('-').map(Number);
  const t = new Date(Date.UTC(y!, m! - 1, dd!));
  return y! >= 2000 && t.getUTCFullYear() === y && t.getUTCMonth() === m! - 1 && t.getUTCDate() === dd;
}, '日期不对，要 2026-11-22 这样的真实日期');

export const ReportTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间要写成 21:00 这样');

/** How the WeCom app message looks: a card with a button to the report page, markdown, or plain text. */
export const PushFormat = z.enum(['textcard', 'markdown', 'text']);
export type PushFormat = z.infer<typeof PushFormat>;

/**
 * Where report pushes go: the WeCom app message to chosen members, the group robot of an
 * internal WeCom group (its webhook URL is kept sealed on the merchant, `pushRobot`), and the
 * mini-program subscribe message (one send per credit a member granted by tapping; NOT verified
 * against WeChat, see usecases/reports/subscribe.ts).
 */
export const PushChannel = z.enum(['app', 'robot', 'subscribe']);
export type PushChannel = z.infer<typeof PushChannel>;

/** 推送设置 on the merchant; absent fields mean the defaults below. */
export const ReportSettings = z.object({
  /** The daily report's time in the shop's time zone. */
  dailyAt: ReportTime.default('21:00'),
  /** Member ids who get the push; absent: every owner with a WeCom userid. */
  recipients: z.array(z.string().min(1).max(64)).max(50).optional(),
  format: PushFormat.default('textcard'),
  /** At least one; absent: the app message only (the demo shop and every shop stored before). */
  channels: z.array(PushChannel).min(1).max(3).optional(),
});
export type ReportSettings = z.infer<typeof ReportSettings>;
export const DEFAULT_REPORT_SETTINGS: ReportSettings & { channels: PushChannel[] } = { dailyAt: '21:00', format: 'textcard', channels: ['app'] };

/**
 * Where the push stands. `sending` is written before the call to WeCom: a run that finds it
 * left behind (a crash or a lost answer) sends the same content again with WeCom's duplicate
 * check on, so the owner gets it once either way.
 */
export const PushState = z.object({
  state: z.enum(['pending', 'sending', 'sent', 'failed', 'skipped']),
  /** failed / skipped: a stable reason (`no_recipients`, `no_app`, `wecom_81013`, …). */
  reason: z.string().max(60).optional(),
  /** What the owner reads about it (zh-CN). */
  detail: z.string().max(200).optional(),
  /** WeCom userids it went (or was to go) to. */
  to: z.array(z.string()).default([]),
  /** Userids WeCom said are not valid members. */
  invalid: z.string().optional(),
  attempts: z.number().int().nonnegative().default(0),
  at: Instant.optional(),
  /** What was sent, exactly (so a retry sends the same thing and the app can show it). */
  message: z.object({ msgtype: PushFormat, title: z.string().optional(), content: z.string(), url: z.string().optional() }).optional(),
});
export type PushState = z.infer<typeof PushState>;

/** How a push went on a channel beside the app message (the robot, the subscribe message). */
export const ChannelPushState = z.object({
  state: z.enum(['sent', 'queued', 'skipped', 'failed']),
  reason: z.string().max(60).optional(),
  detail: z.string().max(200),
  at: Instant.optional(),
});
export type ChannelPushState = z.infer<typeof ChannelPushState>;

export const Report = z.object({
  merchantId: MerchantId,
  kind: ReportKind,
  /** The period's first day: the day (daily), its Monday (weekly), the 1st (monthly). */
  date: Day,
  /** Kind-specific numbers (usecases/reports/daily.ts defines the daily ones). */
  numbers: z.record(z.string(), z.unknown()),
  /** Lists beside the numbers: questions, sellers, stock, the advice. */
  details: z.record(z.string(), z.unknown()).default({}),
  /** The report as plain text: what the app shows and the markdown/text push carries. */
  text: z.string(),
  builtAt: Instant,
  push: PushState,
  /** The other chosen channels' outcomes (the app message's is `push`). */
  channelPushes: z.record(z.enum(['robot', 'subscribe']), ChannelPushState).optional(),
  /** Compare-and-set token: +1 per write. */
  rev: z.number().int().positive(),
});
export type Report = z.infer<typeof Report>;

/** Relative change from `before` to `now`; null when there is nothing to compare with. */
export function changeRatio(now: number, before: number): number | null {
  if (before === 0) return null;
  return (now - before) / before;
}

/** The merchant's report settings with the defaults filled in. */
export const reportSettingsOf = (m: { reports?: Partial<ReportSettings> }): ReportSettings & { channels: PushChannel[] } => ({
  ...DEFAULT_REPORT_SETTINGS,
  ...m.reports,
  channels: m.reports?.channels ?? DEFAULT_REPORT_SETTINGS.channels,
});
