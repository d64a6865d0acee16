import type { AnswerRules } from '../../domain/answer-rules';
import type { BusinessHours, Merchant } from '../../domain/merchant';
import type { Deps } from '../../ports/deps';
import { recordAudit } from './audit';
import { requireMerchant } from './require-merchant';

export interface SettingsChange {
  name?: string;
  aiPersona?: string;
  /** null: no opening hours (handoffs never mention hours). */
  businessHours?: BusinessHours | null;
  answerRules?: AnswerRules;
}

/** 店铺设置: only the fields given change; the audit names which. */
export async function updateSettings(deps: Deps, merchantId: string, actorId: string, change: SettingsChange): Promise<Merchant> {
  const m = await requireMerchant(deps, merchantId);
  const now = deps.clock.now();
  const changed: Record<string, unknown> = {};
  if (change.name !== undefined) changed.name = change.name;
  if (change.aiPersona !== undefined) changed.aiPersona = change.aiPersona;
  if (change.businessHours !== undefined) changed.businessHours = change.businessHours ?? undefined;
  if (change.answerRules !== undefined) changed.answerRules = change.answerRules;
  const next = { ...m, ...changed, updatedAt: now };
  await deps.storage.merchants.save(next);
  await recordAudit(deps, { merchantId: m.id, actor: actorId, action: 'settings.update', target: m.id, detail: { fields: Object.keys(changed) }, at: now });
  return next;
}
