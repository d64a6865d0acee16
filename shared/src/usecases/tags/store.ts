import { TagRule } from '../../domain/tag-rule';
import { MAX_KEYWORD_DAYS } from '../../domain/tag-rule';
import type { Deps } from '../../ports/deps';
import { updateKv } from '../lib/kv-cas';
import type { TextAt } from './evaluate';

/** kv namespaces of tags (all per merchant, keyed by external user id unless said). */
export const TAG_NS = {
  /** ext → { items: TextAt[] }: the customer's recent texts, lower-cased, for keyword rules. */
  words: 'tags.words',
  /** ext → { userid, tags }: our tags as last marked at WeCom through that member. */
  mirror: 'tags.wecom',
  /** ext → LedgerEntry: customers whose WeCom tags still need a mark_tag (new work and failures). */
  ledger: 'tags.sync',
  /** 'group' → { groupId, ids: name → tag id }: our corp tag group 店小二. */
  group: 'tags.wecom.group',
  /** 'cursor' → { from }: where a batch too large for one run goes on (`tags.batch`). */
  batch: 'tags.batch',
} as const;

const DAY = 86_400_000;
/** Texts kept per customer (newest): enough for "asked about X lately", small enough to read 100k of at night. */
export const WORDS_KEPT = 30;
const TEXT_CHARS = 200;
/** Big enough for any shop's customers in one read (the nightly batch reads the index once). */
export const WHOLE_NS = 1_000_000;

export interface WordsValue {
  items: TextAt[];
}

/** The merchant's rules, the ones stored before this shape (none were writable) skipped. */
export async function loadRules(deps: Pick<Deps, 'storage'>, merchantId: string): Promise<TagRule[]> {
  return parseRules(await deps.storage.tagRules.list(merchantId));
}

function parseRules(stored: unknown[]): TagRule[] {
  const out: TagRule[] = [];
  for (const r of stored) {
    const ok = TagRule.safeParse(r);
    if (ok.success) out.push(ok.data);
  }
  return out;
}

/** Merchants whose compiled rules are kept; beyond this the cache starts over (it only saves work). */
const RULE_CACHE_MERCHANTS = 500;
const ruleCache = new Map<string, { raw: string; built: unknown }>();

/**
 * The merchant's enabled rules turned into something (compiled predicates) by `build`, which runs
 * again only when the stored rules differ: validating and compiling 20 rules on every message
 * or order cost more than the rest of the event, and its garbage set the event's p99. The stored
 * rules are still read each time, so a rule saved by another process applies at once.
 */
export async function enabledRules<T>(deps: Pick<Deps, 'storage'>, merchantId: string, build: (rules: TagRule[]) => T): Promise<T> {
  const stored = await deps.storage.tagRules.list(merchantId);
  const raw = JSON.stringify(stored);
  const hit = ruleCache.get(merchantId);
  if (hit && hit.raw === raw) return hit.built as T;
  const built = build(parseRules(stored).filter((r) => r.enabled));
  if (ruleCache.size >= RULE_CACHE_MERCHANTS) ruleCache.clear();
  ruleCache.set(merchantId, { raw, built });
  return built;
}

/** A text as the index keeps it: lower-cased, cut to 200 characters; null when nothing is left. */
export function textItem(at: number, text: string): TextAt | null {
  const t = text.trim().toLowerCase().slice(0, TEXT_CHARS);
  return t ? { at, text: t } : null;
}

/** The newest 30 texts of the last 90 days, oldest first. */
export function keepTexts(items: TextAt[], now: number): TextAt[] {
  const since = now - MAX_KEYWORD_DAYS * DAY;
  return items
    .filter((i) => i.at >= since)
    .sort((a, b) => a.at - b.at)
    .slice(-WORDS_KEPT);
}

/** Adds one text to the customer's keyword index (on message ingest). A re-delivered message is kept once. */
export async function recordText(deps: Pick<Deps, 'storage' | 'clock'>, merchantId: string, externalUserId: string, at: number, text: string): Promise<void> {
  const item = textItem(at, text);
  if (!item) return;
  const now = deps.clock.now();
  await updateKv<WordsValue>(deps.storage.kv, merchantId, TAG_NS.words, externalUserId, now, (cur) => {
    const items = cur?.items ?? [];
    if (items.some((i) => i.at === item.at && i.text === item.text)) return undefined;
    return { items: keepTexts([...items, item], now) };
  });
}

export async function textsOf(deps: Pick<Deps, 'storage'>, merchantId: string, externalUserId: string): Promise<TextAt[]> {
  return (await deps.storage.kv.get<WordsValue>(merchantId, TAG_NS.words, externalUserId))?.value.items ?? [];
}

/** Every customer's texts in one read (the batch and preview): ext → texts. */
export async function allTexts(deps: Pick<Deps, 'storage'>, merchantId: string): Promise<Map<string, TextAt[]>> {
  const rows = await deps.storage.kv.list<WordsValue>(merchantId, TAG_NS.words, WHOLE_NS);
  return new Map(rows.map((r) => [r.key, r.value.items]));
}
