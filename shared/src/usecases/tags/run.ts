import type { Customer } from '../../domain/customer';
import type { Merchant } from '../../domain/merchant';
import { fieldsOf, type TagRule, type TagRuleInput } from '../../domain/tag-rule';
import type { Deps } from '../../ports/deps';
import type { CustomerFacts } from '../../ports/storage';
import { blankFacts, compile, compileRule, factsOf, fillFacts, monthIn, planTags, tagChanges, type CompiledRule, type EvalTime, type TextAt } from './evaluate';
import { allTexts, enabledRules, TAG_NS, textsOf, WHOLE_NS } from './store';
import {
  bookSweep,
  differsAtWecom,
  requestSync,
  SYNC_BATCH,
  syncable,
  syncTags,
  syncWithin,
  type LedgerEntry,
  type Mirror,
  type SyncCustomer,
  type SyncEnv,
  type SyncResult,
} from './sync';

/**
 * Running tag rules: for one customer on an event (new customer, order, message), over every
 * customer in a batch (nightly, `tags apply`), and as a preview that writes nothing. Lost
 * customers (they removed the shop) are left as they are: nothing can reach them.
 */

/** Customers' rule facts read per page in a batch: one CloudBase get (its cap), 100 reads for 100k customers; a small page is also little for the garbage collector to copy. */
export const BATCH_PAGE = 1000;

export interface ApplyResult {
  customers: number;
  /** Tags gained and lost, over all customers. */
  added: number;
  removed: number;
  /** Customers whose tags changed. */
  changed: number;
  wecomCalls: number;
  wecomFailed: number;
  /** Customers whose WeCom tags a sweep sets in the next minutes (more than one run may mark). */
  wecomLater: number;
  /** Too many customers changed for one run: the rest go on in `tags.batch` runs a minute apart. */
  continuing: boolean;
}

async function timeOf(deps: Deps, merchantId: string, merchant?: Pick<Merchant, 'timezone'>): Promise<EvalTime> {
  const tz = merchant?.timezone ?? (await deps.storage.merchants.get(merchantId))?.timezone ?? 'Asia/Shanghai';
  const now = deps.clock.now();
  return { now, month: monthIn(now, tz) };
}

const needsWords = (rules: Pick<TagRule, 'when'>[]) => rules.some((r) => fieldsOf(r.when).has('keyword'));

/** The merchant's enabled rules compiled, and whether any reads message words. */
async function compiledRules(deps: Deps, merchantId: string): Promise<{ compiled: CompiledRule[]; words: boolean }> {
  return enabledRules(deps, merchantId, (rules) => ({ compiled: rules.map(compileRule), words: needsWords(rules) }));
}

/** Writes a plan's changes onto the customer as stored now (the page read may be a moment old). */
async function writeChange(deps: Deps, merchantId: string, ext: string, added: string[], removed: string[]): Promise<Customer | null> {
  const fresh = await deps.storage.customers.get(merchantId, ext);
  if (!fresh) return null;
  const gone = new Set(removed);
  const tags = [...fresh.tags.filter((t) => !gone.has(t)), ...added.filter((t) => !fresh.tags.includes(t))];
  const next = { ...fresh, tags, updatedAt: Math.max(fresh.updatedAt, deps.clock.now()) };
  await deps.storage.customers.upsert(next);
  return next;
}

/**
 * One customer's rules after an event: only this customer is read and written. The WeCom side
 * goes through the ledger (`tags.sync` job, next minute) unless `wecom` is given.
 */
export async function evaluateCustomer(deps: Deps, merchantId: string, externalUserId: string, wecom?: SyncEnv['wecom']): Promise<{ added: string[]; removed: string[] } | null> {
  const { compiled, words } = await compiledRules(deps, merchantId);
  if (!compiled.length) return null;
  const customer = await deps.storage.customers.get(merchantId, externalUserId);
  if (!customer || customer.lost) return null;
  const texts = words ? await textsOf(deps, merchantId, externalUserId) : [];
  const plan = planTags(customer.tags, compiled, factsOf(customer, texts), await timeOf(deps, merchantId));
  if (!plan.added.length && !plan.removed.length) return plan;
  const next = await writeChange(deps, merchantId, externalUserId, plan.added, plan.removed);
  if (next && syncable(next)) {
    if (wecom) await syncTags({ deps, wecom }, merchantId, [next]);
    else await requestSync(deps, merchantId, [externalUserId]);
  }
  return plan;
}

/** Every customer's rule facts (not whole documents), a page at a time, lost ones skipped. */
export async function eachCustomer(deps: Pick<Deps, 'storage'>, merchantId: string, fn: (c: CustomerFacts) => void | Promise<void>): Promise<number> {
  return (await eachCustomerFrom(deps, merchantId, fn)).n;
}

