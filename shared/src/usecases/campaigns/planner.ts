import { inAudience, type Audience } from '../../domain/audience';
import type { ExclusionReason } from '../../domain/marketing';
import type { CustomerFacts } from '../../ports/storage';

/** WeCom takes at most this many external_userid per add_msg_template (doc 92135). */
export const MAX_PER_TASK = 10_000;

export interface PlanInput {
  /** null: everyone given (a follow-up has chosen its customers already). */
  audience: Audience | null;
  /** Every customer's facts (lost ones included): the planner decides who is in and why not. */
  customers: Iterable<CustomerFacts>;
  /** Members who can send (their WeCom userid): a customer whose member is not here has no sender. */
  senders: ReadonlySet<string>;
  /** Mass sends each customer already has in the quota period of the send time (sent or waiting). */
  used: ReadonlyMap<string, { used: number; quotaHit: boolean }>;
  quotaLimit: number;
  /** Customers messaged within the owner's "not if messaged in the last N days". */
  recentlyMessaged?: ReadonlySet<string>;
  /** 1, or 2 for an A/B test. */
  variants: number;
  /** The text names each customer ({称呼} and the like): one task per customer. */
  personal: boolean;
  /** The campaign id: the A/B draw is a function of it and the customer, so a re-plan draws the same. */
  seed: string;
}

export interface PlannedRecipient {
  externalUserId: string;
  sender: string;
  variant: number;
}

export interface Plan {
  recipients: number;
  bySender: { userid: string; count: number; chunks: number }[];
  excluded: { reason: ExclusionReason; count: number }[];
  list: PlannedRecipient[];
}

/**
 * Who actually receives a campaign, grouped by the member who sends it, and why everyone else in
 * the audience will not: each customer counted once, by the first reason that applies, in the
 * order of EXCLUSION_REASONS. Pure: the caller reads the facts, tallies and members.
 */
export function planCampaign(input: PlanInput): Plan {
  const excluded = new Map<ExclusionReason, number>();
  const out = (r: ExclusionReason) => excluded.set(r, (excluded.get(r) ?? 0) + 1);
  const bySender = new Map<string, number[]>();
  const list: PlannedRecipient[] = [];
  for (const c of input.customers) {
    if (input.audience !== null && !inAudience(input.audience, new Set(c.tags))) continue;
    if (c.optedOutAt !== undefined) out('optedOut');
    else if (c.lost) out('lost');
    else if (!c.followUserId || !input.senders.has(c.followUserId)) out('noSender');
    else if (input.recentlyMessaged?.has(c.externalUserId)) out('recentlyMessaged');
    else if (overQuota(input.used.get(c.externalUserId), input.quotaLimit)) out('quota');
    else {
      const variant = input.variants > 1 ? abDraw(input.seed, c.externalUserId) : 0;
      list.push({ externalUserId: c.externalUserId, sender: c.followUserId, variant });
      const counts = bySender.get(c.followUserId) ?? [0, 0];
      counts[variant]! += 1;
      bySender.set(c.followUserId, counts);
    }
  }
  const chunksOf = (n: number) => (input.personal ? n : Math.ceil(n / MAX_PER_TASK));
  return {
    recipients: list.length,
    bySender: [...bySender]
      .map(([userid, [a, b]]) => ({ userid, count: a! + b!, chunks: chunksOf(a!) + chunksOf(b!) }))
      .sort((x, y) => y.count - x.count || (x.userid < y.userid ? -1 : 1)),
    excluded: [...excluded].map(([reason, count]) => ({ reason, count })).sort((x, y) => y.count - x.count),
    list,
  };
}

function overQuota(t: { used: number; quotaHit: boolean } | undefined, limit: number): boolean {
  return !!t && (t.quotaHit || t.used >= limit);
}

/** The A/B arm (0 or 1): FNV-1a of seed and customer, mixed (murmur3's finaliser), so a stored draw can always be recomputed. */
export function abDraw(seed: string, externalUserId: string): number {
  let h = 0x811c9dc5;
  const s = `${seed}\u0000${externalUserId}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // FNV alone leaves near-identical ids (c1, c2, …) on the same side far more than chance would
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 1;
}
