import type { Merchant } from '../../domain/merchant';
import { reportSettingsOf, type PushChannel } from '../../domain/report';
import type { Deps } from '../../ports/deps';
import { maskSecret } from '../../ports/secrets';
import { WecomApiError, type WecomApi } from '../../ports/wecom';
import { recordAudit } from '../shop/audit';
import { requireMerchant } from '../shop/require-merchant';
import { pushFailure, reportRecipients, request, type PushMessage } from './push';
import { robotKeyOf, sendToRobot, type RobotMessage } from './robot';

/**
 * The push channels a shop chose in 推送设置, behind one call: the WeCom app message to members
 * and the group robot. Reports, alerts and anything else that tells the owner something call
 * `pushToChannels`; each channel answers with what happened, in words the owner reads.
 */
export interface ChannelEnv {
  deps: Deps;
  wecom: WecomApi;
  appUrl?: () => string | undefined;
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
  /** Makes a rerun of the same push send nothing new on the robot (the ledger key). */
  dedupeKey?: string;
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

async function viaRobot(env: ChannelEnv, merchant: Merchant, message: PushMessage, dedupeKey: string | undefined): Promise<ChannelOutcome> {
  const now = env.deps.clock.now();
  const res = await sendToRobot(env.deps, env.wecom, merchant, robotMessageOf(message), dedupeKey);
  if (res.state === 'skipped') return { channel: 'robot', state: 'skipped', reason: 'no_robot', detail: '还没填群机器人地址，到 推送设置 里粘贴' };
  if (res.state === 'sent') return { channel: 'robot', state: 'sent', detail: '已发到群里' };
  const wait = Math.ceil(((res.at ?? now) - now) / 60_000);
  const detail = wait > 0 ? `这个群机器人一分钟最多发 20 条，已排队，约 ${wait} 分钟后发到群里` : '已排队，马上发到群里';
  return { channel: 'robot', state: 'queued', detail, ...(res.at !== undefined ? { at: res.at } : {}) };
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
      out.push(channel === 'app' ? await viaApp(env, merchant, message, opts.to) : await viaRobot(env, merchant, message, opts.dedupeKey));
    } catch (err) {
      out.push({ channel, state: 'failed', ...(channel === 'robot' ? robotFailure(err) : pushFailure(err)) });
    }
  }
  return out;
}

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
