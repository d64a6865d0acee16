import { AppError, invalid } from '../../domain/errors';
import type { Merchant } from '../../domain/merchant';
import type { Deps } from '../../ports/deps';
import { isTransient, type WecomApi } from '../../ports/wecom';
import { utf8Length } from '../channel-wecom/msgid';
import type { JobDefinition } from '../scheduling/scheduler';

/**
 * The group robot channel (issue 12 §4, protocol §10): a webhook URL the owner pastes, whose key
 * is the whole credential, so it is stored sealed and only a hint goes back to the app. WeCom
 * takes at most 20 messages a minute per robot; more are refused, so a send takes a slot of a
 * minute from a per-robot rate record (kv, compare-and-set: every process shares it) and what
 * does not fit this minute waits in the job ledger for the first minute with room. Nothing is dropped.
 */
export const ROBOT_PER_MINUTE = 20;
export const ROBOT_TEXT_BYTES = 2048;
export const ROBOT_MARKDOWN_BYTES = 4096;
export const ROBOT_IMAGE_BYTES = 2 * 1024 * 1024;
export const ROBOT_SEND_KIND = 'robot:send';
const RATE_NS = 'robot-rate';
const MINUTE_MS = 60_000;

const ROBOT_URL = /^https:\/\/qyapi\.weixin\.qq\.com\/cgi-bin\/webhook\/send\?key=([A-Za-z0-9-]{8,64})$/;

export type RobotMessage = { msgtype: 'text' | 'markdown'; content: string } | { msgtype: 'image'; base64: string; md5: string };

/** The key of a pasted webhook URL; anything else is refused with what a good one looks like. */
export function robotKeyOf(url: string): string {
  const key = ROBOT_URL.exec(url.trim())?.[1];
  if (!key) throw invalid('群机器人地址不对：在企业微信群里 → 群机器人 → 复制 Webhook 地址，应该是 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… 这样的');
  return key;
}

/** Cuts a text to `max` UTF-8 bytes at a character boundary, saying where the rest is. */
export function fitBytes(content: string, max: number, tail = '\n…（完整报表在店小二里看）'): string {
  if (utf8Length(content) <= max) return content;
  const budget = max - utf8Length(tail);
  let out = '';
  let used = 0;
  for (const ch of content) {
    const n = utf8Length(ch);
    if (used + n > budget) break;
    out += ch;
    used += n;
  }
  return out + tail;
}

/** Bytes a base64 string decodes to (padding counted out). */
function base64Bytes(b64: string): number {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - pad;
}

/** WeCom's limits, checked before a slot is spent: texts are cut to fit, an image too big is refused. */
export function checkRobotMessage(msg: RobotMessage): RobotMessage {
  if (msg.msgtype === 'image') {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(msg.base64) || !/^[0-9a-f]{32}$/i.test(msg.md5)) throw invalid('图片数据不对，发不到群里');
    if (base64Bytes(msg.base64) > ROBOT_IMAGE_BYTES) throw invalid('图片超过 2 MB，群机器人发不了');
    return msg;
  }
  return { msgtype: msg.msgtype, content: fitBytes(msg.content, msg.msgtype === 'text' ? ROBOT_TEXT_BYTES : ROBOT_MARKDOWN_BYTES) };
}

function request(msg: RobotMessage): Parameters<WecomApi['webhookSend']>[1] {
  if (msg.msgtype === 'image') return { msgtype: 'image', image: { base64: msg.base64, md5: msg.md5 } };
  if (msg.msgtype === 'markdown') return { msgtype: 'markdown', markdown: { content: msg.content } };
  return { msgtype: 'text', text: { content: msg.content } };
}

/** Per robot: how many slots each minute (its start, epoch ms) has handed out; past minutes fall away. */
interface RateRecord {
  minutes: Record<string, number>;
}

/**
 * Takes one send slot: the first minute from now's with fewer than 20 taken. Compare-and-set,
 * retried on a lost race, so two processes never hand out the same 20th slot.
 */
