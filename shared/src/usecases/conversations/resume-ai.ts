import type { Conversation, Message } from '../../domain/conversation';
import { resumeAiAfterSilence, SESSION_MS } from '../../domain/conversation-state';
import { PLATFORM } from '../../domain/job';
import type { Merchant } from '../../domain/merchant';
import type { Deps } from '../../ports/deps';
import type { KfMessage } from '../../ports/wecom';
import { optionsOf, type WecomContext } from '../channel-wecom/context';
import { drainCustomer } from '../channel-wecom/kf-process';
import { enqueue, type QueueItem } from '../channel-wecom/kf-queue';
import { tryAcquireLease } from '../channel-wecom/lease';
import { slotStart, type JobDefinition } from '../scheduling/scheduler';
import { getFollowUp, resumeAi } from './follow-up';
import { WAIT_WINDOW, waitOf } from './waiting';

/**
 * The timer half of 店员 N 分钟没回，让 AI 先答有把握的问题 (店铺设置 · 客户再发消息时): a customer
 * who wrote while a person held the conversation and then waited N minutes without anyone from
 * the shop replying is not left waiting for their own next message — the conversation goes back
 * to the AI (resumeAiAfterSilence, the same line in the thread as at the customer's next
 * message) and the messages the AI has not seen yet go through the normal answer path: what it
 * is sure of is answered, the rest is handed to a person again.
 *
 * Safe to run any number of times: a conversation resumes once per customer message (the
 * thread line's id, and the line ends what the AI has still to see), and questions the AI has already looked at (answered or handed over) are
 * never put to it again, so a handed-over question does not come back every N minutes.
 */
export const RESUME_AI_KIND = 'conversations.resume-ai';
const EVERY_MS = 60_000;
const MINUTE = 60_000;
/** Conversations looked at per shop and run (oldest waiting first; the ones left wait a minute). */
const BATCH = 200;

export type ResumeOutcome = 'resumed' | 'not_due' | 'nothing_new' | 'busy';

export interface ResumeReport {
  /** Conversations handed back to the AI in this run (their ids). */
  resumed: string[];
  /** Of those, whose questions are still being answered (a retryable send; the queue keeps them). */
  deferred: string[];
}

/** The customer messages at the end of the thread that no one — the AI, a person, a resume — has dealt with yet. */
export function unseenByAi(messages: Message[]): Message[] {
  const out: Message[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.sender === 'customer') out.unshift(m);
    else if (m.sender === 'system' && m.type === 'event' && m.event === 'ai_resumed') break;
    else if (m.sender === 'ai' || m.sender === 'staff' || m.sender === 'servicer') break;
  }
  return out;
}

/** A stored customer message as the kf item the answer path takes (the queue's shape). */
function asQueueItem(m: Message, conv: Conversation): QueueItem | null {
  if (!m.wecomMsgId || !conv.kfAccountId) return null;
  const msg: KfMessage = {
    msgid: m.wecomMsgId,
    open_kfid: conv.kfAccountId,
    external_userid: conv.externalUserId,
    send_time: Math.floor(m.at / 1000),
    origin: 3,
    msgtype: m.type,
    ...(m.type === 'text' ? { text: { content: m.text } } : {}),
  };
  // stored already: the drain only answers it
  return { msg, seenAt: m.at, stored: true };
}

/**
 * One conversation: due when the shop has been quiet N minutes (the transition's rule) and the
 * oldest message the AI has not seen has waited N minutes. Under the customer's lease, the
 * questions are queued before the conversation moves (a crash in between leaves them queued for
 * the next drain, which answers nothing while a person still holds it), then drained.
 */
