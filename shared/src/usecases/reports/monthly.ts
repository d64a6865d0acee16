import type { Day } from '../../domain/ids';
import { changeRatio } from '../../domain/report';
import { addDays } from '../../domain/time';
import { COMPARED, type DayTotals } from './daily';
import { duration, yuan } from './daily-text';
import { answerRate, buyerStats, days, sumTotals, type BuyerStats, type PeriodInput } from './period';

/**
 * The monthly report (issue 12 §3), sent on the 5th about the month before: the month's totals,
 * a health score 0–100 made of five parts of 0–20 each, and three suggestions: rule-based here,
 * rewritten by the model when one is configured (monthly-model.ts). Every part's formula is on its function below; a part
 * with nothing to measure scores NEUTRAL (half marks) rather than punishing or rewarding a shop
 * for data it does not send.
 */

export const PART_MAX = 20;
export const NEUTRAL = PART_MAX / 2;
export const HEALTH_PARTS = ['growth', 'retention', 'responsiveness', 'aiCoverage', 'stockHealth'] as const;
export type HealthPart = (typeof HEALTH_PARTS)[number];

export interface MonthlyNumbers extends DayTotals {
  /** YYYY-MM of the month reported, its first and last day. */
  month: string;
  first: Day;
  last: Day;
  monthBefore: DayTotals;
  aiAnswerRate: number | null;
  firstResponseAvgMs: number | null;
  lostCustomers: number;
  refunds: number;
  buyers: BuyerStats | null;
  /** Listed products, and how many are at or below their low-stock mark. */
  products: number;
  lowStockProducts: number;
  hasOrders: boolean;
  health: { score: number; parts: Record<HealthPart, number> };
}

