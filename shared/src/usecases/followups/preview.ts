import { FOLLOWUP_NAME, type FollowupConfig, type FollowupKind } from '../../domain/followup';
import type { Order } from '../../domain/commerce';
import { addDays, dayOf } from '../../domain/time';
import type { Day } from '../../domain/ids';
import type { Deps } from '../../ports/deps';
import { requireMerchant } from '../shop/require-merchant';
import { campaignStats, type ArmStats, type CampaignStats } from '../campaigns/stats';
import type { RecipientCounts } from '../../ports/storage';
import { dueOn } from './due';
import { allFacts } from './run';
import { ledgerKey, LEDGER_NS, loadFollowups } from './store';

const SAMPLE = 10;
const WEEK = 7;

export interface FollowupPreview {
  kind: FollowupKind;
  name: string;
  enabled: boolean;
  /** Customers it would message in the next 7 days (today included): not yet messaged for that period, not opted out, still friends. */
  count: number;
  sample: { externalUserId: string; name: string; day: Day }[];
}

/** 自动跟进's preview (issue 16 §4): for every follow-up, on or off, who would get it this week. Writes nothing. */
export async function previewFollowups(deps: Deps, merchantId: string, configs?: FollowupConfig[]): Promise<FollowupPreview[]> {
  const merchant = await requireMerchant(deps, merchantId);
  const list = configs ?? (await loadFollowups(deps, merchantId));
  const facts = await allFacts(deps, merchantId);
  const byId = new Map(facts.map((f) => [f.externalUserId, f]));
  const today = dayOf(deps.clock.now(), merchant.timezone);
  const cache = new Map<string, Order[]>();
  const out: FollowupPreview[] = [];
  for (const cfg of list) {
    const first = new Map<string, Day>();
    for (let i = 0; i < WEEK; i++) {
      const day = addDays(today, i);
      for (const d of await dueOn(deps, merchant, cfg, facts, day, cache)) {
        const f = byId.get(d.externalUserId);
        if (!f || f.lost || f.optedOutAt !== undefined || first.has(d.externalUserId)) continue;
        if (await deps.storage.kv.get(merchantId, LEDGER_NS, ledgerKey(cfg.kind, d.externalUserId, d.period))) continue;
        first.set(d.externalUserId, day);
      }
    }
    const sample = [...first].slice(0, SAMPLE).map(([id, day]) => ({ externalUserId: id, name: byId.get(id)?.name ?? '', day }));
    out.push({ kind: cfg.kind, name: FOLLOWUP_NAME[cfg.kind], enabled: cfg.enabled, count: first.size, sample });
  }
  return out;
}

export type FollowupStats = ArmStats & { runs: number; arms: ArmStats[]; ab: NonNullable<CampaignStats['ab']> | null };

/**
 * What each follow-up's runs did: the numbers of its daily campaigns over the last `limit` stored
 * campaigns, per A/B arm when it has two texts, with the same verdict as a campaign's.
 */
export async function followupStats(deps: Deps, merchantId: string, limit = 300): Promise<Partial<Record<FollowupKind, FollowupStats>>> {
  const runs = (await deps.storage.campaigns.list(merchantId, limit)).filter((c) => c.followup);
  const rows = new Map<FollowupKind, { counts: RecipientCounts[]; runs: number; variants: number }>();
  for (const c of runs) {
    const kind = c.followup!.id as FollowupKind;
    const acc = rows.get(kind) ?? { counts: [], runs: 0, variants: 1 };
    acc.counts.push(...(await deps.storage.campaigns.recipientCounts(merchantId, c.id)));
    acc.runs++;
    acc.variants = Math.max(acc.variants, c.content.texts.length);
    rows.set(kind, acc);
  }
  const out: Partial<Record<FollowupKind, FollowupStats>> = {};
  for (const [kind, acc] of rows) {
    const s = campaignStats(acc.counts, acc.variants);
    out[kind] = { ...s, runs: acc.runs, ab: s.ab ?? null };
  }
  return out;
}
