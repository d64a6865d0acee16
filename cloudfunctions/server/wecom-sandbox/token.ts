import type { Merchant, SecretKind } from '@xiaoer/shared/domain/merchant';
import { LIMITS, type SandboxRules } from './config';
import { hit, takeFault } from './guards';
import { NS, PLATFORM, type TokenRecord } from './store';
import { randomId } from './util';
import { fail, okBody, raise, type ApiRequest, type SandboxEnv } from './wx';

/** Tokens name their merchant, so an API call finds the merchant without a lookup table. */
export const TOKEN_RE = /^sbx\.([a-z0-9][a-z0-9_-]{1,39})\.[A-Za-z0-9]{40}$/;

/** gettoken: the merchant and secret kind are found by (corpid, corpsecret) among the product's merchants. */
export async function gettoken(env: SandboxEnv, ruleOverrides: Partial<SandboxRules>, req: ApiRequest): Promise<Record<string, unknown>> {
  const { store, registry } = env;
  const corpid = req.query.get('corpid');
  const secret = req.query.get('corpsecret');
  if (!corpid) fail('missingCorpId');
  if (!secret) fail('missingSecret');
  const merchants = await registry.byCorpId(corpid);
  let found: { m: Merchant; kind: SecretKind } | null = null;
  for (const m of merchants) {
    for (const kind of ['app', 'contact', 'kf'] as const) {
      if (!found && registry.secret(m, kind) === secret) found = { m, kind };
    }
  }
  // a fault injected for one shop hits that shop's gettoken only (the shop whose secret this is,
  // or the corp's only shop): the doctor's tests break one shop while others run beside it
  const fault = await takeFault(store, 'gettoken', found?.m.id ?? (merchants.length === 1 ? merchants[0].id : null));
  if (fault) raise(fault);
  if (!merchants.length) fail('invalidCorpId');
  if (!found) fail('invalidSecret');
  const cfg = await store.config(ruleOverrides);
  if (cfg.rules.rateLimit && !(await hit(store, env.rt.deps.clock.now(), PLATFORM, `gettoken:${corpid}`, cfg.ratePerMinute))) fail('freqLimit');
  const { m, kind } = found;
  const now = env.rt.deps.clock.now();
  // WeCom hands out the same token while it is valid (protocol §7); expires_in is what is left
  const current = await store.get<{ token: string }>(m.id, NS.tokenKind, kind);
  const rec = current ? await store.get<TokenRecord>(m.id, NS.token, current.token) : null;
  if (current && rec && rec.kind === kind && now < rec.expiresAt - 1000) {
    return okBody({ access_token: current.token, expires_in: Math.floor((rec.expiresAt - now) / 1000) });
  }
  const token = `sbx.${m.id}.${randomId(40)}`;
  await store.create<TokenRecord>(m.id, NS.token, token, { kind, issuedAt: now, expiresAt: now + LIMITS.tokenTtlMs });
  await store.put(m.id, NS.tokenKind, kind, { token });
  return okBody({ access_token: token, expires_in: LIMITS.tokenTtlMs / 1000 });
}
