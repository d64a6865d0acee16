import type { Customer } from '../../domain/customer';
import { notFound } from '../../domain/errors';
import type { Deps } from '../../ports/deps';
import type { WecomApi } from '../../ports/wecom';
import { eachCustomer, evaluateCustomer } from './run';
import { loadRules } from './store';
import { requestSync, syncable, syncTags } from './sync';

/**
 * What a person changes on a customer's profile (issue 15 §1): tags by hand (synced to WeCom
 * like the rules' tags), the note and the birthday (the birthday-month rules run at once).
 */

async function requireCustomer(deps: Deps, merchantId: string, ext: string): Promise<Customer> {
  const c = await deps.storage.customers.get(merchantId, ext);
  if (!c) throw notFound('customer');
  return c;
}

/** The WeCom side at once when a client is at hand; a failure (or none) leaves the customer in the ledger. */
async function pushTags(deps: Deps, merchantId: string, c: Customer, wecom?: WecomApi): Promise<void> {
  if (!syncable(c)) return;
  if (wecom) await syncTags({ deps, wecom }, merchantId, [c]);
  else await requestSync(deps, merchantId, [c.externalUserId]);
}

/** Adds and removes tags by hand; a tag both added and removed is added. Unchanged tags cost nothing. */
export async function tagCustomer(deps: Deps, merchantId: string, ext: string, change: { add: string[]; remove: string[] }, wecom?: WecomApi): Promise<Customer> {
  const c = await requireCustomer(deps, merchantId, ext);
  const add = [...new Set(change.add.map((t) => t.trim()).filter(Boolean))];
  const remove = new Set(change.remove.map((t) => t.trim()).filter((t) => t && !add.includes(t)));
  const tags = [...c.tags.filter((t) => !remove.has(t)), ...add.filter((t) => !c.tags.includes(t))];
  if (tags.length === c.tags.length && tags.every((t, i) => t === c.tags[i])) return c;
  const next = { ...c, tags, updatedAt: Math.max(c.updatedAt, deps.clock.now()) };
  await deps.storage.customers.upsert(next);
  await pushTags(deps, merchantId, next, wecom);
  return next;
}

/** The note and birthday (null clears one); the rules run for the customer afterwards. */
export async function updateProfile(
  deps: Deps,
  merchantId: string,
  ext: string,
  change: { note?: string | null; birthday?: Customer['birthday'] | null },
  wecom?: WecomApi,
): Promise<Customer> {
  const c = await requireCustomer(deps, merchantId, ext);
  const { note: _n, birthday: _b, ...rest } = c;
  const note = change.note === undefined ? c.note : change.note?.trim() || undefined;
  const birthday = change.birthday === undefined ? c.birthday : (change.birthday ?? undefined);
  await deps.storage.customers.upsert({ ...rest, ...(note ? { note } : {}), ...(birthday ? { birthday } : {}), updatedAt: Math.max(c.updatedAt, deps.clock.now()) });
  if (change.birthday !== undefined) await evaluateCustomer(deps, merchantId, ext, wecom);
  return requireCustomer(deps, merchantId, ext);
}

export interface TagCount {
  tag: string;
  count: number;
  /** A rule (enabled or not) adds it. */
  byRule: boolean;
}

/** Every tag in use with its number of customers (lost ones not counted), most used first; rule tags with none too. */
export async function tagCounts(deps: Deps, merchantId: string): Promise<TagCount[]> {
  const counts = new Map<string, number>();
  await eachCustomer(deps, merchantId, (c) => {
    for (const t of c.tags) counts.set(t, (counts.get(t) ?? 0) + 1);
  });
  const ruleTags = new Set((await loadRules(deps, merchantId)).flatMap((r) => r.tags));
  for (const t of ruleTags) if (!counts.has(t)) counts.set(t, 0);
  return [...counts].map(([tag, count]) => ({ tag, count, byRule: ruleTags.has(tag) })).sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag, 'zh-CN'));
}
