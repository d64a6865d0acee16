import { z } from 'zod';
import { parseAudience, type Audience } from '../../domain/audience';
import { AppError, invalid, notFound } from '../../domain/errors';
import { Instant } from '../../domain/ids';
import { Attachment, Campaign, CampaignText, type CampaignPlan } from '../../domain/marketing';
import { afterQuietHours, marketingSettingsOf, quotaPeriod } from '../../domain/marketing-settings';
import type { Merchant } from '../../domain/merchant';
import { parseInput } from '../../domain/validation';
import type { Deps } from '../../ports/deps';
import type { CustomerFacts } from '../../ports/storage';
import { utf8Length } from '../channel-wecom/msgid';
import { planCampaign, type Plan } from './planner';
import { checkVariables, isPersonal } from './variables';

const DAY = 86_400_000;
const FACTS_PAGE = 5_000;
const ROWS_PER_WRITE = 5_000;
/** WeCom's text limit for a mass send, in bytes (doc 92135). */
export const MAX_TEXT_BYTES = 4000;

/** What the owner (or the CLI) gives for a campaign; the audience is checked on its own (named paths). */
export const CampaignDraftInput = z.object({
  id: z.string().min(1).max(80).optional(),
  name: z.string().trim().min(1).max(60).optional(),
  audience: z.unknown(),
  excludeMessagedDays: z.number().int().min(1).max(90).optional(),
  texts: z.array(CampaignText).max(2).default([]),
  attachments: z.array(Attachment).max(9).default([]),
  /** When to send (ms); absent: now. */
  sendAt: Instant.optional(),
});
export type CampaignDraftInput = z.input<typeof CampaignDraftInput>;

export type PlanView = CampaignPlan & { campaignId: string };

/** Checks the content: known variables only, and WeCom's byte limit on the longest rendering. */
export function checkTexts(texts: string[]): void {
  texts.forEach((t, i) => {
    checkVariables(t, `texts.${i}`);
    // a variable's value can be longer than its name: leave room for a long name or product
    if (utf8Length(t) > MAX_TEXT_BYTES - (isPersonal(t) ? 200 : 0))
      throw invalid(`第 ${i + 1} 段内容太长了，群发最多 ${MAX_TEXT_BYTES} 字节（约 1300 个汉字）`, [{ path: `texts.${i}` }]);
  });
}

/**
 * Plans a campaign and stores it as a draft (issue 16 §2): who receives it, grouped by the member
 * who sends it, and why everyone else in the audience will not. The recipients themselves are
 * written when it is sent (`materialize`), planned again then with the same seed, so whoever opted
 * out or deleted us in between is left out and the A/B draw is the one shown. Planning an existing
 * draft again replaces its plan; a campaign past draft cannot be re-planned.
 */
export async function planDraft(deps: Deps, merchant: Merchant, raw: unknown, createdBy?: string): Promise<PlanView> {
  const input = parseInput(CampaignDraftInput, raw);
  const audience = parseAudience(input.audience);
  checkTexts(input.texts);
  const now = deps.clock.now();
  const existing = input.id ? await deps.storage.campaigns.get(merchant.id, input.id) : null;
  if (input.id && !existing) throw notFound('campaign');
  if (existing && existing.status !== 'draft') throw new AppError('CONFLICT.CAMPAIGN_NOT_DRAFT', '这个群发已经安排发送了，不能再改；可以先取消再新建一个', 409);
  const askedAt = Math.max(input.sendAt ?? now, now);
  const settings = marketingSettingsOf(merchant);
  const sendAt = afterQuietHours(askedAt, settings.quietHours, merchant.timezone);
  const id = existing?.id ?? deps.ids.id('cmp');
  const plan = await computePlan(deps, merchant, { audience, sendAt, excludeMessagedDays: input.excludeMessagedDays, texts: input.texts, seed: id });

  const summary: CampaignPlan = { recipients: plan.recipients, bySender: plan.bySender, excluded: plan.excluded, sendAt, askedAt, plannedAt: now };
  const rev = existing?.rev ?? 0;
  const campaign = Campaign.parse({
    id,
    merchantId: merchant.id,
    name: input.name ?? existing?.name ?? defaultName(input.texts),
    audience,
    ...(input.excludeMessagedDays ? { excludeMessagedDays: input.excludeMessagedDays } : {}),
    content: { texts: input.texts, attachments: input.attachments },
    status: 'draft',
    plan: summary,
    tasks: [],
    ...(createdBy ? { createdBy } : existing?.createdBy ? { createdBy: existing.createdBy } : {}),
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    rev: rev + 1,
  });
  if (!(await deps.storage.campaigns.put(campaign, existing ? rev : null))) throw new AppError('CONFLICT.CAMPAIGN_BUSY', '这个群发刚被别人改过，请刷新后再试', 409);
  return { campaignId: id, ...summary };
}