/**
 * eachCustomer from a cursor, asking `pageSize` before each page how many to read next (0: stop
 * here); `next` is where a later run goes on, absent when every customer was seen.
 */
async function eachCustomerFrom(
  deps: Pick<Deps, 'storage'>,
  merchantId: string,
  fn: (c: CustomerFacts) => void | Promise<void>,
  from?: string,
  pageSize: () => number = () => BATCH_PAGE,
): Promise<{ n: number; next?: string }> {
  let cursor = from;
  let n = 0;
  for (;;) {
    const limit = pageSize();
    if (limit <= 0) return { n, ...(cursor ? { next: cursor } : {}) };
    const page = await deps.storage.customers.listFacts(merchantId, { limit, cursor });
    for (const c of page.items) {
      if (c.lost) continue;
      n++;
      const pending = fn(c);
      if (pending) await pending;
    }
    if (!page.nextCursor) return { n };
    cursor = page.nextCursor;
  }
}

/**
 * Customers whose tags one batch run may rewrite: each is a read and a write (2–3 CloudBase
 * requests, 5–20 ms each), and the run must end inside the scheduler's 60 s tick beside its
 * WeCom calls. Pages shrink as the run nears it, so a run writes at most this many plus 99.
 */
export const BATCH_WRITES = 1_000;
export const BATCH_KIND = 'tags.batch';
export const batchKey = (merchantId: string, at: number) => `tags:batch:${merchantId}:${new Date(at).toISOString().slice(0, 16)}`;
const MINUTE = 60_000;

/** Where the batch goes on, and its run booked for the next minute. */
async function bookRest(deps: Deps, merchantId: string, from: string): Promise<void> {
  const now = deps.clock.now();
  const cur = await deps.storage.kv.get<{ from: string }>(merchantId, TAG_NS.batch, 'cursor');
  await deps.storage.kv.set(merchantId, TAG_NS.batch, 'cursor', { from }, cur?.version ?? null, now);
  const at = Math.floor(now / MINUTE) * MINUTE + MINUTE;
  await deps.storage.jobs.enqueue({ key: batchKey(merchantId, at), merchantId, kind: BATCH_KIND, runAt: at, maxAttempts: 4 }, now);
}

/** The rest of a batch (`tags.batch`): from the stored cursor, booking itself again until done. */
export async function continueBatch(deps: Deps, merchantId: string, wecom?: SyncEnv['wecom']): Promise<ApplyResult | null> {
  const cur = await deps.storage.kv.get<{ from: string }>(merchantId, TAG_NS.batch, 'cursor');
  if (!cur) return null;
  const r = await applyAllRules(deps, merchantId, wecom, SYNC_BATCH, { from: cur.value.from });
  if (!r.continuing) await deps.storage.kv.delete(merchantId, TAG_NS.batch, 'cursor');
  return r;
}

/**
 * Every enabled rule over every customer, changes written; then WeCom brought in line for every
 * customer whose tags differ from what WeCom has (changed now or earlier: a missed sync heals
 * here), when `wecom` is given — `tags apply` and the nightly job make their calls (up to
 * `syncLimit`, the rest by sweeps) before they return; without it the customers go to the ledger.
 * A run that would rewrite more than `maxWrites` customers stops at a page boundary and goes on
 * in `tags.batch` runs; WeCom then follows the last of them through a sweep.
 */
