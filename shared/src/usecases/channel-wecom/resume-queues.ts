import type { KeyedLimiter } from '../lib/keyed-limiter';
import type { Log } from '../../ports/logger';
import { NS, type WecomContext } from './context';
import { drainCustomer } from './kf-process';
import type { CustomerQueue } from './kf-queue';

/** Customers' queues read per shop when a process starts (oldest key first). */
const MAX_QUEUES = 10_000;
const FOLLOW_FOR_MS = 10 * 60_000;
const MIN_WAIT_MS = 500;

/**
 * The backstop under the inbox's bookkeeping: when a process starts, every customer whose queue
 * still holds work is worked through, whichever callback (if any) still remembers them. A
 * message is stored in its customer's queue before anything else happens to it, so this finds
 * whatever a dead process was in the middle of, even where the callback that brought it is done
 * or its list of customers was lost.
 */
export async function resumeQueues(ctx: WecomContext & { log: Log; perMerchant?: KeyedLimiter }, merchantId: string): Promise<number> {
  const queues = await ctx.deps.storage.kv.list<CustomerQueue>(merchantId, NS.queue, MAX_QUEUES);
  const waiting = queues.filter((q) => q.value.items.length > 0).map((q) => q.key);
  for (const ext of waiting) void follow(ctx, merchantId, ext);
  if (waiting.length) ctx.log.info({ merchantId, customers: waiting.length }, 'working through customers a previous run left queued');
  return waiting.length;
}

async function follow(ctx: WecomContext & { log: Log; perMerchant?: KeyedLimiter }, merchantId: string, ext: string): Promise<void> {
  const { timers } = ctx.deps;
  const until = timers.wallNow() + FOLLOW_FOR_MS;
  try {
    for (;;) {
      const run = () => drainCustomer(ctx, merchantId, ext);
      const r = await (ctx.perMerchant ? ctx.perMerchant.run(merchantId, run, true) : run());
      if (r.status === 'done') return;
      const wait = Math.max(r.retryInMs, MIN_WAIT_MS);
      if (timers.wallNow() + wait > until) return;
      await timers.sleep(wait);
    }
  } catch (err) {
    ctx.log.error({ err, merchantId }, "working through a customer's queue failed; their next message or the sweep will retry");
  }
}
