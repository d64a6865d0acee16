import type { Deps } from '../../ports/deps';

/** A reply or an order within this long after a delivery counts for that campaign (the last one sent). */
export const ATTRIBUTION_MS = 7 * 86_400_000;

/**
 * Phrases a customer uses to stop marketing. Whole-message matches only, after trimming polite
 * words and punctuation: "别发了" stops them, "别发了吗？还有货吗" in a longer question does not.
 */
const STOP = ['退订', 'td', 'TD', '别发了', '不要发了', '别再发了', '不要再发了', '取消订阅', '不要再给我发', '别给我发了', '不要给我发了', '拒收'];
const POLITE = /^(请|麻烦|你们|以后|帮我)+|(了|吧|啊|呀|哦|谢谢|,|，|。|！|!|\s)+$/g;

export function isOptOut(text: string): boolean {
  const t = text.trim().replace(POLITE, '').replace(POLITE, '');
  return STOP.some((s) => t === s || t === s.replace(/了$/, ''));
}

/** A customer's text: 退订 marks them (never targeted again); any message counts as a reply to their latest campaign. */
export async function onCampaignCustomerMessage(deps: Deps, merchantId: string, externalUserId: string, at: number, text: string | null): Promise<void> {
  if (text !== null && isOptOut(text)) {
    const c = await deps.storage.customers.get(merchantId, externalUserId);
    if (c && c.optedOutAt === undefined) await deps.storage.customers.upsert({ ...c, optedOutAt: at, updatedAt: deps.clock.now() });
  }
  const d = await deps.storage.campaigns.latestDelivery(merchantId, externalUserId, at - ATTRIBUTION_MS);
  if (d && d.repliedAt === undefined && d.sentAt !== undefined && d.sentAt <= at) {
    await deps.storage.campaigns.updateRecipients(merchantId, d.campaignId, [{ externalUserId, repliedAt: at }]);
    // the 回复过活动 tag condition reads it from the customer
    const c = await deps.storage.customers.get(merchantId, externalUserId);
    if (c && (c.campaignReplyAt ?? 0) < at) await deps.storage.customers.upsert({ ...c, campaignReplyAt: at, updatedAt: deps.clock.now() });
  }
}

/** A paid order: its amount counts for the customer's latest campaign sent within 7 days before it. */
export async function onCampaignOrder(deps: Deps, merchantId: string, externalUserId: string, order: { id: string; placedAt: number; paidFen: number }): Promise<void> {
  const d = await deps.storage.campaigns.latestDelivery(merchantId, externalUserId, order.placedAt - ATTRIBUTION_MS);
  if (!d || d.sentAt === undefined || d.sentAt > order.placedAt) return;
  // one order is counted once: the kv marker is the order's, written before the revenue
  if (!(await deps.storage.kv.set(merchantId, 'campaign-orders', order.id, { campaignId: d.campaignId }, null, deps.clock.now()))) return;
  await deps.storage.campaigns.updateRecipients(merchantId, d.campaignId, [
    { externalUserId, orderedAt: d.orderedAt ?? order.placedAt, revenueFen: (d.revenueFen ?? 0) + order.paidFen },
  ]);
}
