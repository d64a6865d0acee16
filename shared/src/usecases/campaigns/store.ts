import { AppError, notFound } from '../../domain/errors';
import type { Campaign } from '../../domain/marketing';
import type { Deps } from '../../ports/deps';

export const SEND_KIND = 'campaign.send';
export const TRACK_KIND = 'campaign.track';
export const sendKey = (merchantId: string, campaignId: string) => `campaign:send:${merchantId}:${campaignId}`;
export const trackKey = (merchantId: string, campaignId: string, n: number) => `campaign:track:${merchantId}:${campaignId}:${n}`;

const TRIES = 5;

/**
 * Writes `change(latest)` with compare-and-set, reading again when another writer got there first
 * (the tracking job and the owner's 取消 may meet). The change must be safe to apply to a newer copy.
 */
export async function saveCampaign(deps: Deps, current: Campaign, change: (c: Campaign) => Campaign): Promise<Campaign> {
  let c = current;
  for (let i = 0; i < TRIES; i++) {
    const rev = c.rev ?? 0;
    const next = { ...change(c), rev: rev + 1, updatedAt: deps.clock.now() };
    if (await deps.storage.campaigns.put(next, rev)) return next;
    const fresh = await deps.storage.campaigns.get(c.merchantId, c.id);
    if (!fresh) throw notFound('campaign');
    c = fresh;
  }
  throw new AppError('CONFLICT.CAMPAIGN_BUSY', '这个群发正在被同时修改，请稍后再试', 409);
}

export async function loadCampaign(deps: Deps, merchantId: string, id: string): Promise<Campaign> {
  const c = await deps.storage.campaigns.get(merchantId, id);
  if (!c) throw notFound('campaign');
  return c;
}
