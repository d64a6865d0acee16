import { AppError } from '../../domain/errors';
import type { Campaign } from '../../domain/marketing';
import { afterQuietHours, marketingSettingsOf } from '../../domain/marketing-settings';
import type { Merchant } from '../../domain/merchant';
import type { Deps } from '../../ports/deps';
import type { SendEnv } from './send';
import { loadCampaign, saveCampaign, SEND_KIND, sendKey } from './store';

const PAGE = 5_000;

/**
 * 确认发送: a planned draft becomes scheduled, its send booked as one job under a key of the
 * campaign, so however often this or the scheduler runs, the tasks are created once. A plan whose
 * time has passed goes out now (still outside quiet hours).
 */
export async function scheduleCampaign(deps: Deps, merchant: Merchant, id: string): Promise<Campaign> {
  const c = await loadCampaign(deps, merchant.id, id);
  if (c.status === 'scheduled' || c.status === 'sending' || c.status === 'sent') return c;
  if (c.status === 'cancelled') throw new AppError('CONFLICT.CAMPAIGN_CANCELLED', '这个群发已经取消了', 409);
  if (!c.plan) throw new AppError('CONFLICT.CAMPAIGN_NOT_PLANNED', '先选好发给谁，看一下能发到多少人', 409);
  if (!c.content.texts.length) throw new AppError('CONFLICT.CAMPAIGN_NO_TEXT', '还没写群发内容', 409);
  if (c.plan.recipients === 0) throw new AppError('CONFLICT.CAMPAIGN_NOBODY', '按现在的条件，没有客户能收到这条群发', 409);
  const now = deps.clock.now();
  const sendAt = c.plan.sendAt > now ? c.plan.sendAt : afterQuietHours(now, marketingSettingsOf(merchant).quietHours, merchant.timezone);
  const next = await saveCampaign(deps, c, (x) => (x.status === 'draft' ? { ...x, status: 'scheduled', plan: { ...x.plan!, sendAt } } : x));
  await deps.storage.jobs.enqueue({ key: sendKey(merchant.id, id), merchantId: merchant.id, kind: SEND_KIND, runAt: sendAt, maxAttempts: 8 }, now);
  return next;
}

/**
 * 取消: nothing more goes out. Tasks members have not confirmed are cancelled at WeCom
 * (cancel_groupmsg_send); what was already sent stays sent (doc 97611), and its numbers stay.
 */
export async function cancelCampaign(env: SendEnv, merchantId: string, id: string): Promise<Campaign> {
  const { deps } = env;
  let c = await loadCampaign(deps, merchantId, id);
  if (c.status === 'cancelled') return c;
  if (c.status === 'sent') throw new AppError('CONFLICT.CAMPAIGN_SENT', '这个群发已经发完了，取消不了', 409);
  // first the status, so a send job that starts now finds it cancelled
  c = await saveCampaign(deps, c, (x) => ({ ...x, status: 'cancelled' }));
  for (const t of c.tasks) {
    if (t.state === 'created' && t.msgid && t.memberStatus !== 2) await env.wecom.cancelGroupmsgSend(merchantId, { msgid: t.msgid });
  }
  for (const status of ['planned', 'waiting'] as const) {
    let cursor: string | undefined;
    do {
      const page = await deps.storage.campaigns.listRecipients(merchantId, id, { limit: PAGE, status, ...(cursor ? { cursor } : {}) });
      await deps.storage.campaigns.updateRecipients(
        merchantId,
        id,
        page.items.map((r) => ({ externalUserId: r.externalUserId, status: 'cancelled' as const })),
      );
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return c;
}
