import { z } from 'zod';
import { CampaignText } from './marketing';

/**
 * Follow-ups (issue 16 §4): automations the owner switches on. Each finds the customers due for it
 * on a day, and a customer gets a given follow-up at most once per its period (the `period` of a
 * due customer: the dormancy, year, order or purchase it is about).
 */
export const FOLLOWUP_KINDS = ['dormant', 'birthday', 'aftercare', 'repurchase'] as const;
export type FollowupKind = (typeof FOLLOWUP_KINDS)[number];

export const FOLLOWUP_NAME: Record<FollowupKind, string> = {
  dormant: '沉睡客户唤醒',
  birthday: '生日关怀',
  aftercare: '售后回访',
  repurchase: '复购提醒',
};

export const FollowupParams = z.object({
  /** dormant: no purchase in this many days. */
  dormantDays: z.number().int().min(7).max(365).optional(),
  /** birthday: this many days before (0: on the day). */
  daysBefore: z.number().int().min(0).max(7).optional(),
  /** aftercare: days after an order (each a message of its own). */
  afterDays: z.array(z.number().int().min(1).max(90)).min(1).max(3).optional(),
});
export type FollowupParams = z.infer<typeof FollowupParams>;

export const FollowupConfig = z.object({
  kind: z.enum(FOLLOWUP_KINDS),
  enabled: z.boolean(),
  params: FollowupParams,
  /** One text, or two for an A/B test: what the owner approved. Nothing is sent before there is one. */
  texts: z.array(CampaignText).max(2),
  /** When the owner approved `texts` (turning it on with them). */
  approvedAt: z.number().int().optional(),
  updatedAt: z.number().int(),
});
export type FollowupConfig = z.infer<typeof FollowupConfig>;

/** Per-industry dormancy (a milk-tea regular comes weekly, a clothes buyer every couple of months). */
export const DORMANT_DAYS: Record<'milktea' | 'clothing' | 'beauty' | 'general', number> = { milktea: 30, clothing: 90, beauty: 60, general: 60 };

export const DEFAULT_TEXTS: Record<FollowupKind, string> = {
  dormant: '{称呼}，好久不见～{多少天没来}天没来了，店里上了新品，给您留了一份小优惠，来店报名字就能用～',
  birthday: '{称呼}，生日快乐！🎂 生日当月来店，送您一份生日小礼物～',
  aftercare: '{称呼}，上次买的{上次买的}还满意吗？有任何问题随时找我们～',
  repurchase: '{称呼}，您常买的{上次买的}差不多该补货了，需要的话回复一下，我们帮您留着～',
};

export function defaultParams(kind: FollowupKind, industry: keyof typeof DORMANT_DAYS): FollowupParams {
  if (kind === 'dormant') return { dormantDays: DORMANT_DAYS[industry] };
  if (kind === 'birthday') return { daysBefore: 0 };
  if (kind === 'aftercare') return { afterDays: [1, 7, 30] };
  return {};
}
