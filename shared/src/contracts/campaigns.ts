import { z } from 'zod';
import { Instant, MerchantId } from '../domain/ids';
import { Attachment, CAMPAIGN_STATUSES, CampaignText, EXCLUSION_REASONS } from '../domain/marketing';
import { MarketingSettings, QuotaRule } from '../domain/marketing-settings';
import { FOLLOWUP_KINDS, FollowupParams } from '../domain/followup';

/**
 * The 营销 actions of the `api` contract (issue 16; api.ts spreads them into its union, policy
 * and results). All are the owner's: a mass send speaks for the shop.
 *
 * An audience is a tag expression: `"VIP"` | `{"all":[A…]}` | `{"any":[A…]}` | `{"not":A}`; a bad
 * one is refused with INPUT.INVALID whose `details.path` names the part (`audience.all.1`). Texts
 * may use {称呼}, {上次买的}, {多少天没来}; two texts make an A/B test.
 */
const m = { merchantId: MerchantId };
const CampaignId = z.string().min(1).max(80);

const Draft = {
  audience: z.unknown(),
  /** Leave out customers who got a mass send in the last N days. */
  excludeMessagedDays: z.number().int().min(1).max(90).optional(),
  texts: z.array(CampaignText).max(2).default([]),
  attachments: z.array(Attachment).max(9).default([]),
  /** When to send (ms); absent: now. Quiet hours move it, the answer says to when. */
  sendAt: Instant.optional(),
};

export const CAMPAIGN_REQUESTS = [
  z.object({ action: z.literal('campaigns.list'), ...m }),
  /** One campaign with its plan, its numbers (per A/B arm) and the verdict. */
  z.object({ action: z.literal('campaigns.get'), ...m, id: CampaignId }),
  /** The reach forecast while the owner edits: who would get it and why the others would not. Writes nothing. */
  z.object({ action: z.literal('campaigns.forecast'), ...m, ...Draft }),
  /** Stores a draft (new, or the draft `id` again) with its plan and recipients. */
  z.object({ action: z.literal('campaigns.save'), ...m, id: CampaignId.optional(), name: z.string().trim().min(1).max(60).optional(), ...Draft }),
  /** 确认发送: the draft is booked for its send time; the members then confirm it in WeCom. */
  z.object({ action: z.literal('campaigns.schedule'), ...m, id: CampaignId }),
  /** 取消: nothing more goes out; what was sent stays sent. */
  z.object({ action: z.literal('campaigns.cancel'), ...m, id: CampaignId }),
  z.object({ action: z.literal('marketing.settings.get'), ...m }),
  z.object({ action: z.literal('marketing.settings.save'), ...m, settings: MarketingSettings.partial() }),
  /** 自动跟进: each follow-up with its switch, parameters, approved text(s) and numbers so far. */
  z.object({ action: z.literal('followups.list'), ...m }),
  /** Turning one on approves its text(s); nothing is sent that the owner has not approved. */
  z.object({
    action: z.literal('followups.save'),
    ...m,
    kind: z.enum(FOLLOWUP_KINDS),
    enabled: z.boolean().optional(),
    params: FollowupParams.optional(),
    texts: z.array(CampaignText).min(1).max(2).optional(),
  }),
  /** Who each follow-up would message this week (with `params`, as if they were saved). Writes nothing. */
  z.object({ action: z.literal('followups.preview'), ...m, kind: z.enum(FOLLOWUP_KINDS).optional(), params: FollowupParams.optional() }),
  /** A text for one follow-up written by the model when one is set up (else the default). Only a draft: nothing is saved or sent. */
  z.object({ action: z.literal('followups.draft'), ...m, kind: z.enum(FOLLOWUP_KINDS) }),
] as const;

export const CAMPAIGN_POLICY = {
  'campaigns.list': { role: 'owner', scope: 'merchant' },
  'campaigns.get': { role: 'owner', scope: 'merchant' },
  'campaigns.forecast': { role: 'owner', scope: 'merchant' },
  'campaigns.save': { role: 'owner', scope: 'merchant' },
  'campaigns.schedule': { role: 'owner', scope: 'merchant' },
  'campaigns.cancel': { role: 'owner', scope: 'merchant' },
  'marketing.settings.get': { role: 'owner', scope: 'merchant' },
  'marketing.settings.save': { role: 'owner', scope: 'merchant' },
  'followups.list': { role: 'owner', scope: 'merchant' },
  'followups.save': { role: 'owner', scope: 'merchant' },
  'followups.preview': { role: 'owner', scope: 'merchant' },
  'followups.draft': { role: 'owner', scope: 'merchant' },
} as const;

