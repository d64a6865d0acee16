import type { AuditEntry } from '../../domain/audit';
import type { Deps } from '../../ports/deps';

/** What a person did to the shop from the app, kept for the owner (审计记录). */
export async function recordAudit(
  deps: Deps,
  e: { merchantId: string; actor: string; action: string; target: string; detail?: Record<string, unknown>; /** the change's own time, when it has one */ at?: number },
): Promise<void> {
  const { merchantId, actor, action, target } = e;
  await deps.storage.audit.append({ id: deps.ids.id('aud'), merchantId, actor, action, target, detail: e.detail ?? {}, at: e.at ?? deps.clock.now() });
}

export function listAudit(deps: Deps, merchantId: string, limit: number): Promise<AuditEntry[]> {
  return deps.storage.audit.list(merchantId, limit);
}
