import crypto from 'node:crypto';
import { AppError } from '@xiaoer/shared/domain/errors';
import { PLATFORM } from '@xiaoer/shared/domain/job';
import { SecretKind, type Merchant, type SealedSecret } from '@xiaoer/shared/domain/merchant';
import { WecomApiError } from '@xiaoer/shared/ports/wecom';
import type { Deps } from '@xiaoer/shared/ports/deps';
import type { TokenRefresher, TokenRefreshReport } from '@xiaoer/shared/usecases/channel-wecom/token-refresh';
import { createWecomHttp, okJson, type HttpOptions } from './http';
import { recordProblem, recordToken } from '@xiaoer/shared/usecases/channel-wecom/channel-status';

/**
 * WeCom access tokens per (CorpID, kind) in the shared KvRepo (PLATFORM-owned, ns `wecom.token`,
 * key `<corpId>:<kind>`), so every process and function instance uses the same token and
 * gettoken is called rarely (it is frequency-limited, protocol §7).
 *
 * Who fetches: the `wecom.token-refresh` job refreshes tokens in use ahead of time. A request
 * path fetches only when no token is stored or the stored one has under 5 minutes left (first
 * use, a failed refresh, an evicted token). Two processes may then race: both fetch, the first
 * compare-and-set wins and the other keeps its own copy for this call. WeCom hands out the same
 * token while it is valid, and both are valid anyway, so the store converges without locks.
 *
 * Tokens and secrets never leave this module except as the token handed to the API client: not
 * in logs, errors or job results.
 */

export const TOKEN_NS = 'wecom.token';
/** getToken serves a stored token only while it has more than this left. */
export const TOKEN_MIN_LEFT_MS = 5 * 60_000;
const DEFAULT_EXPIRES_IN_S = 7200;
const REFRESH_CONCURRENCY = 4;

export interface StoredToken {
  /** The access token, sealed like every other secret at rest; absent once evicted. */
  sealed?: SealedSecret;
  /** Epoch ms; 0 marks an evicted token. */
  expires_at: number;
  /**
   * sha256 of CorpID + the secret that minted the token, truncated: when the owner changes a
   * secret (or adds a kf secret after the app secret served kf), the old token is not reused.
   */
  fp: string;
}

export interface TokenStore extends TokenRefresher {
  /** A token with more than 5 minutes left, fetched and stored when needed. */
  getToken(merchant: Merchant, kind: SecretKind): Promise<string>;
  /**
   * Forgets a token WeCom rejected (40014/42001/41001). With `token`, only if that is still the
   * stored one (compare-and-set), so a fresh token another process just stored survives.
   */
  evict(corpId: string, kind: SecretKind, token?: string): Promise<void>;
}

export interface TokenStoreOptions extends HttpOptions {
  deps: Pick<Deps, 'storage' | 'clock' | 'secrets'>;
}

const NO_SECRET_HINT: Record<SecretKind, string> = {
  app: '还没填自建应用的 Secret：请到 企业微信管理后台 → 应用管理 → 自建应用 → 查看 Secret，复制后填到店小二的企业微信设置里',
  contact: '还没填「客户联系」的 Secret：请到 企业微信管理后台 → 客户与上下游 → 客户联系 → API → 查看 Secret，复制后填到店小二的企业微信设置里',
  kf: '还没填「微信客服」的 Secret：请到 企业微信管理后台 → 应用管理 → 微信客服 → API → 查看 Secret，复制后填到店小二的企业微信设置里（也可以只填自建应用的 Secret，并把该应用加到「微信客服 → 可调用接口的应用」）',
};

/** ARCHITECTURE §4: kf calls use the 微信客服 secret, or the app secret when the app has been granted kf access. */
function sealedSecretFor(merchant: Merchant, kind: SecretKind) {
  const s = merchant.wecom.secrets;
  return kind === 'kf' ? (s.kf ?? s.app) : s[kind];
}

export function hasSecret(merchant: Merchant, kind: SecretKind): boolean {
  return Boolean(sealedSecretFor(merchant, kind));
}

const fingerprint = (corpId: string, secret: string) => crypto.createHash('sha256').update(`${corpId}\n${secret}`).digest('hex').slice(0, 16);
const keyOf = (corpId: string, kind: SecretKind) => `${corpId}:${kind}`;