export const ForecastView = z.object({
  recipients: z.number().int(),
  bySender: z.array(z.object({ userid: z.string(), name: z.string(), count: z.number().int(), chunks: z.number().int() })),
  /** Each reason with its count and the owner's words for it. */
  excluded: z.array(z.object({ reason: z.enum(EXCLUSION_REASONS), count: z.number().int(), text: z.string() })),
  sendAt: z.number(),
  askedAt: z.number(),
  /** Said when quiet hours moved the send: 21:00–09:00 不打扰客户，改到 明天 09:00 发. */
  quietNote: z.string().nullable(),
});

const ArmView = z.object({
  planned: z.number().int(),
  confirmed: z.number().int(),
  delivered: z.number().int(),
  failed: z.number().int(),
  waiting: z.number().int(),
  cancelled: z.number().int(),
  replied: z.number().int(),
  ordered: z.number().int(),
  revenueFen: z.number().int(),
});
const Verdict = z.object({ counts: z.array(z.object({ converted: z.number().int(), delivered: z.number().int() })), winner: z.number().int().nullable(), text: z.string() });

export const CampaignView = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  /** The audience expression as stored, and in words. */
  audience: z.unknown(),
  audienceText: z.string(),
  excludeMessagedDays: z.number().nullable(),
  texts: z.array(z.string()),
  attachments: z.array(Attachment),
  sendAt: z.number().nullable(),
  recipients: z.number().int(),
  /** Members whose task waits for their confirmation in WeCom. */
  waitingMembers: z.array(z.string()),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type CampaignView = z.infer<typeof CampaignView>;

export const FollowupView = z.object({
  kind: z.enum(FOLLOWUP_KINDS),
  name: z.string(),
  enabled: z.boolean(),
  params: FollowupParams,
  texts: z.array(z.string()),
  /** Whether the texts shown are the ones the owner approved (turned on with). */
  approved: z.boolean(),
  /** Over its runs; per arm and with the verdict when it has two texts (A 版 / B 版). */
  stats: ArmView.extend({ runs: z.number().int(), arms: z.array(ArmView), ab: z.object({ replied: Verdict, ordered: Verdict }).nullable() }),
});
const PreviewView = z.object({
  kind: z.enum(FOLLOWUP_KINDS),
  name: z.string(),
  enabled: z.boolean(),
  count: z.number().int(),
  sample: z.array(z.object({ externalUserId: z.string(), name: z.string(), day: z.string() })),
});

export const CAMPAIGN_RESULTS = {
  'campaigns.list': z.object({ campaigns: z.array(CampaignView.extend({ delivered: z.number().int() })) }),
  'campaigns.get': z.object({
    campaign: CampaignView,
    plan: ForecastView.nullable(),
    stats: ArmView.extend({ arms: z.array(ArmView), ab: z.object({ replied: Verdict, ordered: Verdict }).nullable() }),
  }),
  'campaigns.forecast': ForecastView,
  'campaigns.save': z.object({ campaign: CampaignView, plan: ForecastView }),
  'campaigns.schedule': z.object({ campaign: CampaignView }),
  'campaigns.cancel': z.object({ campaign: CampaignView }),
  'marketing.settings.get': z.object({ settings: MarketingSettings, quotaText: z.string(), quotaOptions: z.array(z.object({ value: QuotaRule, text: z.string() })) }),
  'marketing.settings.save': z.object({ settings: MarketingSettings }),
  'followups.list': z.object({ followups: z.array(FollowupView) }),
  'followups.save': z.object({ followup: FollowupView }),
  'followups.preview': z.object({ previews: z.array(PreviewView) }),
  /** `model`: written by the model; `template`: the default (no model set up, or its draft broke the rules). */
  'followups.draft': z.object({ text: z.string(), by: z.enum(['model', 'template']) }),
} as const;