export async function applyAllRules(
  deps: Deps,
  merchantId: string,
  wecom?: SyncEnv['wecom'],
  syncLimit = SYNC_BATCH,
  batch: { from?: string; maxWrites?: number } = {},
): Promise<ApplyResult> {
  const maxWrites = batch.maxWrites ?? BATCH_WRITES;
  const { compiled, words } = await compiledRules(deps, merchantId);
  const t = await timeOf(deps, merchantId);
  const texts = words ? await allTexts(deps, merchantId) : new Map<string, TextAt[]>();
  const mirror = new Map((await deps.storage.kv.list<Mirror>(merchantId, TAG_NS.mirror, WHOLE_NS)).map((e) => [e.key, e.value]));
  const result: ApplyResult = { customers: 0, added: 0, removed: 0, changed: 0, wecomCalls: 0, wecomFailed: 0, wecomLater: 0, continuing: false };
  const toSync: SyncCustomer[] = [];
  const queueSync = (now: SyncCustomer) => {
    if (differsAtWecom(now, mirror)) toSync.push(now);
  };
  const facts = blankFacts();
  // not async: a customer whose tags stay (most, most nights) costs no promise
  const walk = await eachCustomerFrom(
    deps,
    merchantId,
    (c) => {
      const plan = compiled.length ? tagChanges(c.tags, compiled, fillFacts(facts, c, texts.get(c.externalUserId)), t) : null;
      if (!plan) return queueSync(c);
      result.added += plan.added.length;
      result.removed += plan.removed.length;
      result.changed++;
      return writeChange(deps, merchantId, c.externalUserId, plan.added, plan.removed).then((fresh) => queueSync(fresh ?? c));
    },
    batch.from,
    () => (result.changed >= maxWrites ? 0 : Math.min(BATCH_PAGE, Math.max(100, maxWrites - result.changed))),
  );
  result.customers = walk.n;
  if (walk.next) {
    // WeCom waits for the last run: its sweep compares every customer with the mirror
    result.continuing = true;
    await bookRest(deps, merchantId, walk.next);
    return result;
  }
  if (batch.from) {
    // the last of several runs: earlier runs' customers reach WeCom too
    await bookSweep(deps, merchantId);
    return result;
  }
  if (wecom) {
    const s = await syncWithin({ deps, wecom }, merchantId, toSync, mirror, syncLimit);
    result.wecomCalls = s.wecomCalls;
    result.wecomFailed = s.failed;
    result.wecomLater = s.deferred;
  } else {
    await requestSync(
      deps,
      merchantId,
      toSync.map((c) => c.externalUserId),
    );
  }
  return result;
}

/**
 * The customers whose tags WeCom does not have yet, brought there up to `limit` a run (booked
 * again while more remain); customers waiting out a failure's backoff in the ledger are left to it.
 */
export async function sweepTags(env: SyncEnv, merchantId: string, limit = SYNC_BATCH): Promise<SyncResult> {
  const { storage, clock } = env.deps;
  const now = clock.now();
  const mirror = new Map((await storage.kv.list<Mirror>(merchantId, TAG_NS.mirror, WHOLE_NS)).map((e) => [e.key, e.value]));
  const waiting = new Set((await storage.kv.list<LedgerEntry>(merchantId, TAG_NS.ledger, WHOLE_NS)).filter((e) => e.value.nextAt > now).map((e) => e.key));
  const differing: SyncCustomer[] = [];
  await eachCustomer(env.deps, merchantId, (c) => {
    if (!waiting.has(c.externalUserId) && differsAtWecom(c, mirror)) differing.push(c);
  });
  return syncWithin(env, merchantId, differing, mirror, limit);
}

export interface PreviewSample {
  externalUserId: string;
  name: string;
  tags: string[];
  totalSpentFen: number;
  orderCount: number;
  lastOrderAt: number | null;
}

export const PREVIEW_SAMPLE = 10;

/** How many customers a rule's condition matches now, and the first 10 (most recently active first). Writes nothing. */
export async function previewRule(deps: Deps, merchantId: string, rule: Pick<TagRuleInput, 'when'>): Promise<{ count: number; sample: PreviewSample[] }> {
  const test = compile(rule.when);
  const t = await timeOf(deps, merchantId);
  const texts = needsWords([rule]) ? await allTexts(deps, merchantId) : new Map<string, TextAt[]>();
  let count = 0;
  // the most recently active matches so far, most recent first (ties by id, as the customer list)
  const top: { at: number; c: CustomerFacts }[] = [];
  const before = (a: { at: number; c: CustomerFacts }, b: { at: number; c: CustomerFacts }) => a.at > b.at || (a.at === b.at && a.c.externalUserId < b.c.externalUserId);
  const facts = blankFacts();
  await eachCustomer(deps, merchantId, (c) => {
    if (!test(fillFacts(facts, c, texts.get(c.externalUserId)), t)) return;
    count++;
    const e = { at: c.lastMessageAt ?? c.lastOrderAt ?? c.createdAt, c };
    if (top.length === PREVIEW_SAMPLE && !before(e, top[PREVIEW_SAMPLE - 1]!)) return;
    let i = top.length;
    while (i > 0 && before(e, top[i - 1]!)) i--;
    top.splice(i, 0, e);
    if (top.length > PREVIEW_SAMPLE) top.pop();
  });
  const sample = top.map(({ c }) => ({
    externalUserId: c.externalUserId,
    name: c.name,
    tags: c.tags,
    totalSpentFen: c.totalSpentFen,
    orderCount: c.orderCount,
    lastOrderAt: c.lastOrderAt ?? null,
  }));
  return { count, sample };
}

/** Rules compiled once for many evaluations (the bench's event path). */
export function compileRules(rules: TagRule[]): CompiledRule[] {
  return rules.filter((r) => r.enabled).map(compileRule);
}
