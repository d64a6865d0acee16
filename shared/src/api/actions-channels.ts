import type { ChannelView } from '../contracts/channels';
import type { Channel } from '../domain/channel';
import { AppError } from '../domain/errors';
import { createChannel, removeChannel, updateChannel, type ChannelEnv } from '../usecases/channels/manage';
import { listChannelsWithStats } from '../usecases/channels/stats';
import type { CallContext, Handlers } from './context';

const channelView = (c: Channel): ChannelView => ({
  id: c.state,
  name: c.name,
  members: c.members,
  tags: c.tags,
  welcome: c.welcome ?? null,
  qrCode: c.qrCode,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

/** Codes are made, changed and deleted at WeCom: without the channel nothing can be done. */
function env(ctx: CallContext): ChannelEnv {
  if (!ctx.channel) throw new AppError('CONFIG.NO_CHANNEL', '企业微信还没接好，暂时不能生成或修改活码', 503);
  return { deps: ctx.deps, wecom: ctx.channel.wecom };
}

/** 渠道活码 (issue 15 §5): channel QR codes with their welcome, tags, members and numbers. */
export const channelActions = {
  'channels.list': async (ctx, req) => ({
    channels: (await listChannelsWithStats(ctx.deps, req.merchantId)).map(({ channel, stats }) => ({ ...channelView(channel), stats })),
  }),

  'channels.create': async (ctx, req) => ({
    channel: channelView(await createChannel(env(ctx), req.merchantId, { name: req.name, members: req.members, tags: req.tags, welcome: req.welcome })),
  }),

  'channels.update': async (ctx, req) => ({
    channel: channelView(await updateChannel(env(ctx), req.merchantId, req.id, { name: req.name, members: req.members, tags: req.tags, welcome: req.welcome })),
  }),

  'channels.remove': async (ctx, req) => {
    await removeChannel(env(ctx), req.merchantId, req.id);
    return { id: req.id };
  },
} satisfies Partial<Handlers>;
