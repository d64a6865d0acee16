import type { Conversation } from '../../domain/conversation';
import { newJob, type Job } from '../../domain/job';
import type { Merchant } from '../../domain/merchant';
import type { WecomApi } from '../../ports/wecom';
import type { Deps } from '../../ports/deps';
import type { JobDefinition } from '../scheduling/scheduler';
import { reasonText } from '../knowledge/teach';
import { utf8Length } from '../channel-wecom/msgid';

/**
 * Tells the owner and the on-duty staff that a customer waits for a person (WeCom app message,
 * `message/send`); the app's badge is the other half (badges.get). Durable: the notice is a job
 * in the ledger, tried at once when the shop is open and left for the scheduler otherwise — a
 * handoff outside business hours is announced when the shop opens, not at 3 a.m.
 */
export const NOTIFY_KIND = 'handoff.notify';
/** The scheduler leaves a freshly queued notice alone this long, while the inline attempt runs. */
const INLINE_GRACE_MS = 60_000;
const TEXT_MAX_BYTES = 2000; // message/send text: ≤ 2048 bytes

export interface HandoffNotice {
  conversationId: string;
  customerName: string;
  question: string;
  reason: string;
}

export interface NotifyEnv {
  deps: Deps;
  wecom: WecomApi;
  /** Where the owner app lives (H5 link in the notice); absent → the notice says where to tap. */
  appUrl?: () => string | undefined;
}

/**
 * The link names the shop too: an owner of several shops opens the thread under the shop it
 * belongs to, not the one they last used. `merchantId` comes from the job, not the payload, so
 * notices queued before it was added carry it as well.
 */
export function noticeText(n: HandoffNotice, appUrl: string | undefined, merchantId: string): string {
  const question = n.question.length > 60 ? `${n.question.slice(0, 60)}…` : n.question;
  const link = appUrl
    ? `${appUrl.replace(/\/$/, '')}/#/sub/thread/index?id=${encodeURIComponent(n.conversationId)}&merchant=${encodeURIComponent(merchantId)}`
    : '打开店小二 → 会话 → 待人工';
  let text = `【店小二】有客户在等人回复\n客户：${n.customerName}\n问题：${question || '（图片或语音）'}\n原因：${n.reason === 'follow_up' ? '店员接手以后，客户又发来了消息' : reasonText(n.reason)}\n去回复：${link}`;
  while (utf8Length(text) > TEXT_MAX_BYTES) text = text.slice(0, -10);
  return text;
}

/** The owner(s) and whoever is on duty, by WeCom userid; members without one only see the badge. */
export async function noticeRecipients(deps: Deps, merchantId: string): Promise<string[]> {
  const members = await deps.storage.members.list(merchantId);
  const ids = members.filter((m) => m.wecomUserId && (m.role === 'owner' || m.onDuty)).map((m) => m.wecomUserId!);
  return [...new Set(ids)];
}

export async function sendNotice(env: NotifyEnv, merchantId: string, notice: HandoffNotice): Promise<{ sent: number; skipped?: string; invalid?: string }> {
  const merchant = await env.deps.storage.merchants.get(merchantId);
  if (!merchant) return { sent: 0, skipped: 'no_merchant' };
  if (!merchant.wecom.agentId || !merchant.wecom.secrets.app) return { sent: 0, skipped: 'no_app' };
  const to = await noticeRecipients(env.deps, merchantId);
  if (!to.length) return { sent: 0, skipped: 'no_recipients' };
  const res = await env.wecom.messageSend(merchantId, { touser: to.join('|'), msgtype: 'text', text: { content: noticeText(notice, env.appUrl?.(), merchantId) } });
  return { sent: to.length, ...(res.invaliduser ? { invalid: res.invaliduser } : {}) };
}

/**
 * Queues the notice for a handoff (key per conversation and question: a retried handoff
 * notifies once) and, when it is due now, sends it right away.
 */
export async function queueHandoffNotice(
  env: NotifyEnv,
  merchant: Merchant,
  conv: Conversation,
  notice: Omit<HandoffNotice, 'conversationId'>,
  sourceId: string,
  dueAt: number,
): Promise<void> {
  const { deps } = env;
  const now = deps.clock.now();
  const key = `${NOTIFY_KIND}:${merchant.id}:${conv.id}:${sourceId}`;
  const payload = { ...notice, conversationId: conv.id };
  const inline = dueAt <= now;
  const fresh = await deps.storage.jobs.enqueue(
    newJob({ key, merchantId: merchant.id, kind: NOTIFY_KIND, runAt: inline ? now + INLINE_GRACE_MS : dueAt, payload, maxAttempts: 5 }, now),
    now,
  );
  if (!fresh || !inline) return;
  try {
    const result = await sendNotice(env, merchant.id, payload);
    await deps.storage.jobs.complete(key, result, deps.clock.now());
  } catch {
    // the ledger retries it (WeCom busy, token trouble); the badge shows it meanwhile
  }
}

/** The scheduler's side: notices due now (after hours, or a failed inline attempt). */
export function createHandoffNotifyJob(env: Omit<NotifyEnv, 'deps'>): JobDefinition {
  return {
    kind: NOTIFY_KIND,
    when: 'booked by each handoff (at once in business hours, else at opening)',
    plan: () => [],
    async run(job: Job, deps: Deps) {
      const p = job.payload as unknown as HandoffNotice;
      const conv = await deps.storage.conversations.get(job.merchantId, p.conversationId);
      // somebody already picked it up (or it was handed back): nothing to announce
      if (!conv || conv.state !== 'waiting_human') return { sent: 0, skipped: 'not_waiting' };
      return sendNotice({ ...env, deps }, job.merchantId, p);
    },
  };
}
