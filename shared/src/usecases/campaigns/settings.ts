import { MarketingSettings, marketingSettingsOf } from '../../domain/marketing-settings';
import { parseInput } from '../../domain/validation';
import type { Deps } from '../../ports/deps';
import { requireMerchant } from '../shop/require-merchant';

/** 营销设置: the given fields replace the shop's, the rest stay; the whole is checked before it is stored. */
export async function saveMarketingSettings(deps: Deps, merchantId: string, patch: Partial<MarketingSettings>): Promise<MarketingSettings> {
  const merchant = await requireMerchant(deps, merchantId);
  const settings = parseInput(MarketingSettings, { ...marketingSettingsOf(merchant), ...patch });
  await deps.storage.merchants.save({ ...merchant, marketing: settings, updatedAt: deps.clock.now() });
  return settings;
}
