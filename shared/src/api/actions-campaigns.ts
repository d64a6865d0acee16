import type { CampaignView } from '../contracts/campaigns';
import { audienceText, parseAudience } from '../domain/audience';
import { EXCLUSION_TEXT, type Campaign, type CampaignPlan } from '../domain/marketing';
import { afterQuietHours, marketingSettingsOf, QUOTA_TEXT, QuotaRule } from '../domain/marketing-settings';
import type { Merchant } from '../domain/merchant';
import { dayOf, localMinute } from '../domain/time';
import type { Deps } from '../ports/deps';
import { cancelCampaign, scheduleCampaign } from '../usecases/campaigns/lifecycle';
import { forecast, planDraft } from '../usecases/campaigns/plan';
import { campaignStats } from '../usecases/campaigns/stats';
import { loadCampaign } from '../usecases/campaigns/store';
import { saveMarketingSettings } from '../usecases/campaigns/settings';
import { requireMerchant } from '../usecases/shop/require-merchant';
import { channelOf, type Handlers } from './context';

function campaignView(c: Campaign): CampaignView {
  let text = '';
  try {
    text = audienceText(parseAudience(c.audience));
  } catch {
    text = '人群条件看不懂了';
  }
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    audience: c.audience,
    audienceText: text,
    excludeMessagedDays: c.excludeMessagedDays ?? null,
    texts: c.content.texts,
    attachments: c.content.attachments,
    sendAt: c.plan?.sendAt ?? null,
    recipients: c.plan?.recipients ?? 0,
    waitingMembers: [...new Set(c.tasks.filter((t) => t.state === 'created' && t.memberStatus !== 2).map((t) => t.sender))],
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

/** Members' names for the plan's senders (a userid the shop no longer has reads as itself). */
async function planView(deps: Deps, merchant: Merchant, p: Omit<CampaignPlan, 'plannedAt'>) {
  const names = new Map((await deps.storage.members.list(merchant.id)).flatMap((x) => (x.wecomUserId ? [[x.wecomUserId, x.name] as const] : [])));
  const tz = merchant.timezone;
  const quiet = marketingSettingsOf(merchant).quietHours;
  // moved by quiet hours: the send sits at the end of a quiet stretch. Not merely sendAt ≠ askedAt —
  // 确认发送 after a draft's time has passed sends now, which is no quiet-hours move.
  const moved = p.sendAt > p.askedAt && afterQuietHours(p.sendAt - 60_000, quiet, tz) === p.sendAt;
  const when = (t: number) => `${dayOf(t, tz) === dayOf(p.askedAt, tz) ? '当天' : '第二天'} ${localMinute(t, tz).slice(11)}`;
  return {
    recipients: p.recipients,
    bySender: p.bySender.map((s) => ({ ...s, name: names.get(s.userid) ?? s.userid })),
    excluded: p.excluded.map((e) => ({ ...e, text: EXCLUSION_TEXT[e.reason] })),
    sendAt: p.sendAt,
    askedAt: p.askedAt,
    quietNote: moved ? `${quiet.from}–${quiet.to} 不打扰客户，改到${when(p.sendAt)}发` : null,
  };
}

/** 营销 (issue 16): campaigns with their reach forecast, sending, numbers; the shop's marketing settings. */
export const campaignActions = {
  'campaigns.list': async (ctx, req) => {
    // a follow-up's daily runs are 自动跟进's numbers, not campaigns the owner wrote
    const list = (await ctx.deps.storage.campaigns.list(req.merchantId, 300)).filter((c) => !c.followup).slice(0, 50);
    const campaigns = await Promise.all(
      list.map(async (c) => ({
        ...campaignView(c),
        delivered: campaignStats(await ctx.deps.storage.campaigns.recipientCounts(req.merchantId, c.id), c.content.texts.length).delivered,
      })),
    );
    return { campaigns };
  },

  'campaigns.get': async (ctx, req) => {
    const merchant = await requireMerchant(ctx.deps, req.merchantId);
    const c = await loadCampaign(ctx.deps, req.merchantId, req.id);
    const stats = campaignStats(await ctx.deps.storage.campaigns.recipientCounts(req.merchantId, c.id), c.content.texts.length);
    // before it is sent its recipients are the plan's (their rows are written at the send)
    if (c.materializedAt === undefined) stats.planned = c.plan?.recipients ?? 0;
    return { campaign: campaignView(c), plan: c.plan ? await planView(ctx.deps, merchant, c.plan) : null, stats: { ...stats, ab: stats.ab ?? null } };
  },

  'campaigns.forecast': async (ctx, req) => {
    const merchant = await requireMerchant(ctx.deps, req.merchantId);
    const { action: _a, merchantId: _m, ...draft } = req;
    return planView(ctx.deps, merchant, await forecast(ctx.deps, merchant, draft));
  },

  'campaigns.save': async (ctx, req) => {
    const merchant = await requireMerchant(ctx.deps, req.merchantId);
    const { action: _a, merchantId: _m, ...draft } = req;
    const plan = await planDraft(ctx.deps, merchant, draft, ctx.member.id);
    return { campaign: campaignView(await loadCampaign(ctx.deps, req.merchantId, plan.campaignId)), plan: await planView(ctx.deps, merchant, plan) };
  },

  'campaigns.schedule': async (ctx, req) => {
    const merchant = await requireMerchant(ctx.deps, req.merchantId);
    return { campaign: campaignView(await scheduleCampaign(ctx.deps, merchant, req.id)) };
  },

  'campaigns.cancel': async (ctx, req) => ({ campaign: campaignView(await cancelCampaign({ deps: ctx.deps, wecom: channelOf(ctx).wecom }, req.merchantId, req.id)) }),

  'marketing.settings.get': async (ctx, req) => {
    const settings = marketingSettingsOf(await requireMerchant(ctx.deps, req.merchantId));
    return { settings, quotaText: QUOTA_TEXT[settings.quota], quotaOptions: QuotaRule.options.map((value) => ({ value, text: QUOTA_TEXT[value] })) };
  },

  'marketing.settings.save': async (ctx, req) => ({ settings: await saveMarketingSettings(ctx.deps, req.merchantId, req.settings) }),
} satisfies Partial<Handlers>;
