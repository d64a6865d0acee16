import type { Conversation } from '../../domain/conversation';
import type { Order } from '../../domain/commerce';
import { type CounterName, zeroCounters } from '../../domain/counters';
import type { Day } from '../../domain/ids';
import { addDays, dayOf } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { requireMerchant } from '../shop/require-merchant';
import { REBUILT, hourKey, newTally, tallyConversation, tallyOrder, type Tally } from './rebuild-tally';

export interface CounterDiff {
  day: Day;
  /** Absent: the day's total; a number: that merchant-local hour's bucket. */
  hour?: number;
  name: CounterName;
  live: number;
  rebuilt: number;
}

export interface RebuildResult {
  from: Day;
  to: Day;
  days: number;
  matched: boolean;
  /** Which counters were recomputed and compared (the others keep no raw rows). */
  checked: CounterName[];
  diffs: CounterDiff[];
}

const PAGE = 200;
/** A conversation's whole history: far above any real thread, below what a page read can hold. */
const THREAD_LIMIT = 100_000;

/**
 * `counters rebuild`: recomputes the counters from the stored messages and orders and compares
 * them with the live ones, day totals and hourly buckets, from `from` (default: the first day
 * with any data) to today. An admin check, not a request path: it reads every conversation and
 * order of the shop. It writes nothing — the live counters are the ones event ids keep exact,
 * and a diff is a bug to find, not a number to paper over.
 */
export async function rebuildCounters(deps: Deps, merchantId: string, opts: { from?: Day } = {}): Promise<RebuildResult> {
  const m = await requireMerchant(deps, merchantId);
  const tz = m.timezone;
  const today = dayOf(deps.clock.now(), tz);
  const tally = newTally();
  const consulted = new Set<string>();
  for await (const conv of conversations(deps, m.id)) {
    const thread = await deps.storage.messages.listByConversation(m.id, conv.id, THREAD_LIMIT);
    tallyConversation(
      tally,
      tz,
      conv.externalUserId,
      [...thread].sort((a, b) => a.at - b.at),
      consulted,
    );
  }
  for await (const o of orders(deps, m.id)) tallyOrder(tally, tz, o);

  const from = opts.from ?? [...tally.days.keys()].sort()[0] ?? today;
  if (from > today) return { from, to: today, days: 0, matched: true, checked: [...REBUILT], diffs: [] };
  const [liveDays, liveHours] = await Promise.all([deps.storage.counters.days(m.id, from, today), deps.storage.counters.hours(m.id, from, today)]);
  const diffs = compare(tally, liveDays, liveHours, from, today);
  let days = 0;
  for (let d = from; d <= today; d = addDays(d, 1)) days++;
  return { from, to: today, days, matched: diffs.length === 0, checked: [...REBUILT], diffs };
}

function compare(
  tally: Tally,
  liveDays: Awaited<ReturnType<Deps['storage']['counters']['days']>>,
  liveHours: Awaited<ReturnType<Deps['storage']['counters']['hours']>>,
  from: Day,
  to: Day,
): CounterDiff[] {
  const diffs: CounterDiff[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const rebuiltDay = tally.days.get(day) ?? zeroCounters();
    for (const name of REBUILT) {
      const live = liveDays[day]?.[name] ?? 0;
      if (live !== rebuiltDay[name]) diffs.push({ day, name, live, rebuilt: rebuiltDay[name] });
    }
    for (let hour = 0; hour < 24; hour++) {
      const rebuilt = tally.hours.get(hourKey(day, hour)) ?? zeroCounters();
      for (const name of REBUILT) {
        const live = liveHours[day]?.[hour]?.[name] ?? 0;
        if (live !== rebuilt[name]) diffs.push({ day, hour, name, live, rebuilt: rebuilt[name] });
      }
    }
  }
  return diffs;
}

async function* conversations(deps: Deps, merchantId: string): AsyncGenerator<Conversation> {
  let cursor: string | undefined;
  const seen = new Set<string>();
  do {
    const page = await deps.storage.conversations.list(merchantId, { limit: PAGE, ...(cursor ? { cursor } : {}) });
    // a conversation updated while we page may come round again: count it once
    for (const c of page.items) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      yield c;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

async function* orders(deps: Deps, merchantId: string): AsyncGenerator<Order> {
  const seen = new Set<string>();
  let since = 0;
  for (;;) {
    const page = await deps.storage.orders.listPlacedBetween(merchantId, since, Number.MAX_SAFE_INTEGER, PAGE);
    for (const o of page) {
      if (seen.has(o.id)) continue;
      seen.add(o.id);
      yield o;
    }
    if (page.length < PAGE) return;
    const last = page[page.length - 1]!.placedAt;
    // a full page of one instant: step past it rather than read the same page forever
    since = last === page[0]!.placedAt ? last + 1 : last;
  }
}
