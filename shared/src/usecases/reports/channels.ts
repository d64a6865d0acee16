import { AppError } from '../../domain/errors';
import type { Merchant } from '../../domain/merchant';
import { reportSettingsOf, type PushChannel } from '../../domain/report';
import type { Deps } from '../../ports/deps';
import { maskSecret } from '../../ports/secrets';
import { WecomApiError, type WecomApi } from '../../ports/wecom';
import { recordAudit } from '../shop/audit';
import { requireMerchant } from '../shop/require-merchant';
import { pushFailure, reportRecipients, request, type PushMessage } from './push';
import { ROBOT_SEND_KIND, robotKeyOf, sendToRobot, type RobotMessage } from './robot';
import { robotImageOf } from './push-image';
import { pushSubscribe, subscribeRecipients } from './subscribe';
import { alertsPage, type SubscribeEnv, type SubscribeSummary } from './subscribe-data';

/**
 * The push channels a shop chose in 推送设置, behind one call: the WeCom app message to members,
 * the group robot and the mini-program subscribe message (NOT verified against WeChat). Reports,
 * alerts and anything else that tells the owner something call `pushToChannels`; each channel
 * answers with what happened, in words the owner reads.
 */
export interface ChannelEnv {
  deps: Deps;
  wecom: WecomApi;
  appUrl?: () => string | undefined;
  /** The subscribe-message sender and template; absent: that channel is skipped (`no_template`). */
  subscribe?: SubscribeEnv;
}

export interface ChannelOutcome {
  channel: PushChannel;
  state: 'sent' | 'queued' | 'skipped' | 'failed';
  /** skipped / failed: a stable reason. */
  reason?: string;
  /** What the owner reads (zh-CN). */
  detail: string;
  /** queued: when it goes out (epoch ms). */
  at?: number;
}

export interface PushOptions {
  /** Default: the shop's chosen channels. */
  channels?: PushChannel[];
  /** App message recipients (WeCom userids); default: the report recipients. */
  to?: string[];
  /** Makes a rerun of the same push send nothing new on the robot and the subscribe message (the ledger key). */
  dedupeKey?: string;
  /** Subscribe-message recipients (openids); default: the report recipients' openids. */
  subscribeTo?: string[];
  /** The push as a subscribe message; default: its title or first line, opening the 提醒 page. */
  summary?: SubscribeSummary;
  /** An image the robot sends before the text (the weekly chart); null or a throw: text only. */
  robotImage?: () => Promise<Uint8Array | null>;
}

/** The robot gets markdown: a card becomes a bold title, its text and the link. */
export function robotMessageOf(message: PushMessage): RobotMessage {
  if (message.msgtype === 'text') return { msgtype: 'text', content: message.content };
  if (message.msgtype === 'markdown') return { msgtype: 'markdown', content: message.content };
  const link = message.url ? `\n[看完整报表](${message.url})` : '';
  return { msgtype: 'markdown', content: `**${message.title ?? ''}**\n${message.content}${link}` };
}

async function viaApp(env: ChannelEnv, merchant: Merchant, message: PushMessage, to: string[] | undefined): Promise<ChannelOutcome> {
  const skipped = (reason: string, detail: string): ChannelOutcome => ({ channel: 'app', state: 'skipped', reason, detail });
  if (!merchant.wecom.agentId || !merchant.wecom.secrets.app) return skipped('no_app', '没配置企业微信自建应用（AgentId 和 Secret），应用消息发不出去');
  const users = to ?? (await reportRecipients(env.deps, merchant));
  if (!users.length) return skipped('no_recipients', '没有能收消息的人：给老板或选中的店员填上企业微信账号');
  const res = await env.wecom.messageSend(merchant.id, request(message, users));
  const invalidUsers = res.invaliduser || undefined;
  return { channel: 'app', state: 'sent', detail: invalidUsers ? `已发出，但 ${invalidUsers} 不在企业微信里，没收到` : `已发到企业微信（${users.length} 人）` };
}