export function createTokenStore(opts: TokenStoreOptions): TokenStore {
  const { storage, clock, secrets } = opts.deps;
  const http = createWecomHttp(opts);
  /** One gettoken at a time per key and secret in this process; other processes are handled by CAS. */
  const inFlight = new Map<string, Promise<string>>();

  function secretFor(merchant: Merchant, kind: SecretKind): { secret: string; fp: string } {
    const sealed = sealedSecretFor(merchant, kind);
    if (!sealed) throw new AppError('WECOM.NO_SECRET', NO_SECRET_HINT[kind], 400, { merchantId: merchant.id, kind });
    const secret = secrets.open(sealed);
    return { secret, fp: fingerprint(merchant.wecom.corpId, secret) };
  }

  async function fetchAndStore(corpId: string, kind: SecretKind, secret: string, fp: string, expectedVersion: number | null): Promise<string> {
    const startedAt = clock.now();
    const raw = await http.exchange('gettoken', '/cgi-bin/gettoken', { corpid: corpId, corpsecret: secret }, { method: 'GET' });
    const body = okJson('gettoken', raw);
    const token = body.access_token;
    if (typeof token !== 'string' || !token) throw new AppError('WECOM.BAD_RESPONSE', '企业微信接口 gettoken 没有返回 access_token', 502, { api: 'gettoken' });
    const expiresIn = Number(body.expires_in) > 0 ? Number(body.expires_in) : DEFAULT_EXPIRES_IN_S;
    const value: StoredToken = { sealed: secrets.seal(token), expires_at: startedAt + expiresIn * 1000, fp };
    // false: another process stored one meanwhile; keep theirs (see the module comment)
    await storage.kv.set(PLATFORM, TOKEN_NS, keyOf(corpId, kind), value, expectedVersion, clock.now());
    return token;
  }

  function fetchOnce(corpId: string, kind: SecretKind, secret: string, fp: string, expectedVersion: number | null): Promise<string> {
    const flightKey = `${keyOf(corpId, kind)}:${fp}`;
    let p = inFlight.get(flightKey);
    if (!p) {
      p = fetchAndStore(corpId, kind, secret, fp, expectedVersion).finally(() => inFlight.delete(flightKey));
      inFlight.set(flightKey, p);
    }
    return p;
  }

  const store: TokenStore = {
    async getToken(merchant, kind) {
      const corpId = merchant.wecom.corpId;
      const { secret, fp } = secretFor(merchant, kind);
      const entry = await storage.kv.get<StoredToken>(PLATFORM, TOKEN_NS, keyOf(corpId, kind));
      const v = entry?.value;
      if (v && v.fp === fp && v.sealed && v.expires_at - clock.now() > TOKEN_MIN_LEFT_MS) return secrets.open(v.sealed);
      try {
        const token = await fetchOnce(corpId, kind, secret, fp, entry?.version ?? null);
        await recordToken(opts.deps, merchant.id, kind, { ok: true });
        return token;
      } catch (err) {
        // the setup checker shows the last result per kind (40001: wrong secret, 60020: IP not trusted, …)
        await recordToken(opts.deps, merchant.id, kind, {
          ok: false,
          code: err instanceof AppError ? err.code : 'WECOM.UNREACHABLE',
          ...(err instanceof WecomApiError ? { errcode: err.errcode } : {}),
          message: err instanceof AppError ? err.message.slice(0, 200) : '连不上企业微信',
        });
        throw err;
      }
    },

    async evict(corpId, kind, token) {
      const key = keyOf(corpId, kind);
      if (token === undefined) return storage.kv.delete(PLATFORM, TOKEN_NS, key);
      const entry = await storage.kv.get<StoredToken>(PLATFORM, TOKEN_NS, key);
      if (!entry?.value.sealed || secrets.open(entry.value.sealed) !== token) return;
      // a tombstone rather than a delete: the write is conditional on the version we read
      await storage.kv.set(PLATFORM, TOKEN_NS, key, { expires_at: 0, fp: entry.value.fp } satisfies StoredToken, entry.version, clock.now());
    },

    async refreshExpiring(merchants, withinMs) {
      const report: Required<TokenRefreshReport> = { refreshed: 0, failed: 0, failures: [] };
      const work: { merchant: Merchant; kind: SecretKind }[] = [];
      for (const merchant of merchants) for (const kind of SecretKind.options) if (hasSecret(merchant, kind)) work.push({ merchant, kind });

      const refreshOne = async ({ merchant, kind }: { merchant: Merchant; kind: SecretKind }) => {
        const corpId = merchant.wecom.corpId;
        const key = keyOf(corpId, kind);
        try {
          const entry = await storage.kv.get<StoredToken>(PLATFORM, TOKEN_NS, key);
          // never used (or its secret was rejected): the first call fetches it
          if (!entry) return;
          const { secret, fp } = secretFor(merchant, kind);
          if (entry.value.fp === fp && entry.value.sealed && entry.value.expires_at - clock.now() > withinMs) return;
          await fetchOnce(corpId, kind, secret, fp, entry.version);
          report.refreshed++;
        } catch (err) {
          report.failed++;
          report.failures.push({ merchantId: merchant.id, kind, code: err instanceof AppError ? err.code : 'INTERNAL' });
          // a rejected secret would fail every 5 minutes for nothing: stop until the next real use,
          // and tell the owner now rather than when a customer's reply fails
          if (err instanceof WecomApiError && err.isConfig) {
            await storage.kv.delete(PLATFORM, TOKEN_NS, key).catch(() => undefined);
            await recordProblem(opts.deps, merchant.id, kind, err.api, err.errcode);
          }
        }
      };

      let next = 0;
      const worker = async () => {
        while (next < work.length) await refreshOne(work[next++]);
      };
      await Promise.all(Array.from({ length: Math.min(REFRESH_CONCURRENCY, work.length) }, worker));
      return report;
    },
  };
  return store;
}
