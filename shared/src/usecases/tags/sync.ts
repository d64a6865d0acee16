import type { Customer } from '../../domain/customer';
import type { Deps } from '../../ports/deps';
import { WecomApiError, type CorpTagGroup, type FollowUser, type WecomApi } from '../../ports/wecom';
import { createKeyedLimiter } from '../lib/keyed-limiter';
import { updateKv } from '../lib/kv-cas';
import { TAG_NS, WHOLE_NS } from './store';

/**
 * Our tags at WeCom (issue 15 §4): each tag is a corp tag in the group 店小二 (created with
 * add_corp_tag when missing), put on a customer with mark_tag through the member who follows
 * them. Customers with no member (only reached through 微信客服) keep our tags only.
 *
 * What WeCom has is mirrored per customer (kv `tags.wecom`): a customer whose tags equal the
 * mirror costs no call, so a tag applied twice calls WeCom once. Work that could not be done now
 * (no WeCom client at hand, or a failed call) waits in the ledger (kv `tags.sync`) and the
 * `tags.sync` job retries exactly those customers.
 */

export const GROUP_NAME = '店小二';
/** mark_tag allows 5 concurrent calls per corp (45033 beyond): per merchant, in this process. */
export const MARK_CONCURRENCY = 5;
const marks = createKeyedLimiter(MARK_CONCURRENCY);
const MINUTE = 60_000;
/** After this many failed tries a customer waits for the nightly run (which tries every ledger entry once). */
export const MAX_SYNC_ATTEMPTS = 8;
/** add_corp_tag: this name is taken (someone created it meanwhile). */
const TAG_NAME_EXISTS = 40071;

export interface SyncEnv {
  deps: Deps;
  wecom: WecomApi;
}

export interface Mirror {
  userid: string;
  tags: string[];
}

export interface LedgerEntry {
  attempts: number;
  nextAt: number;
  lastError?: string;
  since: number;
}

interface GroupMap {
  groupId?: string;
  ids: Record<string, string>;
}

export interface SyncResult {
  /** WeCom calls made (mark_tag, get_corp_tag_list, add_corp_tag). */
  wecomCalls: number;
  marked: number;
  failed: number;
  /** Customers left for a later run: beyond this run's limit. */
  deferred: number;
}

export const syncKey = (merchantId: string, at: number) => `tags:sync:${merchantId}:${new Date(at).toISOString().slice(0, 16)}`;
export const SYNC_KIND = 'tags.sync';

/** Whether this customer's tags can reach WeCom at all. */
export const syncable = (c: Pick<Customer, 'followUserId' | 'lost'>) => Boolean(c.followUserId) && !c.lost;

/** What syncing reads of a customer (a whole one, or the rule facts a batch read). */
export type SyncCustomer = Pick<Customer, 'externalUserId' | 'tags' | 'followUserId' | 'lost'>;

/** A customer WeCom can reach whose tags there (the mirror) are not ours. */
export function differsAtWecom(c: SyncCustomer, mirror: Map<string, Mirror>): boolean {
  if (!syncable(c)) return false;
  const m = mirror.get(c.externalUserId);
  const marked = m && m.userid === c.followUserId ? m.tags : [];
  return marked.length !== c.tags.length || c.tags.some((x) => !marked.includes(x));
}

/**
 * Customers one run brings to WeCom. A run must end inside the scheduler's 60 s tick, and
 * mark_tag takes one customer per call, at most 5 in flight (45033 beyond), against WeCom's
 * 10,000 calls a minute per API: 1,500 is 300 rounds of 5, about 15–30 s at 50–100 ms a call,
 * and leaves the minute's quota for the shop's other tag calls. Past it, a `tags.sweep` run
 * takes the rest a minute later, and again, until WeCom matches.
 */
export const SYNC_BATCH = 1_500;
export const SWEEP_KIND = 'tags.sweep';
export const sweepKey = (merchantId: string, at: number) => `tags:sweep:${merchantId}:${new Date(at).toISOString().slice(0, 16)}`;