export async function resumeConversation(ctx: WecomContext, conv: Conversation, minutes: number): Promise<{ outcome: ResumeOutcome; deferred?: boolean }> {
  const { deps } = ctx;
  const lease = await tryAcquireLease(deps, conv.merchantId, conv.externalUserId, optionsOf(ctx).leaseMs);
  // the customer's messages are being worked on right now: the next run looks again
  if (!lease) return { outcome: 'busy' };
  try {
    const now = deps.clock.now();
    const fresh = await deps.storage.conversations.get(conv.merchantId, conv.id);
    if (!fresh || fresh.state !== 'waiting_human' || fresh.channel !== 'kf') return { outcome: 'nothing_new' };
    // WeCom takes no reply 48 h after the customer's last message: nothing the AI could do
    if (fresh.lastCustomerMessageAt !== undefined && now - fresh.lastCustomerMessageAt >= SESSION_MS) return { outcome: 'nothing_new' };
    const messages = await deps.storage.messages.listByConversation(fresh.merchantId, fresh.id, WAIT_WINDOW);
    const unseen = unseenByAi(messages);
    const items = unseen.map((m) => asQueueItem(m, fresh)).filter((i): i is QueueItem => i !== null);
    if (!items.length) return { outcome: 'nothing_new' };
    if (now - unseen[0]!.at < minutes * MINUTE) return { outcome: 'not_due' };
    const { lastShopReplyAt } = waitOf(messages);
    // the shop replied or took over less than N minutes ago: the transition refuses, nothing moves
    if (!resumeAiAfterSilence(fresh, now, { minutes, lastShopReplyAt: lastShopReplyAt ?? undefined }).ok) return { outcome: 'not_due' };
    await enqueue(deps, fresh.merchantId, fresh.externalUserId, items);
    // the line is named after the newest of them: the same messages never resume twice
    await resumeAi(deps, fresh, minutes, lastShopReplyAt, items[items.length - 1]!.msg.msgid, now);
  } finally {
    await lease.release();
  }
  const drained = await drainCustomer(ctx, conv.merchantId, conv.externalUserId);
  return { outcome: 'resumed', deferred: drained.status === 'deferred' };
}

/** One shop: nothing unless its owner chose 让 AI 先答; then every conversation a person holds whose customer has waited long enough. */
export async function resumeQuietConversations(ctx: WecomContext, merchant: Merchant): Promise<ResumeReport> {
  const { deps } = ctx;
  const report: ResumeReport = { resumed: [], deferred: [] };
  const setting = await getFollowUp(deps, merchant.id);
  if (setting.mode !== 'ai_after') return report;
  const held = await deps.storage.conversations.listWaitingSince(merchant.id, deps.clock.now() - setting.minutes * MINUTE + 1, BATCH);
  for (const conv of held) {
    if (conv.channel !== 'kf') continue;
    const r = await resumeConversation(ctx, conv, setting.minutes);
    if (r.outcome === 'resumed') report.resumed.push(conv.id);
    if (r.deferred) report.deferred.push(conv.id);
  }
  return report;
}

/** Every minute, platform-wide, shop by shop (one shop's failure does not stop the others). */
export function createResumeAiJob(env: Omit<WecomContext, 'deps'>): JobDefinition {
  return {
    kind: RESUME_AI_KIND,
    when: 'every minute',
    plan(now) {
      const slot = slotStart(now, EVERY_MS);
      return [{ key: `${RESUME_AI_KIND}:${slot}`, merchantId: PLATFORM, kind: RESUME_AI_KIND, runAt: slot, maxAttempts: 1 }];
    },
    async run(_job, deps: Deps) {
      const ctx: WecomContext = { ...env, deps };
      let resumed = 0;
      let deferred = 0;
      const failed: string[] = [];
      for (const merchant of await deps.storage.merchants.listAll()) {
        try {
          const r = await resumeQuietConversations(ctx, merchant);
          resumed += r.resumed.length;
          deferred += r.deferred.length;
        } catch {
          failed.push(merchant.id);
        }
      }
      return { resumed, deferred, ...(failed.length ? { failed } : {}) };
    },
  };
}