/** The image first (its own ledger key, so a rerun queues neither twice); a chart that cannot be drawn leaves the text alone. */
async function robotImage(env: ChannelEnv, merchant: Merchant, image: PushOptions['robotImage'], dedupeKey: string | undefined): Promise<void> {
  if (!image || !merchant.pushRobot) return;
  if (dedupeKey && (await env.deps.storage.jobs.get(`${ROBOT_SEND_KIND}:${merchant.id}:${dedupeKey}:image`))) return;
  let bytes: Uint8Array | null;
  try {
    bytes = await image();
  } catch {
    return;
  }
  if (bytes) await sendToRobot(env.deps, env.wecom, merchant, robotImageOf(bytes), dedupeKey ? `${dedupeKey}:image` : undefined);
}

async function viaRobot(env: ChannelEnv, merchant: Merchant, message: PushMessage, opts: PushOptions): Promise<ChannelOutcome> {
  const now = env.deps.clock.now();
  const dedupeKey = opts.dedupeKey;
  await robotImage(env, merchant, opts.robotImage, dedupeKey);
  const res = await sendToRobot(env.deps, env.wecom, merchant, robotMessageOf(message), dedupeKey);
  if (res.state === 'skipped') return { channel: 'robot', state: 'skipped', reason: 'no_robot', detail: '还没填群机器人地址，到 推送设置 里粘贴' };
  if (res.state === 'sent') return { channel: 'robot', state: 'sent', detail: '已发到群里' };
  const wait = Math.ceil(((res.at ?? now) - now) / 60_000);
  const detail = wait > 0 ? `这个群机器人一分钟最多发 20 条，已排队，约 ${wait} 分钟后发到群里` : '已排队，马上发到群里';
  return { channel: 'robot', state: 'queued', detail, ...(res.at !== undefined ? { at: res.at } : {}) };
}