/** Books a `tags.sweep` run at the next minute. */
export async function bookSweep(deps: Pick<Deps, 'storage' | 'clock'>, merchantId: string): Promise<void> {
  const now = deps.clock.now();
  const at = Math.floor(now / MINUTE) * MINUTE + MINUTE;
  await deps.storage.jobs.enqueue({ key: sweepKey(merchantId, at), merchantId, kind: SWEEP_KIND, runAt: at, maxAttempts: 3 }, now);
}

/** syncTags for at most `limit` customers; a sweep is booked for whoever it left. */
export async function syncWithin(env: SyncEnv, merchantId: string, customers: SyncCustomer[], mirror?: Map<string, Mirror>, limit = SYNC_BATCH): Promise<SyncResult> {
  const r = await syncTags(env, merchantId, customers, mirror, limit);
  if (r.deferred) await bookSweep(env.deps, merchantId);
  return r;
}

/**
 * Puts customers in the ledger and books a `tags.sync` job at the next minute: for the event
 * paths (orders, messages) that hold no WeCom client or must not wait for one.
 */
export async function requestSync(deps: Pick<Deps, 'storage' | 'clock'>, merchantId: string, exts: string[]): Promise<void> {
  if (!exts.length) return;
  const now = deps.clock.now();
  for (const ext of exts) await deps.storage.kv.set(merchantId, TAG_NS.ledger, ext, { attempts: 0, nextAt: now, since: now } satisfies LedgerEntry, null, now);
  const at = Math.floor(now / MINUTE) * MINUTE + MINUTE;
  await deps.storage.jobs.enqueue({ key: syncKey(merchantId, at), merchantId, kind: SYNC_KIND, runAt: at, maxAttempts: 3 }, now);
}

function groupFrom(g: CorpTagGroup | undefined): GroupMap {
  if (!g) return { ids: {} };
  return { groupId: g.group_id, ids: Object.fromEntries(g.tag.filter((t) => !t.deleted).map((t) => [t.name, t.id])) };
}

async function listGroup(env: SyncEnv, merchantId: string): Promise<GroupMap> {
  const res = await env.wecom.corpTagList(merchantId, {});
  return groupFrom((res.tag_group ?? []).find((g) => g.group_name === GROUP_NAME && !g.deleted));
}

/** Tag ids for these names, creating the missing ones in 店小二 (one add_corp_tag for all of them). */
async function tagIds(env: SyncEnv, merchantId: string, names: string[], calls: { n: number }): Promise<Record<string, string>> {
  const { storage, clock } = env.deps;
  let map = (await storage.kv.get<GroupMap>(merchantId, TAG_NS.group, 'group'))?.value ?? { ids: {} };
  const missing = () => [...new Set(names)].filter((n) => !map.ids[n]);
  if (!missing().length) return map.ids;
  for (let attempt = 0; attempt < 2 && missing().length; attempt++) {
    calls.n++;
    map = await listGroup(env, merchantId);
    const want = missing();
    if (!want.length) break;
    try {
      calls.n++;
      const res = await env.wecom.corpTagAdd(merchantId, {
        ...(map.groupId ? { group_id: map.groupId } : { group_name: GROUP_NAME }),
        tag: want.map((name) => ({ name: [...name].slice(0, 30).join('') })),
      });
      map = { groupId: res.tag_group.group_id || map.groupId, ids: { ...map.ids, ...groupFrom(res.tag_group).ids } };
    } catch (err) {
      // another writer created one of them first: list again and take its id
      if (!(err instanceof WecomApiError && err.errcode === TAG_NAME_EXISTS)) throw err;
    }
  }
  await updateKv<GroupMap>(storage.kv, merchantId, TAG_NS.group, 'group', clock.now(), () => map);
  return map.ids;
}

