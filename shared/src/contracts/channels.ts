import { z } from 'zod';
import { ChannelMembers, ChannelName, ChannelTags, ChannelWelcome, CHANNEL_LIMITS } from '../domain/channel';
import { MerchantId } from '../domain/ids';

/**
 * The 渠道活码 actions of the `api` contract (issue 15 §5; api.ts spreads them into its union,
 * policy and results): channel QR codes an owner prints for the counter, the delivery bag, the
 * 美团 page or a poster. Each routes customers to the members picked (their WeCom accounts), tags
 * whoever comes through it and greets them with its own welcome (the shop's when empty).
 *
 * Owner only: the codes are the shop's marketing, and their numbers count customers.
 */
const m = { merchantId: MerchantId };
const ChannelId = z.string().min(1).max(CHANNEL_LIMITS.stateChars);

export const CHANNEL_REQUESTS = [
  /** Every channel, oldest first, with its numbers (added, still friends, ordered within 30 days). */
  z.object({ action: z.literal('channels.list'), ...m }),
  /** Makes the QR code at WeCom, then stores it; nothing is stored when WeCom refuses. */
  z.object({
    action: z.literal('channels.create'),
    ...m,
    name: ChannelName,
    members: ChannelMembers,
    tags: ChannelTags.default([]),
    welcome: ChannelWelcome.nullable().optional(),
  }),
  /** Name, members, tags, welcome (null or empty: the shop's); absent fields stay. The printed code stays the same. */
  z.object({
    action: z.literal('channels.update'),
    ...m,
    id: ChannelId,
    name: ChannelName.optional(),
    members: ChannelMembers.optional(),
    tags: ChannelTags.optional(),
    welcome: ChannelWelcome.nullable().optional(),
  }),
  /** Deletes the code at WeCom (one already gone there is fine), then ours; its customers keep their tags. */
  z.object({ action: z.literal('channels.remove'), ...m, id: ChannelId }),
] as const;

export const CHANNEL_POLICY = {
  'channels.list': { role: 'owner', scope: 'merchant' },
  'channels.create': { role: 'owner', scope: 'merchant' },
  'channels.update': { role: 'owner', scope: 'merchant' },
  'channels.remove': { role: 'owner', scope: 'merchant' },
} as const;

export const ChannelView = z.object({
  id: z.string(),
  name: z.string(),
  /** WeCom userids of the members it routes to (members.list names them). */
  members: z.array(z.string()),
  tags: z.array(z.string()),
  /** null: the shop's default welcome. */
  welcome: z.string().nullable(),
  /** The QR picture's address (WeCom's, or the sandbox's locally). */
  qrCode: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type ChannelView = z.infer<typeof ChannelView>;

export const ChannelStatsView = z.object({
  added: z.number().int().nonnegative(),
  /** Added and still friends (did not delete the member). */
  friends: z.number().int().nonnegative(),
  /** Placed a paid order within 30 days of being added. */
  ordered: z.number().int().nonnegative(),
});

export const CHANNEL_RESULTS = {
  'channels.list': z.object({ channels: z.array(ChannelView.extend({ stats: ChannelStatsView })) }),
  'channels.create': z.object({ channel: ChannelView }),
  'channels.update': z.object({ channel: ChannelView }),
  'channels.remove': z.object({ id: z.string() }),
};
