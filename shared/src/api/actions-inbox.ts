import { changesSince } from '../usecases/conversations/changes';
import { getFollowUp, setFollowUp } from '../usecases/conversations/follow-up';
import { listQuickReplies, saveQuickReplies } from '../usecases/conversations/quick-replies';
import { transferTargets } from '../usecases/conversations/transfer';
import type { Handlers } from './context';

/** Live updates, the transfer picker, the follow-up setting and quick replies (contracts/api-inbox.ts). */
export const inboxActions = {
  'inbox.changes': async (ctx, req) => changesSince(ctx.deps.storage, req.merchantId, req.since),

  'inbox.servicers': async (ctx, req) => ({ servicers: await transferTargets(ctx.deps, req.merchantId) }),

  'inbox.followUp.get': async (ctx, req) => ({ setting: await getFollowUp(ctx.deps, req.merchantId) }),

  'inbox.followUp.save': async (ctx, req) => ({ setting: await setFollowUp(ctx.deps, req.merchantId, req.setting) }),

  'quickReplies.list': async (ctx, req) => ({ items: await listQuickReplies(ctx.deps, req.merchantId) }),

  'quickReplies.save': async (ctx, req) => ({ items: await saveQuickReplies(ctx.deps, req.merchantId, req.items) }),
} satisfies Partial<Handlers>;
