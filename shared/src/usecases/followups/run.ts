import { FOLLOWUP_NAME, type FollowupConfig, type FollowupKind } from '../../domain/followup';
import { Campaign, KF_SENDER, type CampaignRecipient } from '../../domain/marketing';
import { marketingSettingsOf, quotaPeriod } from '../../domain/marketing-settings';
import type { Merchant } from '../../domain/merchant';
import type { Day } from '../../domain/ids';
import { startOfDay } from '../../domain/time';
import type { CustomerFacts } from '../../ports/storage';
import type { WecomContext } from '../channel-wecom/context';
import { sendText } from '../channel-wecom/outbox';
import { abDraw, planCampaign } from '../campaigns/planner';
import { sendCampaign, valuesFor } from '../campaigns/send';
import { renderText } from '../campaigns/variables';
import { requireMerchant } from '../shop/require-merchant';
import { dueOn, type Due } from './due';
import { ledgerKey, LEDGER_NS, loadFollowups } from './store';

const KF_WINDOW_MS = 48 * 3_600_000;
const FACTS_PAGE = 5_000;

export const followupCampaignId = (kind: FollowupKind, day: Day) => `fu-${kind}-${day}`;

export interface FollowupRunResult {
  kind: FollowupKind;
  due: number;
  /** Mass-send tasks for 客户联系 customers (members confirm them). */
  viaMember: number;
  /** 微信客服 messages inside the customer's open 48 h window. */
  viaKf: number;
  /** Due but no way allowed to reach them today (no member, no open window), over quota, or over the daily cap. */
  skipped: number;
}

