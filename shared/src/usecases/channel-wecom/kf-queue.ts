import type { KfMessage } from '../../ports/wecom';
import type { Deps } from '../../ports/deps';
import { NS } from './context';
import { updateKv } from '../lib/kv-cas';

/**
 * The per-customer work queue (kv, compare-and-set): sync_msg items wait here, in order, until
 * the worker holding the customer's lease has stored and answered them. An item stays until it
 * is fully done, so a crash or a retryable send failure leaves it for the next run.
 */
export interface QueueItem {
  msg: KfMessage;
  /** When our sync saw it (injected clock); the fragment window uses this or the send time, the earlier. */
  seenAt: number;
  /** Stored as a Message, counted, the conversation updated (the answer may still be due). */
  stored?: boolean;
  /** Answer attempts that ended in a retryable failure. */
  attempts?: number;
}

export interface CustomerQueue {
  items: QueueItem[];
}

export async function readQueue(deps: Deps, merchantId: string, externalUserId: string): Promise<QueueItem[]> {
  return (await deps.storage.kv.get<CustomerQueue>(merchantId, NS.queue, externalUserId))?.value.items ?? [];
}

/** Appends items whose msgid is not queued yet; returns how many were added. */
export async function enqueue(deps: Deps, merchantId: string, externalUserId: string, items: QueueItem[]): Promise<number> {
  let added = 0;
  await updateKv<CustomerQueue>(deps.storage.kv, merchantId, NS.queue, externalUserId, deps.clock.now(), (cur) => {
    const have = new Set((cur?.items ?? []).map((i) => i.msg.msgid));
    const fresh = items.filter((i) => !have.has(i.msg.msgid));
    added = fresh.length;
    if (!fresh.length) return undefined;
    return { items: [...(cur?.items ?? []), ...fresh] };
  });
  return added;
}

/** Applies `change` to the queued items with these msgids (returns null to remove one). */
export async function updateQueued(deps: Deps, merchantId: string, externalUserId: string, msgids: string[], change: (item: QueueItem) => QueueItem | null): Promise<void> {
  if (!msgids.length) return;
  const ids = new Set(msgids);
  await updateKv<CustomerQueue>(deps.storage.kv, merchantId, NS.queue, externalUserId, deps.clock.now(), (cur) => {
    if (!cur) return undefined;
    const items: QueueItem[] = [];
    for (const item of cur.items) {
      if (!ids.has(item.msg.msgid)) items.push(item);
      else {
        const next = change(item);
        if (next) items.push(next);
      }
    }
    return { items };
  });
}

/** The dedupe marker per msgid: `queued` once a sync claimed it, `done` once fully handled. */
export interface SeenMarker {
  state: 'queued' | 'done';
}

export async function markDone(deps: Deps, merchantId: string, msgids: string[]): Promise<void> {
  for (const id of msgids) {
    await updateKv<SeenMarker>(deps.storage.kv, merchantId, NS.seen, id, deps.clock.now(), (cur) => (cur?.state === 'done' ? undefined : { state: 'done' }));
  }
}
