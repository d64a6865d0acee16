import type { Deps } from '../../ports/deps';
import { updateKv } from '../lib/kv-cas';
import { NS } from './context';

/**
 * The 没发出去 index (kv NS.undelivered, per merchant, key conversationId): the outgoing messages
 * whose send failed or may not have reached the customer (outbox status failed or unknown). The
 * outbox keeps it in step (writeOutbox), so the 消息 list can mark and filter such conversations
 * without reading every thread; a message leaves it once it is sent.
 */
interface Entry {
  messageIds: string[];
}

/** A thread with more failures than this is marked all the same; the ids are only counted. */
const MAX_IDS = 50;

export async function addUndelivered(deps: Pick<Deps, 'storage' | 'clock'>, merchantId: string, conversationId: string, messageId: string): Promise<void> {
  await updateKv<Entry>(deps.storage.kv, merchantId, NS.undelivered, conversationId, deps.clock.now(), (cur) => {
    const ids = cur?.messageIds ?? [];
    return ids.includes(messageId) ? undefined : { messageIds: [...ids, messageId].slice(-MAX_IDS) };
  });
}

export async function removeUndelivered(deps: Pick<Deps, 'storage' | 'clock'>, merchantId: string, conversationId: string, messageId: string): Promise<void> {
  // an empty list stays rather than a delete, which could drop an id added meanwhile; kv.prune clears it
  await updateKv<Entry>(deps.storage.kv, merchantId, NS.undelivered, conversationId, deps.clock.now(), (cur) =>
    cur?.messageIds.includes(messageId) ? { messageIds: cur.messageIds.filter((id) => id !== messageId) } : undefined,
  );
}

/** How many conversations the 没发出去 filter can hold: far more than a shop has failures in 7 days. */
export const UNDELIVERED_SCAN = 200;

/** Conversations with messages that did not go out, and how many each. */
export async function undeliveredConversations(deps: Pick<Deps, 'storage'>, merchantId: string): Promise<Map<string, number>> {
  const entries = await deps.storage.kv.list<Entry>(merchantId, NS.undelivered, UNDELIVERED_SCAN);
  return new Map(entries.filter((e) => e.value.messageIds.length > 0).map((e) => [e.key, e.value.messageIds.length]));
}
