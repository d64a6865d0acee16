import type { AnswerRules } from '../../domain/answer-rules';
import type { BusinessHours, Merchant } from '../../domain/merchant';
import type { Deps } from '../../ports/deps';
import { invalid } from '../../domain/errors';
import { reportSettingsOf, type PushChannel, type PushFormat, type ReportSettings } from '../../domain/report';
import { recordAudit } from './audit';
import { requireMerchant } from './require-merchant';

export interface SettingsChange {
  name?: string;
  aiPersona?: string;
  /** null: no opening hours (handoffs never mention hours). */
  businessHours?: BusinessHours | null;
  answerRules?: AnswerRules;
  /** 推送设置; recipients null: back to the default (the owners). */
  reports?: { dailyAt?: string; recipients?: string[] | null; format?: PushFormat; channels?: PushChannel[] };
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
  if (change.reports !== undefined) changed.reports = await nextReportSettings(deps, m, change.reports);
  const next = { ...m, ...changed, updatedAt: now };
  await deps.storage.merchants.save(next);
  await recordAudit(deps, { merchantId: m.id, actor: actorId, action: 'settings.update', target: m.id, detail: { fields: Object.keys(changed) }, at: now });
  return next;
}

/** The report settings after a change; recipients must be members of this shop. */
async function nextReportSettings(deps: Deps, m: Merchant, r: NonNullable<SettingsChange['reports']>): Promise<ReportSettings> {
  const { recipients: _old, channels: _chosen, ...cur } = reportSettingsOf(m);
  const keep = r.recipients === undefined ? m.reports?.recipients : (r.recipients ?? undefined);
  if (r.recipients) {
    const ids = new Set((await deps.storage.members.list(m.id)).map((x) => x.id));
    if (r.recipients.some((id) => !ids.has(id))) throw invalid('选的接收人里有人已经不在店里了，请重新选');
  }
  if (r.channels?.includes('robot') && !m.pushRobot) throw invalid('先粘贴群机器人的 Webhook 地址，再选群机器人推送');
  // stored only once chosen, so a shop that never chose keeps following the default
  const chosen = r.channels ?? m.reports?.channels;
  const channels = chosen ? { channels: [...new Set(chosen)] } : {};
  return { ...cur, ...(r.dailyAt ? { dailyAt: r.dailyAt } : {}), ...(r.format ? { format: r.format } : {}), ...channels, ...(keep ? { recipients: [...new Set(keep)] } : {}) };
}
