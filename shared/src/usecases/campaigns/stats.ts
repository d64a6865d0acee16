import type { RecipientCounts } from '../../ports/storage';

export interface ArmStats {
  planned: number;
  /** The member confirmed the task (what WeCom then did with each customer is below). */
  confirmed: number;
  delivered: number;
  failed: number;
  waiting: number;
  cancelled: number;
  replied: number;
  ordered: number;
  revenueFen: number;
}

export interface CampaignStats extends ArmStats {
  /** Two arms for an A/B campaign, with the comparison of each conversion. */
  arms: ArmStats[];
  ab?: { replied: AbVerdict; ordered: AbVerdict };
}

export interface AbVerdict {
  /** Per arm: conversions and deliveries behind the percentage. */
  counts: { converted: number; delivered: number }[];
  /** 0 or 1 when one arm is better at 95 %; null: 还看不出来. */
  winner: number | null;
  text: string;
}

const zero = (): ArmStats => ({ planned: 0, confirmed: 0, delivered: 0, failed: 0, waiting: 0, cancelled: 0, replied: 0, ordered: 0, revenueFen: 0 });

/** Per-campaign numbers (issue 16 §3) from the recipients' counts; `planned` is everyone the plan kept. */
export function campaignStats(rows: RecipientCounts[], variants: number): CampaignStats {
  const arms = Array.from({ length: Math.max(1, variants) }, zero);
  for (const r of rows) {
    const a = arms[r.variant] ?? arms[0]!;
    a.planned += r.count;
    if (r.status === 'sent' || r.status === 'notFriend' || r.status === 'quota') a.confirmed += r.count;
    if (r.status === 'sent') a.delivered += r.count;
    if (r.status === 'notFriend' || r.status === 'quota' || r.status === 'failed') a.failed += r.count;
    if (r.status === 'waiting') a.waiting += r.count;
    if (r.status === 'cancelled') a.cancelled += r.count;
    a.replied += r.replied;
    a.ordered += r.ordered;
    a.revenueFen += r.revenueFen;
  }
  const total = zero();
  for (const a of arms) for (const k of Object.keys(total) as (keyof ArmStats)[]) total[k] += a[k];
  const out: CampaignStats = { ...total, arms };
  if (arms.length === 2) {
    out.ab = {
      replied: compare(
        '回复',
        arms.map((a) => ({ converted: a.replied, delivered: a.delivered })),
      ),
      ordered: compare(
        '下单',
        arms.map((a) => ({ converted: a.ordered, delivered: a.delivered })),
      ),
    };
  }
  return out;
}

/** Below this many deliveries per arm, or expected conversions under 5, no verdict is given. */
export const MIN_PER_ARM = 30;
const Z_95 = 1.959964;

/**
 * A two-proportion z-test (pooled) at 95 %: a winner only when the difference is that unlikely by
 * chance and both arms are big enough for the test to hold; otherwise 还看不出来.
 */
export function compare(what: string, counts: { converted: number; delivered: number }[]): AbVerdict {
  const [a, b] = counts as [{ converted: number; delivered: number }, { converted: number; delivered: number }];
  const pct = (x: { converted: number; delivered: number }) => (x.delivered ? `${Math.round((x.converted / x.delivered) * 1000) / 10}%` : '0%');
  const detail = `A ${pct(a)}（${a.converted}/${a.delivered}），B ${pct(b)}（${b.converted}/${b.delivered}）`;
  const n = a.delivered + b.delivered;
  const pooled = n ? (a.converted + b.converted) / n : 0;
  const enough = a.delivered >= MIN_PER_ARM && b.delivered >= MIN_PER_ARM && [a, b].every((x) => x.delivered * pooled >= 5 && x.delivered * (1 - pooled) >= 5);
  if (!enough) return { counts, winner: null, text: `${what}：还看不出来，人数还太少。${detail}` };
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.delivered + 1 / b.delivered));
  const z = (a.converted / a.delivered - b.converted / b.delivered) / se;
  if (Math.abs(z) < Z_95) return { counts, winner: null, text: `${what}：还看不出来，两种写法差不多。${detail}` };
  const winner = z > 0 ? 0 : 1;
  return { counts, winner, text: `${what}：${winner === 0 ? 'A' : 'B'} 写法更好，差别不是碰巧。${detail}` };
}
