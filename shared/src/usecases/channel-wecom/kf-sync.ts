import type { InboxEntry } from '../../domain/inbox';
import type { KfMessage } from '../../ports/wecom';
import { NS, optionsOf, type WecomContext } from './context';
import type { HandlerResult, KfMsgOrEventCallback } from './events';
import { enqueue, type SeenMarker } from './kf-queue';
import { drainCustomer } from './kf-process';
import { updateKv } from '../lib/kv-cas';
import { syncOnce } from './sync-flight';

interface CursorValue {
  cursor: string;
}

export interface SyncResult {
  pages: number;
  /** Items returned by WeCom. */
  received: number;
  /** Items seen for the first time (queued for their customer). */
  fresh: number;
  /** Customers with newly queued work, in first-seen order. */
  customers: string[];
  /** Times a concurrent sync had moved the cursor first (we continued from theirs). */
  casRetries: number;
}

const customerOf = (m: KfMessage) => m.external_userid || m.event?.external_userid || '';

/**
 * kf/sync_msg for one kf account from the cursor stored per (merchant, open_kfid): loops while
 * has_more (an empty msg_list with has_more=1 is not the end), queues each item for its customer
 * after deduplicating by msgid, and persists the new cursor with compare-and-set after each page.
 * When a concurrent sync moved the cursor first, it re-reads and continues from that newer one, so
 * the cursor never moves backwards.
 */
export async function syncKf(
  ctx: WecomContext,
  merchantId: string,
  req: { openKfId: string; token?: string },
  onPage?: (customers: string[]) => Promise<void>,
): Promise<SyncResult> {
  const { deps, wecom } = ctx;
  const kv = deps.storage.kv;
  const opts = optionsOf(ctx);
  const result: SyncResult = { pages: 0, received: 0, fresh: 0, customers: [], casRetries: 0 };
  const touched = new Set<string>();
  let stored = await kv.get<CursorValue>(merchantId, NS.cursor, req.openKfId);
  let cursor = stored?.value.cursor || undefined;
  let version = stored ? stored.version : null;
  while (result.pages < opts.maxSyncPages) {
    const page = await wecom.kfSyncMsg(merchantId, {
      ...(cursor ? { cursor } : {}),
      ...(req.token ? { token: req.token } : {}),
      limit: 1000,
      open_kfid: req.openKfId,
    });
    result.pages++;
    result.received += page.msg_list.length;
    const pageCustomers = await queueItems(ctx, merchantId, page.msg_list, result);
    for (const c of pageCustomers) touched.add(c);
    if (onPage && pageCustomers.length) await onPage(pageCustomers);
    const next = page.next_cursor || cursor || '';
    if (await kv.set(merchantId, NS.cursor, req.openKfId, { cursor: next }, version, deps.clock.now())) {
      version = version === null ? 1 : version + 1;
      cursor = next || undefined;
      if (!page.has_more) break;
    } else {
      // someone else stored a cursor since we read ours: theirs is newer; go on from it
      result.casRetries++;
      stored = await kv.get<CursorValue>(merchantId, NS.cursor, req.openKfId);
      cursor = stored?.value.cursor || undefined;
      version = stored ? stored.version : null;
    }
  }
  result.customers = [...touched];
  return result;
}

/** Dedupes by msgid (a kv marker, set only if absent) and appends to the customers' queues in order. */
async function queueItems(ctx: WecomContext, merchantId: string, list: KfMessage[], result: SyncResult): Promise<string[]> {
  const { deps } = ctx;
  const byCustomer = new Map<string, KfMessage[]>();
  for (const m of list) {
    if (!m?.msgid) continue;
    const ext = customerOf(m);
    const now = deps.clock.now();
    if (!ext) {
      // servicer_status_change and other account-level events: nothing per customer to do
      await deps.storage.kv.set(merchantId, NS.seen, m.msgid, { state: 'done' } satisfies SeenMarker, null, now);
      continue;
    }
    const claimed = await deps.storage.kv.set(merchantId, NS.seen, m.msgid, { state: 'queued' } satisfies SeenMarker, null, now);
    if (!claimed) {
      // seen before: only a claim whose queueing may not have happened (a crash) is queued again
      const marker = await deps.storage.kv.get<SeenMarker>(merchantId, NS.seen, m.msgid);
      if (marker?.value.state !== 'queued') continue;
    } else {
      result.fresh++;
    }
    byCustomer.set(ext, [...(byCustomer.get(ext) ?? []), m]);
  }
  const now = deps.clock.now();
  for (const [ext, msgs] of byCustomer) {
    msgs.sort((a, b) => a.send_time - b.send_time);
    await enqueue(
      deps,
      merchantId,
      ext,
      msgs.map((msg) => ({ msg, seenAt: now })),
    );
  }
  return [...byCustomer.keys()];
}