export interface MonthlyDetails {
  /** Three concrete suggestions, weakest part first. */
  suggestions: string[];
  /** Who wrote them: the model, or the rules (no model configured, or it failed: `suggestionsFallback` says why). */
  suggestionsBy: 'model' | 'rules';
  suggestionsFallback?: string;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * growth = 20 × clamp((g + 0.2) / 0.4, 0, 1), g = the month's change over the month before in
 * revenue (consultations for a shop without orders): −20% or worse 0, flat 10, +20% or better 20.
 * Nothing the month before: NEUTRAL.
 */
export function growthPart(now: number, before: number): number {
  const g = changeRatio(now, before);
  return g === null ? NEUTRAL : round1(PART_MAX * clamp01((g + 0.2) / 0.4));
}

/** retention = 20 × min(1, repurchase rate / 0.4): 40% of buyers coming back is full marks. No buyers: NEUTRAL. */
export function retentionPart(repurchaseRate: number | null): number {
  return repurchaseRate === null ? NEUTRAL : round1(PART_MAX * clamp01(repurchaseRate / 0.4));
}

/**
 * responsiveness = 20 × clamp((30 min − mean first response) / (30 min − 1 min), 0, 1): a first
 * reply within a minute on average is full marks, 30 minutes or more is 0. No first replies: NEUTRAL.
 */
export function responsivenessPart(avgMs: number | null): number {
  if (avgMs === null) return NEUTRAL;
  const best = 60_000;
  const worst = 30 * 60_000;
  return round1(PART_MAX * clamp01((worst - avgMs) / (worst - best)));
}

/** aiCoverage = 20 × AI answer rate (answered / (answered + handed off)). No questions: NEUTRAL. */
export function aiCoveragePart(rate: number | null): number {
  return rate === null ? NEUTRAL : round1(PART_MAX * rate);
}

/** stockHealth = 20 × (1 − products at or below their low-stock mark / listed products). No products: NEUTRAL. */
export function stockHealthPart(products: number, low: number): number {
  return products === 0 ? NEUTRAL : round1(PART_MAX * (1 - low / products));
}

const pct = (r: number) => `${Math.round(r * 100)}%`;

/** One suggestion per part, for the three weakest (ties in HEALTH_PARTS order), naming the numbers behind it. */
export function suggest(n: Omit<MonthlyNumbers, 'health'>, parts: Record<HealthPart, number>): string[] {
  const text: Record<HealthPart, () => string> = {
    growth: () => {
      const metric = n.hasOrders ? 'revenueFen' : 'consultations';
      const r = changeRatio(n[metric], n.monthBefore[metric]);
      const what = n.hasOrders ? '营业额' : '咨询人数';
      if (r !== null && r < 0) return `${what}比上个月少了 ${pct(-r)}：挑一个周末做限时优惠，并通过企业微信群发告诉老客户。`;
      return `${what}还可以再往上走：把客服二维码放到收银台、外卖袋和朋友圈，多拉一些新客户来问。`;
    },
    retention: () =>
      n.buyers && n.buyers.repurchaseRate !== null
        ? `复购率 ${pct(n.buyers.repurchaseRate)}：给这个月下过单的 ${n.buyers.newBuyers} 位新客发一张下次可用的优惠券，把他们变成回头客。`
        : '还看不出回头客：接入订单后，店小二能算出谁回来买过，再给老客户发优惠提醒。',
    responsiveness: () =>
      n.firstResponseAvgMs !== null
        ? `客户平均等 ${duration(n.firstResponseAvgMs)}才有第一条回复：打开手机提醒，转人工的客户尽量 5 分钟内回。`
        : '这个月没有需要人工回复的客户：保持提醒开着，来了就能及时回。',
    aiCoverage: () =>
      n.aiAnswerRate !== null
        ? `AI 回答率 ${pct(n.aiAnswerRate)}（转人工 ${n.aiHandoffs} 次）：把“AI 没答上来”里的问题教给它，下个月能少转人工。`
        : '这个月 AI 没接到问题：在知识库补上营业时间、地址、招牌商品，客户来问时它就能答。',
    stockHealth: () =>
      n.lowStockProducts > 0
        ? `${n.products} 个商品里有 ${n.lowStockProducts} 个库存偏低：趁这周补货，避免客户下单时缺货。`
        : n.products > 0
          ? '库存都够：把卖得慢的商品做成套餐搭着卖，别让它们压在仓库里。'
          : '还没录商品库存：在店小二里录上商品和库存，缺货前会提醒你。',
  };
  return [...HEALTH_PARTS]
    .map((p, i) => ({ p, i, score: parts[p] }))
    .sort((a, b) => a.score - b.score || a.i - b.i)
    .slice(0, 3)
    .map(({ p }) => text[p]());
}

/** `first`: the month's 1st (input.first); its last day is input.last. */
export function buildMonthly(input: PeriodInput): { numbers: MonthlyNumbers; details: MonthlyDetails } {
  const month = days(input.first, dayCount(input.first, input.last));
  const t = sumTotals(input.counters, month);
  const prevFirst = `${addDays(input.first, -1).slice(0, 7)}-01`;
  const b = sumTotals(input.counters, days(prevFirst, dayCount(prevFirst, addDays(input.first, -1))));
  const pick = (x: DayTotals): DayTotals => Object.fromEntries(COMPARED.map((k) => [k, x[k]])) as DayTotals;
  const low = input.products.filter((p) => p.stock <= (p.lowStockAt ?? 5)).length;
  const base: Omit<MonthlyNumbers, 'health'> = {
    ...pick(t),
    month: input.first.slice(0, 7),
    first: input.first,
    last: input.last,
    monthBefore: pick(b),
    aiAnswerRate: answerRate(t),
    firstResponseAvgMs: t.firstResponseCount > 0 ? Math.round(t.firstResponseMsSum / t.firstResponseCount) : null,
    lostCustomers: t.lostCustomers,
    refunds: t.refunds,
    buyers: input.ordersOmitted ? null : buyerStats(input.orders, input.customers, input.from),
    products: input.products.length,
    lowStockProducts: low,
    hasOrders: input.hasOrders,
  };
  const parts: Record<HealthPart, number> = {
    growth: base.hasOrders ? growthPart(base.revenueFen, base.monthBefore.revenueFen) : growthPart(base.consultations, base.monthBefore.consultations),
    retention: retentionPart(base.buyers?.repurchaseRate ?? null),
    responsiveness: responsivenessPart(base.firstResponseAvgMs),
    aiCoverage: aiCoveragePart(base.aiAnswerRate),
    stockHealth: stockHealthPart(base.products, low),
  };
  const score = Math.round(HEALTH_PARTS.reduce((s, p) => s + parts[p], 0));
  return { numbers: { ...base, health: { score, parts } }, details: { suggestions: suggest(base, parts), suggestionsBy: 'rules' } };
}

const dayCount = (first: Day, last: Day) => Math.round((Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / 86_400_000) + 1;

const PART_NAMES: Record<HealthPart, string> = { growth: '增长', retention: '回头客', responsiveness: '回复速度', aiCoverage: 'AI 覆盖', stockHealth: '库存' };

export function monthlyTitle(merchantName: string, month: string): string {
  return `${merchantName} ${Number(month.slice(0, 4))}年${Number(month.slice(5, 7))}月 月报`;
}

/** The monthly report as plain text (stored, shown, pushed). */
export function monthlyText(merchantName: string, n: MonthlyNumbers, d: MonthlyDetails, showRevenue = true): string {
  const lines = [monthlyTitle(merchantName, n.month), `经营健康分 ${n.health.score} 分（满分 100）`];
  lines.push(HEALTH_PARTS.map((p) => `${PART_NAMES[p]} ${n.health.parts[p]}/${PART_MAX}`).join('，'));
  if (showRevenue) lines.push(n.hasOrders ? `营业额 ${yuan(n.revenueFen)}，订单 ${n.orders} 笔` : '营业额：接入订单后这里显示营业额');
  lines.push(`咨询 ${n.consultations} 人次，新客户 ${n.newCustomers} 位`);
  lines.push('下个月可以这样做：');
  d.suggestions.forEach((s, i) => lines.push(`${i + 1}. ${s}`));
  return lines.join('\n');
}

export function monthlyMarkdown(merchantName: string, n: MonthlyNumbers, d: MonthlyDetails, url: string | undefined): string {
  const [title, ...rest] = monthlyText(merchantName, n, d).split('\n');
  return [`**${title}**`, ...rest.map((l) => `> ${l}`), ...(url ? [`[看完整报表](${url})`] : [])].join('\n');
}
