import { PLATFORM } from '../../domain/job';
import type { Merchant, SecretKind } from '../../domain/merchant';
import { slotStart, type JobDefinition } from '../scheduling/scheduler';

export const TOKEN_REFRESH_KIND = 'wecom.token-refresh';
export const TOKEN_REFRESH_EVERY_MS = 5 * 60_000;
/** Tokens with less than this left are refreshed; with a 5-minute period each gets 2–3 chances before request paths would have to fetch (they do below 5 min). */
export const TOKEN_REFRESH_WITHIN_MS = 15 * 60_000;

export interface TokenRefreshReport {
  refreshed: number;
  failed: number;
  /** Error codes only (never a secret or a token), for the job ledger. */
  failures?: { merchantId: string; kind: SecretKind; code: string }[];
}

/**
 * The token store seen from domain code (the adapter lives in cloudfunctions/server/wecom/
 * token-store.ts): refreshes, ahead of time, the access tokens in use that expire within
 * `withinMs`, for each merchant and secret kind that has a secret.
 */
export interface TokenRefresher {
  refreshExpiring(merchants: Merchant[], withinMs: number): Promise<TokenRefreshReport>;
}

/**
 * ARCHITECTURE §4: access tokens per (CorpID, kind), refreshed by one process only. The job
 * ledger's deterministic key per 5-minute slot makes this that one process; request paths
 * fetch a token themselves only when none is cached or it has under 5 minutes left.
 */
export function createTokenRefreshJob(refresher: TokenRefresher): JobDefinition {
  return {
    kind: TOKEN_REFRESH_KIND,
    when: 'every 5 minutes',
    plan(now) {
      const slot = slotStart(now, TOKEN_REFRESH_EVERY_MS);
      return [{ key: `${TOKEN_REFRESH_KIND}:${slot}`, merchantId: PLATFORM, kind: TOKEN_REFRESH_KIND, runAt: slot, maxAttempts: 2 }];
    },
    async run(_job, deps) {
      return refresher.refreshExpiring(await deps.storage.merchants.listAll(), TOKEN_REFRESH_WITHIN_MS);
    },
  };
}