/** Per kf entry (kv NS.entry): the customers its sync pass queued work for, until each is done. */
interface EntryWork {
  customers: string[];
  /** The pass that covers this callback has run: a re-run only works through `customers`. */
  synced?: boolean;
}

/**
 * The kf_msg_or_event route: sync, then work through each touched customer. The customers are
 * remembered per inbox entry (kv) before the cursor moves, so a re-run of a deferred or crashed
 * entry finishes them even though sync_msg returns nothing new.
 *
 * Syncs are coalesced per kf account (`sync-flight.ts`): callbacks arriving while a sync runs
 * share one more pass after it. The pass's owner entry remembers and works through its customers;
 * the others are done once the pass that covers them has run (if the process dies first, they
 * stay pending and the owner's remembered customers are finished by its re-run).
 *
 * A re-run (customers still typing, a lease still held) neither syncs again nor revisits the
 * customers already done: during a burst, entries re-run every second or so, and each re-sync
 * and each pass over a finished customer took the time that answering needed.
 */
export async function onKfMsgOrEvent(ctx: WecomContext, merchantId: string, ev: KfMsgOrEventCallback, entry: InboxEntry): Promise<HandlerResult> {
  const { deps } = ctx;
  const kv = deps.storage.kv;
  if (!ev.openKfId) return { status: 'ignored', reason: 'kf_msg_or_event without OpenKfId' };
  const fresh = deps.clock.now() - entry.receivedAt < optionsOf(ctx).kfTokenTtlMs;
  const work = (change: (cur: EntryWork | null) => EntryWork | undefined) => updateKv<EntryWork>(kv, merchantId, NS.entry, entry.dedupeKey, deps.clock.now(), change);
  const remember = async (customers: string[]) => {
    await work((cur) => {
      const all = new Set(cur?.customers ?? []);
      const before = all.size;
      for (const c of customers) all.add(c);
      return all.size === before && cur ? undefined : { ...cur, customers: [...all] };
    });
  };
  const openKfId = ev.openKfId;
  let known = (await kv.get<EntryWork>(merchantId, NS.entry, entry.dedupeKey))?.value;
  let detail: Record<string, unknown> = { resumed: true };
  let passCustomers: string[] = [];
  if (!known?.synced) {
    const { result: sync, owner } = await syncOnce(deps.storage, `${merchantId}\n${openKfId}`, {
      token: fresh ? ev.token : undefined,
      onPage: remember,
      run: (token, onPage) => syncKf(ctx, merchantId, { openKfId, token }, onPage),
    });
    if (owner) passCustomers = sync.customers;
    detail = { pages: sync.pages, received: sync.received, fresh: sync.fresh, casRetries: sync.casRetries, coalesced: !owner };
    known = (await work((cur) => (cur && !cur.synced ? { ...cur, synced: true } : undefined))) ?? undefined;
  }
  const customers = [...new Set([...passCustomers, ...(known?.customers ?? [])])];
  let retryInMs = Infinity;
  const reasons: string[] = [];
  const done: string[] = [];
  for (const ext of customers) {
    const r = await drainCustomer(ctx, merchantId, ext);
    if (r.status === 'deferred') {
      retryInMs = Math.min(retryInMs, r.retryInMs);
      reasons.push(`${ext}: ${r.reason}`);
    } else done.push(ext);
  }
  if (reasons.length) {
    const finished = new Set(done);
    if (finished.size) await work((cur) => (cur ? { ...cur, customers: cur.customers.filter((c) => !finished.has(c)) } : undefined));
    return { status: 'deferred', retryInMs, reason: reasons.join('; ') };
  }
  if (known) await kv.delete(merchantId, NS.entry, entry.dedupeKey);
  return { status: 'handled', detail: { ...detail, customers: customers.length } };
}
