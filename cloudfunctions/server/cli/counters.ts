import { z } from 'zod';
import { parseInput } from '@xiaoer/shared/contracts/envelope';
import { MerchantId } from '@xiaoer/shared/domain/ids';
import { CalendarDay } from '@xiaoer/shared/domain/report';
import { rebuildCounters } from '@xiaoer/shared/usecases/reports/rebuild';
import type { Runtime } from '../composition';

/** Enough to see what is off; a shop counted before hourly buckets existed could list thousands. */
const MAX_DIFFS = 200;

const NAMES: Record<string, string> = {
  customerMessages: '顾客消息',
  consultations: '咨询人数',
  aiAnswered: 'AI 已回复',
  aiHandoffs: '转人工',
  aiRejected: '客户说答得不对',
  orders: '订单',
  revenueFen: '营业额（分）',
  refunds: '退款',
};

/**
 * `counters rebuild --merchant <id> [--from <YYYY-MM-DD>]`: the counters recomputed from the
 * stored messages and orders, compared with the live ones (day totals and hourly buckets).
 * Read-only: prints where they differ.
 */
export async function runCountersRebuild(rt: Runtime, flags: Record<string, unknown>) {
  const a = parseInput(z.object({ merchant: MerchantId, from: CalendarDay.optional() }), flags);
  const r = await rebuildCounters(rt.deps, a.merchant, a.from ? { from: a.from } : {});
  const json = { days: r.days, matched: r.matched, from: r.from, to: r.to, checked: r.checked, diffCount: r.diffs.length, diffs: r.diffs.slice(0, MAX_DIFFS) };
  const head = `${r.from} 到 ${r.to}，共 ${r.days} 天`;
  const text = r.matched
    ? `${head}：按消息和订单重算的数和现在的计数完全一致`
    : [
        `${head}：有 ${r.diffs.length} 处对不上（现在的 → 重算的）`,
        ...r.diffs.slice(0, MAX_DIFFS).map((d) => `  ${d.day}${d.hour === undefined ? ' 全天' : ` ${d.hour} 点`}  ${NAMES[d.name] ?? d.name}  ${d.live} → ${d.rebuilt}`),
      ].join('\n');
  return { json, text };
}