export async function allFacts(deps: WecomContext['deps'], merchantId: string): Promise<CustomerFacts[]> {
  const out: CustomerFacts[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.storage.customers.listFacts(merchantId, { limit: FACTS_PAGE, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/**
 * The day's follow-ups for one shop (issue 16 §4), each enabled one with approved text: who is due,
 * at most once per customer and period (the ledger is written before the message), one follow-up
 * per customer a day, the shop's daily cap over all of them, never to someone who opted out or
 * deleted us. A 客户联系 customer gets a personal mass-send task through their member (quota and
 * the planner as for campaigns); a 微信客服 customer only inside their open 48 h window.
 */
export async function runFollowups(ctx: WecomContext, merchantId: string, day: Day): Promise<FollowupRunResult[]> {
  const { deps } = ctx;
  const merchant = await requireMerchant(deps, merchantId);
  const settings = marketingSettingsOf(merchant);
  const configs = (await loadFollowups(deps, merchantId)).filter((c) => c.enabled && c.approvedAt !== undefined && c.texts.length);
  if (!configs.length) return [];
  const facts = await allFacts(deps, merchantId);
  const byId = new Map(facts.map((f) => [f.externalUserId, f]));
  const taken = new Set<string>();
  let cap = settings.followupDailyCap;
  const results: FollowupRunResult[] = [];
  for (const cfg of configs) {
    const due = await dueOn(deps, merchant, cfg, facts, day);
    const chosen: { f: CustomerFacts; d: Due }[] = [];
    let skipped = 0;
    for (const d of due) {
      const f = byId.get(d.externalUserId);
      if (!f || f.lost || f.optedOutAt !== undefined || taken.has(d.externalUserId)) continue;
      if (await deps.storage.kv.get(merchantId, LEDGER_NS, ledgerKey(cfg.kind, d.externalUserId, d.period))) continue;
      if (cap <= 0) {
        skipped++;
        continue;
      }
      taken.add(d.externalUserId);
      chosen.push({ f, d });
      cap--;
    }
    const r = await deliver(ctx, merchant, cfg, day, chosen);
    results.push({ kind: cfg.kind, due: due.length, ...r, skipped: skipped + r.skipped });
  }
  return results;
}

async function deliver(ctx: WecomContext, merchant: Merchant, cfg: FollowupConfig, day: Day, chosen: { f: CustomerFacts; d: Due }[]) {
  const { deps } = ctx;
  const now = deps.clock.now();
  const id = followupCampaignId(cfg.kind, day);
  const members = await deps.storage.members.list(merchant.id);
  const senders = new Set(members.flatMap((m) => (m.wecomUserId ? [m.wecomUserId] : [])));
  const settings = marketingSettingsOf(merchant);
  const period = quotaPeriod(settings.quota, now, merchant.timezone);
  const tallies = await deps.storage.campaigns.deliveriesSince(merchant.id, period.start);
  const viaMember = chosen.filter((c) => c.f.followUserId && senders.has(c.f.followUserId));
  const plan = planCampaign({
    audience: null,
    customers: viaMember.map((c) => c.f),
    senders,
    used: new Map(tallies.map((t) => [t.externalUserId, t])),
    quotaLimit: period.limit,
    variants: cfg.texts.length,
    personal: true,
    seed: id,
  });
  const periodOf = new Map(chosen.map((c) => [c.f.externalUserId, c.d.period]));
  const rows: CampaignRecipient[] = [];
  for (const r of plan.list) {
    // the ledger first: a customer is in one run of this follow-up per period, whatever happens next
    if (!(await deps.storage.kv.set(merchant.id, LEDGER_NS, ledgerKey(cfg.kind, r.externalUserId, periodOf.get(r.externalUserId)!), { campaignId: id }, null, now))) continue;
    rows.push({ merchantId: merchant.id, campaignId: id, ...r, status: 'planned' });
  }
  const kfSent = await viaKf(
    ctx,
    merchant,
    cfg,
    id,
    chosen.filter((c) => !viaMember.includes(c)),
    periodOf,
  );
  if (!rows.length && !kfSent.rows.length) return { viaMember: 0, viaKf: 0, skipped: chosen.length };
  const campaign = Campaign.parse({
    id,
    merchantId: merchant.id,
    name: `${FOLLOWUP_NAME[cfg.kind]} ${day}`,
    audience: null,
    content: { texts: cfg.texts, attachments: [] },
    status: 'scheduled',
    plan: { recipients: rows.length + kfSent.rows.length, bySender: plan.bySender, excluded: plan.excluded, sendAt: now, askedAt: now, plannedAt: now },
    tasks: [],
    materializedAt: now,
    followup: { id: cfg.kind, period: day },
    createdAt: now,
    updatedAt: now,
    rev: 1,
  });
  // a second run of the same day adds its rows to the same document (the ledger kept anyone from being twice)
  if (!(await deps.storage.campaigns.put(campaign, null)) && !(await deps.storage.campaigns.get(merchant.id, id))) throw new Error(`follow-up ${id} could not be stored`);
  await deps.storage.campaigns.addRecipients(merchant.id, id, [...rows, ...kfSent.rows]);
  if (rows.length) await sendCampaign({ deps, wecom: ctx.wecom }, merchant.id, id);
  return { viaMember: rows.length, viaKf: kfSent.rows.length, skipped: chosen.length - rows.length - kfSent.rows.length };
}

/** 微信客服 customers with a window still open: the text through kf/send_msg (the outbox keeps the window, budget and msgid rules). */
async function viaKf(ctx: WecomContext, merchant: Merchant, cfg: FollowupConfig, campaignId: string, chosen: { f: CustomerFacts; d: Due }[], periodOf: Map<string, string>) {
  const { deps } = ctx;
  const rows: CampaignRecipient[] = [];
  const now = deps.clock.now();
  for (const { f } of chosen) {
    const conv = await deps.storage.conversations.findByCustomer(merchant.id, f.externalUserId, 'kf');
    if (!conv || conv.lastCustomerMessageAt === undefined || now - conv.lastCustomerMessageAt > KF_WINDOW_MS || conv.state !== 'ai') continue;
    const period = periodOf.get(f.externalUserId)!;
    if (!(await deps.storage.kv.set(merchant.id, LEDGER_NS, ledgerKey(cfg.kind, f.externalUserId, period), { campaignId, kf: true }, null, now))) continue;
    const variant = cfg.texts.length > 1 ? abDraw(campaignId, f.externalUserId) : 0;
    const text = renderText(cfg.texts[variant] ?? cfg.texts[0]!, await valuesFor(deps, merchant.id, f.externalUserId));
    const res = await sendText(ctx, { merchant, conversation: conv, sender: 'ai', text, sourceId: `followup:${cfg.kind}:${f.externalUserId}:${period}` });
    rows.push({
      merchantId: merchant.id,
      campaignId,
      externalUserId: f.externalUserId,
      sender: KF_SENDER,
      variant,
      status: res.status === 'sent' ? 'sent' : 'failed',
      ...(res.status === 'sent' ? { sentAt: now } : {}),
    });
  }
  return { rows };
}

/** The daily run's time: 10:00 on the shop's clock. */
export const FOLLOWUP_AT = '10:00';
export const followupStart = (day: Day, tz: string) => startOfDay(day, tz) + 10 * 3_600_000;
