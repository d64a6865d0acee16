import type { Deps } from '../../ports/deps';
import { updateKv } from '../lib/kv-cas';

/**
 * What the WeCom channel last saw, per merchant, for the setup checker: the last verified
 * callback, the last callback event, the last rejected callback, the last token result per
 * secret kind and the last kf account listing. Best effort: recording never fails the caller.
 */
export const STATUS_NS = 'wecom.status';
const KEY = 'channel';

export interface TokenResult {
  at: number;
  ok: boolean;
  code?: string;
  errcode?: number;
  message?: string;
}

export interface ChannelStatus {
  callbackVerifiedAt?: number;
  lastEvent?: { at: number; type: string };
  lastRejected?: { at: number; code: string };
  tokens?: Partial<Record<'app' | 'contact' | 'kf', TokenResult>>;
  kfAccounts?: { at: number; names: string[] } | { at: number; error: string };
}

export async function recordStatus(deps: Pick<Deps, 'storage' | 'clock'>, merchantId: string, patch: (cur: ChannelStatus) => ChannelStatus | undefined): Promise<void> {
  try {
    await updateKv<ChannelStatus>(deps.storage.kv, merchantId, STATUS_NS, KEY, deps.clock.now(), (cur) => patch(cur ?? {}), 5);
  } catch {
    // a lost race or a storage hiccup loses one status line, nothing else
  }
}

export async function readStatus(deps: Pick<Deps, 'storage'>, merchantId: string): Promise<ChannelStatus> {
  return (await deps.storage.kv.get<ChannelStatus>(merchantId, STATUS_NS, KEY))?.value ?? {};
}

/** The same kind of status seen again within this window is not written again (no write per callback). */
export const STATUS_REFRESH_MS = 60_000;
export const stale = (prev: { at: number } | undefined, now: number) => !prev || now - prev.at >= STATUS_REFRESH_MS;

export function recordToken(deps: Pick<Deps, 'storage' | 'clock'>, merchantId: string, kind: 'app' | 'contact' | 'kf', result: Omit<TokenResult, 'at'>): Promise<void> {
  return recordStatus(deps, merchantId, (cur) => ({ ...cur, tokens: { ...cur.tokens, [kind]: { at: deps.clock.now(), ...result } } }));
}
