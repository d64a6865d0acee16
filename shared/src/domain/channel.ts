import { z } from 'zod';
import { Instant, MerchantId } from './ids';
import { TagName } from './tag-rule';

/**
 * A channel QR code (渠道活码, WeCom 联系我, issue 15 §5): one printed or posted code per place a
 * customer meets the shop (门店柜台, 外卖袋, 美团页面, 海报). A customer who adds a member through it
 * gets its welcome text, its tags and 渠道活码 · <name> as their source.
 *
 * `state` is ours (≤ 30 characters, unique per shop: it is also the channel's id) and comes back
 * in the add_external_contact callback; `configId` is WeCom's handle, without which the code can
 * neither be edited nor deleted (doc 96348).
 */

export const CHANNEL_LIMITS = {
  /** Also the contact way's remark at WeCom (≤ 30 characters there). */
  nameChars: 30,
  /** The contact way's `state` (doc 96348). */
  stateChars: 30,
  /** A welcome of this many characters stays far under send_welcome_msg's 4000 bytes. */
  welcomeChars: 1000,
  members: 100,
  tags: 10,
  /** A shop has tens of channels; the list is read whole on every customer list. */
  perShop: 100,
} as const;

export const ChannelName = z.string().trim().min(1, '活码名称不能是空的').max(CHANNEL_LIMITS.nameChars, `活码名称最多 ${CHANNEL_LIMITS.nameChars} 个字`);
/** WeCom userids of the shop's members the code routes to. */
export const ChannelMembers = z
  .array(z.string().trim().min(1).max(64))
  .min(1, '至少选一位接待的店员')
  .max(CHANNEL_LIMITS.members, `最多 ${CHANNEL_LIMITS.members} 位店员`)
  .transform((ids) => [...new Set(ids)]);
export const ChannelTags = z
  .array(TagName)
  .max(CHANNEL_LIMITS.tags, `最多 ${CHANNEL_LIMITS.tags} 个标签`)
  .transform((tags) => [...new Set(tags)]);
/** Empty means the shop's default welcome. */
export const ChannelWelcome = z.string().trim().max(CHANNEL_LIMITS.welcomeChars, `欢迎语最多 ${CHANNEL_LIMITS.welcomeChars} 个字`);

export const Channel = z.object({
  merchantId: MerchantId,
  /** Our `state` at WeCom: the channel's id too. */
  state: z.string().min(1).max(CHANNEL_LIMITS.stateChars),
  name: ChannelName,
  members: z.array(z.string().min(1).max(64)).min(1),
  tags: z.array(z.string()),
  welcome: z.string().optional(),
  /** add_contact_way type: 1 one member (that member's own card), 2 several (WeCom picks one). Fixed at creation. */
  type: z.union([z.literal(1), z.literal(2)]),
  configId: z.string().min(1),
  qrCode: z.string(),
  createdAt: Instant,
  updatedAt: Instant,
});
export type Channel = z.infer<typeof Channel>;
