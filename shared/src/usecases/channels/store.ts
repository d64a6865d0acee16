import { Channel, CHANNEL_LIMITS } from '../../domain/channel';
import type { Deps } from '../../ports/deps';
import type { KvEntry } from '../../ports/storage';

/**
 * Channels live in the merchant's kv (namespace `channels`, keyed by their `state`): a shop has
 * tens of them, every write is a compare-and-set on the entry's version, and the key being the
 * state makes "unique per shop" the store's own rule (an insert of a taken state fails).
 */
export const CHANNEL_NS = 'channels';

function parsed(e: KvEntry<unknown>): Channel | null {
  const ok = Channel.safeParse(e.value);
  return ok.success ? ok.data : null;
}

/** Every channel of the shop, oldest first. */
export async function listChannels(deps: Pick<Deps, 'storage'>, merchantId: string): Promise<Channel[]> {
  // twice the cap: a list read never silently drops one, even if a race let the count pass it
  const rows = await deps.storage.kv.list(merchantId, CHANNEL_NS, CHANNEL_LIMITS.perShop * 2);
  return rows
    .map(parsed)
    .filter((c): c is Channel => c !== null)
    .sort((a, b) => a.createdAt - b.createdAt || a.state.localeCompare(b.state));
}

/** The channel with this state and its compare-and-set version; null when there is none. */
export async function readChannel(deps: Pick<Deps, 'storage'>, merchantId: string, state: string): Promise<{ channel: Channel; version: number } | null> {
  if (!state || state.length > CHANNEL_LIMITS.stateChars) return null;
  const e = await deps.storage.kv.get(merchantId, CHANNEL_NS, state);
  const channel = e ? parsed(e) : null;
  return e && channel ? { channel, version: e.version } : null;
}

/** state → channel name: how 客户 and 客户资料 say which code brought a customer. */
export async function channelNames(deps: Pick<Deps, 'storage'>, merchantId: string): Promise<Map<string, string>> {
  return new Map((await listChannels(deps, merchantId)).map((c) => [c.state, c.name]));
}