/** A push with no summary of its own: its title (or first line) and the rest, opening the 提醒 page. */
export function summaryOf(message: PushMessage, merchant: Merchant): SubscribeSummary {
  const lines = message.content
    .split('\n')
    .map((l) =>
      l
        .replace(/[*#>`[\]]/g, '')
        .replace(/^[·\s-]+/, '')
        .trim(),
    )
    .filter(Boolean);
  const title = message.title ?? lines.shift() ?? merchant.name;
  return { title, summary: lines[0] ?? '点开看详情', page: alertsPage(merchant.id) };
}

async function viaSubscribe(env: ChannelEnv, merchant: Merchant, message: PushMessage, opts: PushOptions): Promise<ChannelOutcome> {
  const skipped = (reason: string, detail: string): ChannelOutcome => ({ channel: 'subscribe', state: 'skipped', reason, detail });
  const sub = env.subscribe;
  if (!sub?.templateId) return skipped('no_template', '这个店小二还没配置订阅消息模板，订阅消息发不出去');
  const to = opts.subscribeTo ?? (await subscribeRecipients(env.deps, merchant));
  if (!to.length) return skipped('no_recipients', '没有能收订阅消息的人：老板或选中的店员要先在小程序里打开过店小二');
  const key = opts.dedupeKey ?? env.deps.ids.id('sub');
  const res = await pushSubscribe(env.deps, { ...sub, templateId: sub.templateId }, merchant, to, key, opts.summary ?? summaryOf(message, merchant));
  if (!res.sent) return skipped('no_credit', '订阅次数用完了，点一下再订阅');
  const detail = res.noCredit ? `已发到微信（${res.sent} 人）；${res.noCredit} 人的订阅次数用完了，没收到` : `已发到微信（${res.sent} 人）`;
  return { channel: 'subscribe', state: 'sent', detail };
}

/** Subscribe-message refusals in the owner's words (WeChat's own codes, protocol doc §8). */
function subscribeFailure(err: unknown): { reason: string; detail: string } {
  if (err instanceof WecomApiError) {
    const reason = `wx_${err.errcode}`;
    if (err.errcode === 40037 || err.errcode === 47003 || err.errcode === 41030) return { reason, detail: '订阅消息模板的设置不对（模板或字段），请联系店小二' };
    if (err.retryable) return { reason, detail: '微信忙，稍后会自动再发' };
    return { reason, detail: `微信没收下这条订阅消息（错误 ${err.errcode}），稍后会再试` };
  }
  const f = pushFailure(err);
  return f.reason === 'network' ? { reason: f.reason, detail: '连不上微信，稍后会自动再发' } : f;
}

/** A robot's refusals in the owner's words: a dead key means the robot left the group or was removed. */
function robotFailure(err: unknown): { reason: string; detail: string } {
  if (err instanceof WecomApiError && err.errcode === 93000) return { reason: 'wecom_93000', detail: '群机器人地址失效了（机器人可能被移出群），到 推送设置 重新粘贴' };
  return pushFailure(err);
}

/** Pushes one message to each chosen channel; a channel's failure is its outcome, never the others'. */
export async function pushToChannels(env: ChannelEnv, merchant: Merchant, message: PushMessage, opts: PushOptions = {}): Promise<ChannelOutcome[]> {
  const channels = opts.channels ?? reportSettingsOf(merchant).channels;
  const out: ChannelOutcome[] = [];
  for (const channel of channels) {
    try {
      if (channel === 'app') out.push(await viaApp(env, merchant, message, opts.to));
      else if (channel === 'robot') out.push(await viaRobot(env, merchant, message, opts));
      else out.push(await viaSubscribe(env, merchant, message, opts));
    } catch (err) {
      out.push({ channel, state: 'failed', ...(channel === 'robot' ? robotFailure(err) : channel === 'subscribe' ? subscribeFailure(err) : pushFailure(err)) });
    }
  }
  return out;
}

/**
 * A scheduled report's channels other than the app message (which keeps its state on the stored
 * report): the robot and the subscribe message, both idempotent under `dedupeKey`, so the job
 * that reruns after a failure adds nothing here. Never throws: see {@link throwIfFailed}.
 */
export async function pushBesideApp(env: ChannelEnv, merchant: Merchant, message: PushMessage, opts: PushOptions & { dedupeKey: string }): Promise<ChannelOutcome[]> {
  const channels = reportSettingsOf(merchant).channels.filter((c) => c !== 'app');
  return channels.length ? pushToChannels(env, merchant, message, { ...opts, channels }) : [];
}

/** A failed channel fails the job, so the ledger retries it with backoff (after the other channels went). */
export function throwIfFailed(outcomes: ChannelOutcome[]): void {
  const failed = outcomes.find((o) => o.state === 'failed');
  if (failed) throw new AppError('PUSH.FAILED', `${failed.channel}: ${failed.detail}`, 502, { channel: failed.channel, reason: failed.reason });
}

/** The job's summary of each channel beside the app: `{robot: 'queued', subscribe: 'skipped:no_credit'}`. */
export const outcomeStates = (outcomes: ChannelOutcome[]): Record<string, string> =>
  Object.fromEntries(outcomes.map((o) => [o.channel, o.reason && o.state !== 'failed' ? `${o.state}:${o.reason}` : o.state]));

/** What the app may see of the robot: whether one is set and a hint of its key, never the URL. */
export function robotView(m: Merchant): { configured: boolean; hint: string | null } {
  return { configured: Boolean(m.pushRobot), hint: m.pushRobot?.hint ?? null };
}

/** Stores (sealed) or removes the group robot's webhook URL; removing it also takes the robot off the chosen channels. */
export async function setPushRobot(deps: Deps, merchantId: string, actorId: string, url: string | null): Promise<Merchant> {
  const m = await requireMerchant(deps, merchantId);
  const now = deps.clock.now();
  let next: Merchant;
  if (url === null) {
    const { pushRobot: _gone, ...rest } = m;
    const channels = reportSettingsOf(m).channels.filter((c) => c !== 'robot');
    next = { ...rest, ...(m.reports ? { reports: { ...m.reports, channels: channels.length ? channels : ['app'] } } : {}), updatedAt: now };
  } else {
    const key = robotKeyOf(url);
    next = { ...m, pushRobot: { url: deps.secrets.seal(url.trim()), hint: `key=${maskSecret(key)}` }, updatedAt: now };
  }
  await deps.storage.merchants.save(next);
  await recordAudit(deps, { merchantId: m.id, actor: actorId, action: 'reports.robot.set', target: m.id, detail: { configured: url !== null }, at: now });
  return next;
}
