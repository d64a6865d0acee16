import { alertSettingsOf, type AlertSettings } from '../../domain/alert';
import type { Deps } from '../../ports/deps';
import { requireMerchant } from '../shop/require-merchant';

export interface AlertSettingsChange {
  /** null turns big-order alerts off. */
  bigOrderFen?: number | null;
  unfulfilledHours?: number;
  stock?: boolean;
}

/** 提醒设置: changes the fields given, keeps the rest. */
export async function updateAlertSettings(deps: Deps, merchantId: string, change: AlertSettingsChange): Promise<AlertSettings> {
  const merchant = await requireMerchant(deps, merchantId);
  // no field given: the app reading the settings, which must not rewrite the shop's document
  if (change.bigOrderFen === undefined && change.unfulfilledHours === undefined && change.stock === undefined) return alertSettingsOf(merchant);
  const { bigOrderFen: current, ...rest } = alertSettingsOf(merchant);
  const big = change.bigOrderFen === undefined ? current : (change.bigOrderFen ?? undefined);
  const next: AlertSettings = {
    ...rest,
    ...(change.unfulfilledHours !== undefined ? { unfulfilledHours: change.unfulfilledHours } : {}),
    ...(change.stock !== undefined ? { stock: change.stock } : {}),
    ...(big !== undefined ? { bigOrderFen: big } : {}),
  };
  await deps.storage.merchants.save({ ...merchant, alerts: next, updatedAt: Math.max(merchant.updatedAt, deps.clock.now()) });
  return next;
}
