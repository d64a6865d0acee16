import { z } from 'zod';
import { Instant, MerchantId } from './ids';

/** Tag rules live in tag-rule.ts (issue 15). */
export { TagRule } from './tag-rule';

/**
 * Campaigns (issue 16): a mass send through WeCom's 客户联系 (`add_msg_template`), which only
 * creates a task per sending member; each member confirms it in the WeCom client. The document
 * holds the plan's summary and one entry per task; recipients are rows of their own (100k of them
 * do not fit a document).
 */

/** Text ≤ 4000 bytes (WeCom), checked by the use case in bytes; the schema bounds characters. */
export const CampaignText = z.string().trim().min(1, '内容不能为空').max(4000, '内容太长了，最多 4000 字节');

/** An address WeCom opens for the customer: http(s) only (no javascript:, no ftp:). */
const WebUrl = z
  .string()
  .max(1000, '链接地址太长了')
  .regex(/^https?:\/\/[^\s]+$/i, '链接地址要以 https:// 或 http:// 开头');

export const Attachment = z.discriminatedUnion('type', [
  z.object({ type: z.literal('image'), url: WebUrl }),
  z.object({
    type: z.literal('link'),
    title: z.string().trim().min(1, '链接要有标题').max(60, '链接标题最多 60 个字'),
    url: WebUrl,
    desc: z.string().max(170, '链接说明最多 170 个字').optional(),
    picUrl: WebUrl.optional(),
  }),
  z.object({
    type: z.literal('miniprogram'),
    title: z.string().min(1, '小程序卡片要有标题').max(21, '小程序卡片标题最多 21 个字'),
    appid: z.string().min(1).max(40),
    page: z.string().min(1).max(200),
    picMediaId: z.string().min(1).max(200),
  }),
]);
export type Attachment = z.infer<typeof Attachment>;

/** One text (or two: an A/B test) plus up to 9 attachments; a draft may have no text yet. */
export const CampaignContent = z.object({
  texts: z.array(CampaignText).max(2),
  attachments: z.array(Attachment).max(9).default([]),
});
export type CampaignContent = z.infer<typeof CampaignContent>;

/** Why a customer in the audience will not get it (the plan counts each customer once, first reason wins). */
export const EXCLUSION_REASONS = ['optedOut', 'lost', 'noSender', 'recentlyMessaged', 'quota'] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];
export const EXCLUSION_TEXT: Record<ExclusionReason, string> = {
  optedOut: '说过不要再发（退订）',
  lost: '已经删了店员好友',
  noSender: '没有对应的店员',
  recentlyMessaged: '最近已经发过',
  quota: '这段时间能收的群发条数用完了',
};

export const RECIPIENT_STATUSES = ['planned', 'waiting', 'sent', 'notFriend', 'quota', 'failed', 'cancelled'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

/** The `sender` of a follow-up that went through 微信客服 rather than a member's mass send (WeCom userids never contain ':'). */
export const KF_SENDER = 'kf:';

export const CampaignRecipient = z.object({
  merchantId: MerchantId,
  campaignId: z.string().min(1),
  externalUserId: z.string().min(1).max(128),
  sender: z.string().min(1),
  /** Index into `content.texts`: the A/B arm, drawn once (seeded) and stored. */
  variant: z.number().int().min(0).max(1),
  status: z.enum(RECIPIENT_STATUSES),
  /** The WeCom task this customer is in, once created. */
  msgid: z.string().optional(),
  sentAt: Instant.optional(),
  repliedAt: Instant.optional(),
  orderedAt: Instant.optional(),
  revenueFen: z.number().int().nonnegative().optional(),
});
export type CampaignRecipient = z.infer<typeof CampaignRecipient>;

/** One add_msg_template call: persisted as `creating` before the call, so a retry can find it. */
export const CampaignTask = z.object({
  key: z.string().min(1),
  sender: z.string().min(1),
  variant: z.number().int().min(0).max(1),
  count: z.number().int().nonnegative(),
  /** One customer's task when the text names them ({称呼} and the like). */
  externalUserId: z.string().optional(),
  state: z.enum(['creating', 'created', 'failed']),
  startedAt: Instant,
  msgid: z.string().optional(),
  error: z.string().max(300).optional(),
  /** Member status at WeCom: 0 unsent, 1 confirmed, 2 sent; reminders sent (≤ 3 per 24 h). */
  memberStatus: z.number().int().optional(),
  reminders: z.array(Instant).default([]),
});
export type CampaignTask = z.infer<typeof CampaignTask>;

export const CampaignPlan = z.object({
  recipients: z.number().int().nonnegative(),
  bySender: z.array(z.object({ userid: z.string(), count: z.number().int().nonnegative(), chunks: z.number().int().nonnegative() })),
  excluded: z.array(z.object({ reason: z.enum(EXCLUSION_REASONS), count: z.number().int().positive() })),
  /** When it will go out: the asked time moved past quiet hours (equal when it was outside them). */
  sendAt: Instant,
  askedAt: Instant,
  plannedAt: Instant,
});
export type CampaignPlan = z.infer<typeof CampaignPlan>;

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'sending', 'sent', 'cancelled'] as const;
export const Campaign = z.object({
  id: z.string().min(1),
  merchantId: MerchantId,
  name: z.string().min(1).max(60),
  /** The audience expression (domain/audience.ts), as stored. */
  audience: z.unknown(),
  excludeMessagedDays: z.number().int().min(1).max(90).optional(),
  content: CampaignContent,
  status: z.enum(CAMPAIGN_STATUSES),
  plan: CampaignPlan.optional(),
  tasks: z.array(CampaignTask).default([]),
  /** When its recipient rows were written (at the first send run; a follow-up writes its own). */
  materializedAt: Instant.optional(),
  /** A follow-up's run (issue 16 §4) rather than a campaign the owner wrote. */
  followup: z.object({ id: z.string(), period: z.string() }).optional(),
  createdBy: z.string().optional(),
  createdAt: Instant,
  updatedAt: Instant,
  /** Compare-and-set token; absent before the first versioned write. */
  rev: z.number().int().nonnegative().optional(),
});
export type Campaign = z.infer<typeof Campaign>;