interface Work {
  ext: string;
  userid: string;
  desired: string[];
  marked: string[];
  add: string[];
  remove: string[];
}

function workFor(c: SyncCustomer, mirror: Mirror | undefined): Work | null {
  if (!syncable(c)) return null;
  const marked = mirror && mirror.userid === c.followUserId ? mirror.tags : [];
  const add = c.tags.filter((t) => !marked.includes(t));
  const remove = marked.filter((t) => !c.tags.includes(t));
  return { ext: c.externalUserId, userid: c.followUserId!, desired: [...c.tags], marked, add, remove };
}

async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}

async function failed(env: SyncEnv, merchantId: string, ext: string, err: unknown): Promise<void> {
  const now = env.deps.clock.now();
  const msg = (err instanceof Error ? err.message : String(err)).slice(0, 300);
  await updateKv<LedgerEntry>(env.deps.storage.kv, merchantId, TAG_NS.ledger, ext, now, (cur) => {
    const attempts = (cur?.attempts ?? 0) + 1;
    return { attempts, nextAt: now + Math.min(60, 2 ** (attempts - 1)) * MINUTE, lastError: msg, since: cur?.since ?? now };
  });
}

/**
 * Brings these customers' WeCom tags in line with ours, plus every due ledger entry: mark_tag
 * only for customers whose tags differ from the mirror, at most 5 at a time, and at most `limit`
 * customers (due ledger entries first); the rest are counted as deferred, untouched. `mirror` may
 * be given whole (the batch read it once); otherwise each customer's is read.
 */
export async function syncTags(env: SyncEnv, merchantId: string, customers: SyncCustomer[], mirror?: Map<string, Mirror>, limit = Number.POSITIVE_INFINITY): Promise<SyncResult> {
  const { storage, clock } = env.deps;
  const now = clock.now();
  const given = new Map<string, SyncCustomer>(customers.map((c) => [c.externalUserId, c]));
  const ledger = await storage.kv.list<LedgerEntry>(merchantId, TAG_NS.ledger, WHOLE_NS);
  const inLedger = new Set(ledger.map((e) => e.key));
  const byExt = new Map<string, SyncCustomer>();
  let deferred = 0;
  for (const e of ledger) {
    if (e.value.nextAt > now) continue;
    if (byExt.size >= limit) {
      deferred++;
      given.delete(e.key);
      continue;
    }
    const c = given.get(e.key) ?? (await storage.customers.get(merchantId, e.key));
    if (c) byExt.set(e.key, c);
    else await storage.kv.delete(merchantId, TAG_NS.ledger, e.key);
  }
  const work: Work[] = [];
  const consider = async (c: SyncCustomer) => {
    const m = mirror ? mirror.get(c.externalUserId) : (await storage.kv.get<Mirror>(merchantId, TAG_NS.mirror, c.externalUserId))?.value;
    const w = workFor(c, m);
    if (w && (w.add.length || w.remove.length)) {
      if (work.length < limit) work.push(w);
      else deferred++;
    } else if (inLedger.has(c.externalUserId)) await storage.kv.delete(merchantId, TAG_NS.ledger, c.externalUserId);
  };
  for (const c of byExt.values()) await consider(c);
  for (const c of given.values()) if (!byExt.has(c.externalUserId)) await consider(c);
  const calls = { n: 0 };
  const result: SyncResult = { wecomCalls: 0, marked: 0, failed: 0, deferred };
  if (!work.length) return result;
  let ids: Record<string, string>;
  try {
    ids = await tagIds(
      env,
      merchantId,
      work.flatMap((w) => w.add),
      calls,
    );
  } catch (err) {
    for (const w of work) await failed(env, merchantId, w.ext, err);
    await bookRetry(env.deps, merchantId);
    return { wecomCalls: calls.n, marked: 0, failed: work.length, deferred };
  }
  await pool(work, MARK_CONCURRENCY, async (w) => {
    const add = w.add.map((n) => ids[n]).filter((x): x is string => Boolean(x));
    // a tag deleted at WeCom has no id any more: nothing to take off
    const remove = w.remove.map((n) => ids[n]).filter((x): x is string => Boolean(x));
    try {
      if (add.length || remove.length) {
        calls.n++;
        await marks.run(merchantId, () =>
          env.wecom.markTag(merchantId, { userid: w.userid, external_userid: w.ext, ...(add.length ? { add_tag: add } : {}), ...(remove.length ? { remove_tag: remove } : {}) }),
        );
      }
      await updateKv<Mirror>(storage.kv, merchantId, TAG_NS.mirror, w.ext, clock.now(), () => ({ userid: w.userid, tags: w.desired }));
      if (inLedger.has(w.ext)) await storage.kv.delete(merchantId, TAG_NS.ledger, w.ext);
      result.marked++;
    } catch (err) {
      await failed(env, merchantId, w.ext, err);
      result.failed++;
    }
  });
  result.wecomCalls = calls.n;
  if (result.failed) await bookRetry(env.deps, merchantId);
  return result;
}