export async function takeRobotSlot(deps: Deps, merchantId: string, robotId: string, now: number): Promise<number> {
  const current = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  // each lost race means another sender got its slot, so this ends; the bound only guards a broken store
  for (let attempt = 0; attempt < 200; attempt++) {
    const entry = await deps.storage.kv.get<RateRecord>(merchantId, RATE_NS, robotId);
    const minutes = Object.fromEntries(Object.entries(entry?.value.minutes ?? {}).filter(([m]) => Number(m) >= current));
    let slot = current;
    while ((minutes[String(slot)] ?? 0) >= ROBOT_PER_MINUTE) slot += MINUTE_MS;
    minutes[String(slot)] = (minutes[String(slot)] ?? 0) + 1;
    if (await deps.storage.kv.set(merchantId, RATE_NS, robotId, { minutes } satisfies RateRecord, entry?.version ?? null, now)) return slot;
  }
  throw new AppError('CONFLICT.ROBOT_BUSY', '群机器人这会儿太忙，稍后再试', 409);
}

export interface RobotOutcome {
  state: 'sent' | 'queued' | 'skipped';
  /** queued: when it goes (the start of its minute). */
  at?: number;
}

/** The robot's key and its id for the rate record (a hash: the key itself is never stored in clear). */
function robotOf(deps: Deps, merchant: Merchant): { key: string; id: string } | null {
  if (!merchant.pushRobot) return null;
  const key = robotKeyOf(deps.secrets.open(merchant.pushRobot.url));
  return { key, id: deps.secrets.hmacSha256Hex('push-robot', [key]).slice(0, 24) };
}

/**
 * Sends to the shop's group robot, now when this minute has room, or through the job ledger at
 * the first minute that has. With `dedupeKey` (a scheduled report) it always goes through the
 * ledger, whose key makes a rerun send nothing new. Throws when an immediate send fails.
 */
export async function sendToRobot(deps: Deps, wecom: WecomApi, merchant: Merchant, message: RobotMessage, dedupeKey?: string): Promise<RobotOutcome> {
  const robot = robotOf(deps, merchant);
  if (!robot) return { state: 'skipped' };
  const msg = checkRobotMessage(message);
  const now = deps.clock.now();
  const jobKey = `${ROBOT_SEND_KIND}:${merchant.id}:${dedupeKey ?? deps.ids.id('rb')}`;
  if (dedupeKey) {
    const known = await deps.storage.jobs.get(jobKey);
    if (known) return { state: known.status === 'done' ? 'sent' : 'queued', at: known.runAt };
  }
  const slot = await takeRobotSlot(deps, merchant.id, robot.id, now);
  const queue = async (runAt: number): Promise<RobotOutcome> => {
    await deps.storage.jobs.enqueue({ key: jobKey, merchantId: merchant.id, kind: ROBOT_SEND_KIND, runAt, payload: { message: msg }, maxAttempts: 30 }, now);
    return { state: 'queued', at: runAt };
  };
  if (dedupeKey || slot > now) return queue(slot);
  try {
    await wecom.webhookSend(robot.key, request(msg));
    return { state: 'sent' };
  } catch (err) {
    // busy or rate-limited (another sender on the same robot): the ledger tries again, never drops it
    if (isTransient(err)) return queue(now + MINUTE_MS);
    throw err;
  }
}

/**
 * `robot:send:<merchant>:<id>`: one queued robot message, sent with the URL the shop has now. Its
 * slot was taken when it was queued; a refusal (45009 and the like) throws, and the ledger retries.
 */
export function createRobotSendJob(wecom: WecomApi): JobDefinition {
  return {
    kind: ROBOT_SEND_KIND,
    when: 'booked by each report or alert pushed to a group robot',
    plan: () => [],
    async run(job, deps) {
      const merchant = await deps.storage.merchants.get(job.merchantId);
      const robot = merchant && robotOf(deps, merchant);
      if (!robot) return { sent: false, reason: 'no_robot' };
      await wecom.webhookSend(robot.key, request(job.payload.message as RobotMessage));
      return { sent: true };
    },
  };
}
