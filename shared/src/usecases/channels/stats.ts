import type { Channel } from '../../domain/channel';
import type { Deps } from '../../ports/deps';
import type { CustomerFacts } from '../../ports/storage';
import { isPaid, withFacts } from '../orders/facts';
import { listChannels } from './store';

/**
 * Per-channel numbers for 渠道活码 (issue 15 §5): customers it brought (their `sourceState` is the
 * channel's state), those still friends (not lost), and those who placed a paid order within 30
 * days of being added. One pass over the customers' rule facts (not whole documents); a customer's
 * orders are read only when their first and last paid orders straddle the 30 days and cannot tell.
 */

const DAY = 86_400_000;
export const ORDERED_WITHIN_DAYS = 30;
const FACTS_PAGE = 1000;
/** A customer whose first and last orders can't settle it: this many of their latest orders decide. */
const ORDERS_READ = 500;

export interface ChannelStats {
  added: number;
  friends: number;
  ordered: number;
}

type Verdict = 'yes' | 'no' | 'read';

/** From the first and last paid order alone, whether one fell in [added, added + 30 days]. */
export function orderedWithin(f: Pick<CustomerFacts, 'createdAt' | 'firstOrderAt' | 'lastOrderAt'>): Verdict {
  const from = f.createdAt;
  const to = from + ORDERED_WITHIN_DAYS * DAY;
  const first = f.firstOrderAt;
  const last = f.lastOrderAt ?? first;
  if (first === undefined || last === undefined) return 'no';
  const inside = (t: number) => t >= from && t <= to;
  if (inside(first) || inside(last)) return 'yes';
  // both before, or both after, or first after the window: nothing in between can be inside
  if (last < from || first > to) return 'no';
  return 'read';
}

export async function channelStats(deps: Pick<Deps, 'storage'>, merchantId: string, channels: Channel[]): Promise<Map<string, ChannelStats>> {
  const stats = new Map<string, ChannelStats>(channels.map((c) => [c.state, { added: 0, friends: 0, ordered: 0 }]));
  if (!stats.size) return stats;
  const unsure: CustomerFacts[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.storage.customers.listFacts(merchantId, { limit: FACTS_PAGE, cursor });
    for (const f of page.items) {
      const s = f.sourceState !== undefined ? stats.get(f.sourceState) : undefined;
      if (!s) continue;
      s.added++;
      if (!f.lost) s.friends++;
      const v = orderedWithin(f);
      if (v === 'yes') s.ordered++;
      else if (v === 'read') unsure.push(f);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  for (const f of unsure) {
    const to = f.createdAt + ORDERED_WITHIN_DAYS * DAY;
    const orders = await deps.storage.orders.listByCustomer(merchantId, f.externalUserId, ORDERS_READ);
    if (orders.some((o) => isPaid(withFacts(o)) && o.placedAt >= f.createdAt && o.placedAt <= to)) stats.get(f.sourceState!)!.ordered++;
  }
  return stats;
}

/** The 渠道活码 list: every channel, oldest first, with its numbers. */
export async function listChannelsWithStats(deps: Pick<Deps, 'storage'>, merchantId: string): Promise<{ channel: Channel; stats: ChannelStats }[]> {
  const channels = await listChannels(deps, merchantId);
  const stats = await channelStats(deps, merchantId, channels);
  return channels.map((channel) => ({ channel, stats: stats.get(channel.state)! }));
}