/** Books the `tags.sync` job at the ledger's next due time, if any entry is still worth retrying; that time. */
export async function bookRetry(deps: Pick<Deps, 'storage' | 'clock'>, merchantId: string): Promise<number | null> {
  const ledger = await deps.storage.kv.list<LedgerEntry>(merchantId, TAG_NS.ledger, WHOLE_NS);
  const due = ledger.filter((e) => e.value.attempts < MAX_SYNC_ATTEMPTS).map((e) => e.value.nextAt);
  if (!due.length) return null;
  const now = deps.clock.now();
  const runAt = Math.max(Math.min(...due), now);
  await deps.storage.jobs.enqueue({ key: syncKey(merchantId, runAt), merchantId, kind: SYNC_KIND, runAt, maxAttempts: 3 }, now);
  return runAt;
}

/**
 * A member changed a customer's tags in the WeCom client (edit_external_contact): the tags of our
 * group flow back into ours. Compared with the mirror, so only what the person changed moves;
 * the mirror then holds what WeCom has. Returns the customer as stored after.
 */
export async function pullWecomTags(deps: Pick<Deps, 'storage' | 'clock'>, merchantId: string, externalUserId: string, follow: FollowUser): Promise<Customer | null> {
  const c = await deps.storage.customers.get(merchantId, externalUserId);
  if (!c) return null;
  const theirs = [...new Set((follow.tags ?? []).filter((t) => t.group_name === GROUP_NAME && t.tag_name).map((t) => t.tag_name))];
  const m = (await deps.storage.kv.get<Mirror>(merchantId, TAG_NS.mirror, externalUserId))?.value;
  const marked = m && m.userid === follow.userid ? m.tags : [];
  const added = theirs.filter((t) => !marked.includes(t) && !c.tags.includes(t));
  const removed = marked.filter((t) => !theirs.includes(t) && c.tags.includes(t));
  const now = deps.clock.now();
  await updateKv<Mirror>(deps.storage.kv, merchantId, TAG_NS.mirror, externalUserId, now, () => ({ userid: follow.userid, tags: theirs }));
  if (!added.length && !removed.length) return c;
  const next = { ...c, tags: [...c.tags.filter((t) => !removed.includes(t)), ...added], updatedAt: Math.max(c.updatedAt, now) };
  await deps.storage.customers.upsert(next);
  return next;
}

/** The corp tag list changed (change_external_tag): our group's ids are read again, deleted tags forgotten. */
export async function refreshGroup(deps: Pick<Deps, 'storage' | 'clock'>, merchantId: string, groups: CorpTagGroup[]): Promise<void> {
  const map = groupFrom(groups.find((g) => g.group_name === GROUP_NAME && !g.deleted));
  await updateKv<GroupMap>(deps.storage.kv, merchantId, TAG_NS.group, 'group', deps.clock.now(), () => map);
}
