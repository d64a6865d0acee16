import { z } from 'zod';
import { AppError } from '../../domain/errors';
import { defaultParams, DEFAULT_TEXTS, FOLLOWUP_KINDS, FollowupConfig, FollowupParams, type FollowupKind } from '../../domain/followup';
import { CampaignText } from '../../domain/marketing';
import { parseInput } from '../../domain/validation';
import type { Deps } from '../../ports/deps';
import { industryOf } from '../tags/templates';
import { requireMerchant } from '../shop/require-merchant';
import { checkTexts } from '../campaigns/plan';

export const CONFIG_NS = 'followups';
/** One key per customer, follow-up and period: written before the message, so nobody gets one twice. */
export const LEDGER_NS = 'followup-ledger';
export const ledgerKey = (kind: FollowupKind, externalUserId: string, period: string) => `${kind}:${externalUserId}:${period}`;

/** Every follow-up of the shop, stored or as it would start (off, the industry's parameters, the default text unapproved). */
export async function loadFollowups(deps: Deps, merchantId: string): Promise<FollowupConfig[]> {
  const merchant = await requireMerchant(deps, merchantId);
  const industry = industryOf(merchant.industry);
  const stored = new Map((await deps.storage.kv.list<FollowupConfig>(merchantId, CONFIG_NS, 10)).map((e) => [e.key, e.value]));
  return FOLLOWUP_KINDS.map((kind) => stored.get(kind) ?? { kind, enabled: false, params: defaultParams(kind, industry), texts: [DEFAULT_TEXTS[kind]], updatedAt: 0 });
}

export const FollowupChange = z.object({
  enabled: z.boolean().optional(),
  params: FollowupParams.optional(),
  /** The text(s) the owner approves (one, or two for an A/B test). */
  texts: z.array(CampaignText).min(1).max(2).optional(),
});

/**
 * Changes one follow-up. Turning it on approves the texts it will send (given now, or the ones
 * shown), so nothing goes out that the owner has not seen; a text changed while on is approved by
 * that change.
 */
export async function saveFollowup(deps: Deps, merchantId: string, kind: FollowupKind, raw: unknown): Promise<FollowupConfig> {
  const change = parseInput(FollowupChange, raw);
  if (change.texts) checkTexts(change.texts);
  for (let i = 0; i < 5; i++) {
    const entry = await deps.storage.kv.get<FollowupConfig>(merchantId, CONFIG_NS, kind);
    const current = entry?.value ?? (await loadFollowups(deps, merchantId)).find((c) => c.kind === kind)!;
    const now = deps.clock.now();
    const enabled = change.enabled ?? current.enabled;
    const texts = change.texts ?? current.texts;
    const approve = enabled && (change.texts !== undefined || (change.enabled === true && !current.enabled));
    const next = FollowupConfig.parse({
      ...current,
      enabled,
      params: { ...current.params, ...change.params },
      texts,
      ...(approve ? { approvedAt: now } : {}),
      updatedAt: now,
    });
    if (await deps.storage.kv.set(merchantId, CONFIG_NS, kind, next, entry?.version ?? null, now)) return next;
  }
  throw new AppError('CONFLICT.FOLLOWUP_BUSY', '这个自动跟进正在被同时修改，请稍后再试', 409);
}
