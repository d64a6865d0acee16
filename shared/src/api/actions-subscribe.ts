import { creditsOf, grantSubscribe } from '../usecases/reports/subscribe';
import type { Handlers } from './context';

/**
 * The caller's own subscribe-message credits (NOT verified against WeChat): read, and added after
 * the app's requestSubscribeMessage. Always the session's openid, never one from the request.
 */
export const subscribeActions = {
  'reports.subscribe.get': async (ctx) => {
    const templateId = ctx.channel?.subscribe?.templateId ?? null;
    return { templateId, left: templateId ? await creditsOf(ctx.deps, templateId, ctx.openid) : 0 };
  },

  'reports.subscribe.grant': async (ctx, req) => grantSubscribe(ctx.deps, ctx.channel?.subscribe, ctx.openid, req.results),
} satisfies Partial<Handlers>;
