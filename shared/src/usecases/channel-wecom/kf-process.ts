import { ingestCustomerMessage } from '../conversations/ingest';
import { answerAndReply } from '../conversations/reply';
import { requireMerchant } from '../shop/require-merchant';
import { optionsOf, type WecomContext } from './context';
import { applyKfEvent, applyServicerMessage } from './kf-events';
import { messageIdFor, sentAt } from './kf-message';
import { settleOrphans } from './inflight';
import { markDone, readQueue, updateQueued, type QueueItem } from './kf-queue';
import { leaseRemainingMs, tryAcquireLease } from './lease';

/** A batch whose answer failed retryably this often is dropped (the messages stay stored). */
export const MAX_ANSWER_ATTEMPTS = 5;
const RETRY_MS = 5_000;

export type DrainResult = { status: 'done'; processed: number } | { status: 'deferred'; reason: 'fragments' | 'busy' | 'retry'; retryInMs: number; processed: number };

/**
 * Works through a customer's queue under their lease, in order: stores every new item (customer
 * messages, servicer replies, session events), then answers the customer's pending messages as
 * one question once the newest is older than the fragment window. Returns `deferred` with when
 * to come back (fragments still arriving, another worker busy, a retryable send failure); the
 * caller re-runs then (the inbox entry stays pending, the sweep is the backstop).
 */
export async function drainCustomer(ctx: WecomContext, merchantId: string, externalUserId: string): Promise<DrainResult> {
  const { deps } = ctx;
  const opts = optionsOf(ctx);
  let processed = 0;
  for (let round = 0; round < 5; round++) {
    const lease = await tryAcquireLease(deps, merchantId, externalUserId, opts.leaseMs);
    if (!lease) {
      const left = await leaseRemainingMs(deps, merchantId, externalUserId);
      return { status: 'deferred', reason: 'busy', retryInMs: Math.min(Math.max(left, 500), opts.leaseMs), processed };
    }
    let result: DrainResult;
    try {
      result = await drainUnderLease(ctx, merchantId, externalUserId);
    } finally {
      await lease.release();
    }
    processed += result.processed;
    if (result.status === 'deferred') return { ...result, processed };
    // items appended while we held the lease by a worker that found it busy: take them too
    if (!(await readQueue(deps, merchantId, externalUserId)).length) return { status: 'done', processed };
  }
  return { status: 'deferred', reason: 'busy', retryInMs: 1_000, processed };
}

async function drainUnderLease(ctx: WecomContext, merchantId: string, externalUserId: string): Promise<DrainResult> {
  const { deps } = ctx;
  const opts = optionsOf(ctx);
  const merchant = await requireMerchant(ctx.deps, merchantId);
  let processed = 0;
  const items = await readQueue(deps, merchantId, externalUserId);

  // 1. store / apply everything new, in order
  const storedIds: string[] = [];
  const finished: string[] = [];
  for (const item of items) {
    if (item.stored) continue;
    const m = item.msg;
    if (m.origin === 3) {
      await ingestCustomerMessage(ctx, merchant, item);
      storedIds.push(m.msgid);
    } else {
      if (m.origin === 5) await applyServicerMessage(ctx, merchant, m);
      else await applyKfEvent(ctx, merchant, m);
      finished.push(m.msgid);
    }
  }
  processed += finished.length;
  await updateQueued(deps, merchantId, externalUserId, [...storedIds, ...finished], (i) => (i.msg.origin === 3 ? { ...i, stored: true } : null));
  await markDone(deps, merchantId, finished);

  // 2. a send a dead process left half-way is settled first (flagged, never repeated), and the
  // messages it answered are done: however the queue groups them now, they get no second answer
  const orphaned = new Set(await settleOrphans(deps, merchantId, externalUserId));
  const done = items.filter((i) => i.msg.origin === 3 && orphaned.has(messageIdFor(i.msg.msgid))).map((i) => i.msg.msgid);
  if (done.length) {
    await updateQueued(deps, merchantId, externalUserId, done, () => null);
    await markDone(deps, merchantId, done);
    processed += done.length;
  }

  // 3. answer the customer's pending messages together, once they stopped typing
  const pending = items.filter((i) => i.msg.origin === 3 && !done.includes(i.msg.msgid));
  if (!pending.length) return { status: 'done', processed };
  // each question gets its own answer: only messages typed within the fragment window of each
  // other are one question (a backlog left by a crash or a long outage is answered in order).
  // Only the last question can still grow: the earlier ones are answered now, whatever the
  // customer is typing — a customer who kept writing every few seconds otherwise waited, unanswered,
  // for a pause that a busy host could keep missing
  const batches = questions(pending, opts.fragmentWindowMs);
  // when the customer last typed: WeCom's send time, or when we saw it if that is earlier (skew).
  // send_time is whole seconds: read as the end of its second, or the window would shrink to 1–2 s
  // and a fragment typed 1.5 s after the first could find the first one answered alone
  const newest = Math.max(...batches[batches.length - 1]!.map((i) => Math.min(i.seenAt, sentAt(i.msg) ? sentAt(i.msg) + 999 : i.seenAt)));
  const quiet = deps.clock.now() - newest;
  const typing = quiet < opts.fragmentWindowMs;
  for (const batch of typing ? batches.slice(0, -1) : batches) {
    const outcome = await answerAndReply(ctx, merchant, externalUserId, batch);
    const ids = batch.map((i) => i.msg.msgid);
    if (outcome === 'retry') {
      const attempts = Math.max(...batch.map((i) => i.attempts ?? 0)) + 1;
      if (attempts < MAX_ANSWER_ATTEMPTS) {
        await updateQueued(deps, merchantId, externalUserId, ids, (i) => ({ ...i, attempts }));
        return { status: 'deferred', reason: 'retry', retryInMs: RETRY_MS, processed };
      }
    }
    await updateQueued(deps, merchantId, externalUserId, ids, () => null);
    await markDone(deps, merchantId, ids);
    processed += batch.length;
  }
  if (typing) return { status: 'deferred', reason: 'fragments', retryInMs: opts.fragmentWindowMs - quiet, processed };
  return { status: 'done', processed };
}

/** Splits a customer's pending messages (in order) where they paused longer than the fragment window. */
export function questions(pending: QueueItem[], windowMs: number): QueueItem[][] {
  const out: QueueItem[][] = [];
  let last = -Infinity;
  for (const item of pending) {
    const at = sentAt(item.msg) || item.seenAt;
    if (!out.length || at - last > windowMs) out.push([]);
    out[out.length - 1].push(item);
    last = at;
  }
  return out;
}
