import type { Clock } from '../../domain/time';
import type { ConversationRepo, MessageRepo, Storage } from '../../ports/storage';

/**
 * The app's live updates (inbox.changes): one kv entry per merchant says when anything in its
 * conversations last changed, how many wait for a person, and which conversations (or message
 * delivery states) changed lately. Kept by a storage wrapper around every conversation and
 * message write, so no use case can forget it; polled every few seconds by the open app and
 * answered with that one read — never a scan.
 */
export const FEED_NS = 'inbox-changes';
const FEED_KEY = 'feed';
/** Changes remembered: an app further behind than this reloads its lists instead. */
const KEEP = 60;

export interface ChangeFeed {
  changedAt: number;
  waiting: number;
  /** Newest last: a conversation id, or `m:<messageId>` for a delivery status that moved. */
  recent: { id: string; at: number }[];
}

async function bump(storage: Storage, clock: Clock, merchantId: string, id: string, recount: boolean): Promise<void> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const cur = await storage.kv.get<ChangeFeed>(merchantId, FEED_NS, FEED_KEY);
    const prev = cur?.value;
    // strictly increasing, so `since` never misses a change made in the same millisecond
    const changedAt = Math.max(clock.now(), (prev?.changedAt ?? 0) + 1);
    const waiting = recount || !prev ? await storage.conversations.countByState(merchantId, 'waiting_human') : prev.waiting;
    const recent = [...(prev?.recent ?? []).filter((r) => r.id !== id), { id, at: changedAt }].slice(-KEEP);
    if (await storage.kv.set(merchantId, FEED_NS, FEED_KEY, { changedAt, waiting, recent }, cur?.version ?? null, clock.now())) return;
  }
}

/** The storage every write of which keeps the feed; a feed write that fails never fails the write itself. */
export function withChangeFeed(storage: Storage, clock: Clock, onError: (err: unknown) => void = () => undefined): Storage {
  const note = (merchantId: string, id: string, recount: boolean) => bump(storage, clock, merchantId, id, recount).catch(onError);
  const conversations: ConversationRepo = Object.assign(Object.create(storage.conversations) as ConversationRepo, {
    async upsert(c: Parameters<ConversationRepo['upsert']>[0]) {
      await storage.conversations.upsert(c);
      await note(c.merchantId, c.id, true);
    },
  });
  const messages: MessageRepo = Object.assign(Object.create(storage.messages) as MessageRepo, {
    async add(m: Parameters<MessageRepo['add']>[0]) {
      const added = await storage.messages.add(m);
      if (added) await note(m.merchantId, m.conversationId, false);
      return added;
    },
    async setDelivery(merchantId: string, messageId: string, delivery: Parameters<MessageRepo['setDelivery']>[2]) {
      const moved = await storage.messages.setDelivery(merchantId, messageId, delivery);
      if (moved) await note(merchantId, `m:${messageId}`, false);
      return moved;
    },
  });
  return Object.assign(Object.create(storage) as Storage, { conversations, messages });
}

export interface Changes {
  changedAt: number;
  waiting: number;
  /** Conversations changed after `since` (and `m:<messageId>` for delivery states). */
  conversationIds: string[];
  /** `since` is older than the feed remembers: reload everything. */
  full: boolean;
}

/** What changed after `since` (0: the first poll). */
export async function changesSince(storage: Storage, merchantId: string, since: number): Promise<Changes> {
  const feed = (await storage.kv.get<ChangeFeed>(merchantId, FEED_NS, FEED_KEY))?.value;
  // nothing written since the feed began (an old shop): the count once, until its first change
  if (!feed) return { changedAt: 0, waiting: await storage.conversations.countByState(merchantId, 'waiting_human'), conversationIds: [], full: false };
  const ids = feed.recent.filter((r) => r.at > since).map((r) => r.id);
  const oldest = feed.recent[0]?.at ?? feed.changedAt;
  return { changedAt: feed.changedAt, waiting: feed.waiting, conversationIds: [...new Set(ids)], full: since > 0 && since < oldest - 1 && feed.recent.length >= KEEP };
}
