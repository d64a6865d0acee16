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
  /**
   * The last configuration error (CONFIG_ERRCODES) a WeCom call of each secret kind got, until a
   * call of that kind succeeds again: shown on 今日 and in the checker without running a check.
   */
  problems?: Partial<Record<'app' | 'contact' | 'kf', ConfigProblem>>;
}

export interface ConfigProblem {
  at: number;
  /** The WeCom API that failed, e.g. kf/send_msg or gettoken. */
  api: string;
  errcode: number;
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

/** A call of `kind` failed for a configuration reason: the owner sees it (and its fix) until one succeeds. */
export function recordProblem(deps: Pick<Deps, 'storage' | 'clock'>, merchantId: string, kind: 'app' | 'contact' | 'kf', api: string, errcode: number): Promise<void> {
  const now = deps.clock.now();
  return recordStatus(deps, merchantId, (cur) => {
    const prev = cur.problems?.[kind];
    // the same problem again within a minute is not written again (no write per failing call)
    if (prev && prev.errcode === errcode && prev.api === api && !stale(prev, now)) return undefined;
    return { ...cur, problems: { ...cur.problems, [kind]: { at: now, api, errcode } } };
  });
}

/** A call of `kind` succeeded: its problem, if any, is over. True when one was cleared. */
export async function clearProblem(deps: Pick<Deps, 'storage' | 'clock'>, merchantId: string, kind: 'app' | 'contact' | 'kf'): Promise<boolean> {
  let cleared = false;
  await recordStatus(deps, merchantId, (cur) => {
    cleared = Boolean(cur.problems?.[kind]);
    if (!cleared) return undefined;
    const problems = { ...cur.problems };
    delete problems[kind];
    return { ...cur, problems };
  });
  return cleared;
}
