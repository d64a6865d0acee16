import type { z } from 'zod';
import type { FollowupView } from '../contracts/campaigns';
import { DEFAULT_TEXTS, FOLLOWUP_NAME, type FollowupConfig } from '../domain/followup';
import { requireMerchant } from '../usecases/shop/require-merchant';
import type { ArmStats } from '../usecases/campaigns/stats';
import { followupStats, previewFollowups, type FollowupStats } from '../usecases/followups/preview';
import { loadFollowups, saveFollowup } from '../usecases/followups/store';
import type { Handlers } from './context';

const ZERO: ArmStats = { planned: 0, confirmed: 0, delivered: 0, failed: 0, waiting: 0, cancelled: 0, replied: 0, ordered: 0, revenueFen: 0 };
const NO_RUNS: FollowupStats = { ...ZERO, runs: 0, arms: [], ab: null };

const view = (c: FollowupConfig, stats: Partial<Record<string, FollowupStats>>): z.infer<typeof FollowupView> => ({
  kind: c.kind,
  name: FOLLOWUP_NAME[c.kind],
  enabled: c.enabled,
  params: c.params,
  texts: c.texts,
  approved: c.enabled && c.approvedAt !== undefined,
  stats: stats[c.kind] ?? NO_RUNS,
});

/** 自动跟进 (issue 16 §4): switches, parameters, approved texts, the week's preview and each one's numbers. */
export const followupActions = {
  'followups.list': async (ctx, req) => {
    const [configs, stats] = await Promise.all([loadFollowups(ctx.deps, req.merchantId), followupStats(ctx.deps, req.merchantId)]);
    return { followups: configs.map((c) => view(c, stats)) };
  },

  'followups.save': async (ctx, req) => {
    const { action: _a, merchantId: _m, kind, ...change } = req;
    const saved = await saveFollowup(ctx.deps, req.merchantId, kind, change);
    return { followup: view(saved, await followupStats(ctx.deps, req.merchantId)) };
  },

  'followups.preview': async (ctx, req) => {
    const all = await loadFollowups(ctx.deps, req.merchantId);
    const chosen = all.filter((c) => !req.kind || c.kind === req.kind).map((c) => (req.params ? { ...c, params: { ...c.params, ...req.params } } : c));
    return { previews: await previewFollowups(ctx.deps, req.merchantId, chosen) };
  },

  'followups.draft': async (ctx, req) => {
    if (!ctx.drafter) return { text: DEFAULT_TEXTS[req.kind], by: 'template' as const };
    const merchant = await requireMerchant(ctx.deps, req.merchantId);
    const d = await ctx.drafter.draft(merchant, req.kind);
    return { text: d.text, by: d.by };
  },
} satisfies Partial<Handlers>;
