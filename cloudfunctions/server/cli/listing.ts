import { maskTail } from '@xiaoer/shared/api/views';
import type { Runtime } from '../composition';

/** `merchant list`: enough to recognise each shop and see which secrets are set, never the secrets. */
export async function merchantListing(rt: Runtime) {
  const open = rt.deps.secrets.open;
  return (await rt.storage.merchants.listAll()).map((m) => ({
    id: m.id,
    name: m.name,
    industry: m.industry,
    corpId: m.wecom.corpId,
    agentId: m.wecom.agentId ?? null,
    secrets: {
      app: m.wecom.secrets.app ? maskTail(open(m.wecom.secrets.app)) : null,
      contact: m.wecom.secrets.contact ? maskTail(open(m.wecom.secrets.contact)) : null,
      kf: m.wecom.secrets.kf ? maskTail(open(m.wecom.secrets.kf)) : null,
    },
    callback: { token: maskTail(open(m.wecom.callback.token)), aesKey: maskTail(open(m.wecom.callback.aesKey)) },
    kfCallbackConfigured: Boolean(m.wecom.kfCallback),
    createdAt: m.createdAt,
  }));
}