/** The plan without storing anything: the live reach forecast while the owner edits. */
export async function forecast(deps: Deps, merchant: Merchant, raw: unknown): Promise<Omit<PlanView, 'campaignId' | 'plannedAt'>> {
  const input = parseInput(CampaignDraftInput, raw);
  const audience = parseAudience(input.audience);
  checkTexts(input.texts);
  const now = deps.clock.now();
  const askedAt = Math.max(input.sendAt ?? now, now);
  const sendAt = afterQuietHours(askedAt, marketingSettingsOf(merchant).quietHours, merchant.timezone);
  const plan = await computePlan(deps, merchant, { audience, sendAt, excludeMessagedDays: input.excludeMessagedDays, texts: input.texts, seed: 'forecast' });
  return { recipients: plan.recipients, bySender: plan.bySender, excluded: plan.excluded, sendAt, askedAt };
}

export async function computePlan(
  deps: Deps,
  merchant: Merchant,
  o: { audience: Audience | null; sendAt: number; excludeMessagedDays?: number; texts: string[]; seed: string; only?: (c: CustomerFacts) => boolean },
): Promise<Plan> {
  const settings = marketingSettingsOf(merchant);
  const period = quotaPeriod(settings.quota, o.sendAt, merchant.timezone);
  const [members, facts, tallies] = await Promise.all([
    deps.storage.members.list(merchant.id),
    allFacts(deps, merchant.id),
    deps.storage.campaigns.deliveriesSince(merchant.id, period.start),
  ]);
  let recentlyMessaged: Set<string> | undefined;
  if (o.excludeMessagedDays) {
    const since = o.sendAt - o.excludeMessagedDays * DAY;
    const recent = since >= period.start ? tallies : await deps.storage.campaigns.deliveriesSince(merchant.id, since);
    recentlyMessaged = new Set(recent.filter((t) => t.lastSentAt !== undefined && t.lastSentAt >= since).map((t) => t.externalUserId));
  }
  return planCampaign({
    audience: o.audience,
    customers: o.only ? facts.filter(o.only) : facts,
    senders: new Set(members.flatMap((m) => (m.wecomUserId ? [m.wecomUserId] : []))),
    used: new Map(tallies.map((t) => [t.externalUserId, t])),
    quotaLimit: period.limit,
    ...(recentlyMessaged ? { recentlyMessaged } : {}),
    variants: Math.max(1, o.texts.length),
    personal: o.texts.some(isPersonal),
    seed: o.seed,
  });
}

async function allFacts(deps: Deps, merchantId: string): Promise<CustomerFacts[]> {
  const out: CustomerFacts[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.storage.customers.listFacts(merchantId, { limit: FACTS_PAGE, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

function defaultName(texts: string[]): string {
  const first = texts[0]?.replace(/\s+/g, ' ').trim();
  return first ? first.slice(0, 20) : '新的群发';
}

/**
 * The campaign's recipients as rows, planned at the send time: once per campaign (`materializedAt`
 * marks it done; a run that died half way writes them again from scratch — no task exists yet).
 */
export async function materialize(deps: Deps, merchant: Merchant, campaign: Campaign): Promise<{ campaign: Campaign; plan: Plan }> {
  const now = deps.clock.now();
  const audience = parseAudience(campaign.audience);
  const plan = await computePlan(deps, merchant, { audience, sendAt: now, excludeMessagedDays: campaign.excludeMessagedDays, texts: campaign.content.texts, seed: campaign.id });
  await deps.storage.campaigns.removeRecipients(merchant.id, campaign.id);
  for (let i = 0; i < plan.list.length; i += ROWS_PER_WRITE) {
    const rows = plan.list.slice(i, i + ROWS_PER_WRITE).map((r) => ({ merchantId: merchant.id, campaignId: campaign.id, ...r, status: 'planned' as const }));
    await deps.storage.campaigns.addRecipients(merchant.id, campaign.id, rows);
  }
  return { campaign, plan };
}
