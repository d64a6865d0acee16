import { listAudit } from '../usecases/shop/audit';
import { badges, dashboardToday, dashboardTrends } from '../usecases/shop/dashboard';
import { joinShop, myShops } from '../usecases/shop/my-shops';
import { requireMerchant } from '../usecases/shop/require-merchant';
import { signOutEverywhere } from '../usecases/shop/sessions';
import { updateSettings } from '../usecases/shop/settings';
import { checkSetup } from '../usecases/shop/setup-check';
import { inviteMember, listMembers, removeMember, updateMember } from '../usecases/shop/team';
import type { Handlers } from './context';
import { memberView, settingsView } from './views';

/** The person, their shops, the dashboard and the owner's settings. */
export const shopActions = {
  'me.get': async (ctx) => ({ memberId: ctx.member.id, merchants: await myShops(ctx.deps, ctx.openid) }),

  'me.join': async (ctx, req) => ({ merchant: await joinShop(ctx.deps, { code: req.code, openid: ctx.openid, name: req.name }) }),

  'me.signOutEverywhere': async (ctx) => signOutEverywhere(ctx.deps, ctx.openid),

  'dashboard.today': async (ctx, req) => dashboardToday(ctx.deps, req.merchantId, ctx.member.role),

  'dashboard.trends': async (ctx, req) => dashboardTrends(ctx.deps, req.merchantId, ctx.member.role, req.days),

  'badges.get': async (ctx, req) => badges(ctx.deps, req.merchantId),

  'settings.get': async (ctx, req) => settingsView(await requireMerchant(ctx.deps, req.merchantId), ctx.deps.secrets),

  'settings.update': async (ctx, req) => settingsView(await updateSettings(ctx.deps, req.merchantId, ctx.member.id, req), ctx.deps.secrets),

  'setup.check': async (ctx, req) => checkSetup(ctx.deps, req.merchantId, ctx.channel),

  'members.list': async (ctx, req) => ({ members: (await listMembers(ctx.deps, req.merchantId)).map((m) => ({ ...memberView(m), you: m.id === ctx.member.id })) }),

  'members.update': async (ctx, req) => ({ member: memberView(await updateMember(ctx.deps, { ...req, actorId: ctx.member.id })) }),

  'members.remove': async (ctx, req) => removeMember(ctx.deps, { merchantId: req.merchantId, memberId: req.memberId, actorId: ctx.member.id }),

  'invites.create': async (ctx, req) => {
    const invite = await inviteMember(ctx.deps, { merchantId: req.merchantId, role: req.role, actorId: ctx.member.id });
    return { code: invite.code, role: invite.role, expiresAt: invite.expiresAt };
  },

  'audit.list': async (ctx, req) => ({ entries: (await listAudit(ctx.deps, req.merchantId, req.limit)).map(({ actor, action, target, at }) => ({ actor, action, target, at })) }),
} satisfies Partial<Handlers>;
