import type { Day } from '../../domain/ids';
import { changeRatio } from '../../domain/report';
import { addDays } from '../../domain/time';
import { WEEKDAY_LABELS, type TrendChartInput } from '../../ports/chart';
import { COMPARED, type DayTotals } from './daily';
import { yuan } from './daily-text';
import { answerRate, buyerStats, days, slowSellers, soldBySku, sumTotals, type BuyerStats, type PeriodInput } from './period';

/**
 * The weekly report (issue 12 §3), sent on Monday about the week before it (Monday to Sunday):
 * the sales and consultation trend (drawn as a chart), best and slow sellers, repurchase rate,
 * new vs returning buyers, AI answer rate. A pure function of a PeriodInput.
 */

export interface WeeklyNumbers extends DayTotals {
  /** Monday and Sunday of the week. */
  first: Day;
  last: Day;
  /** Per day, Monday first: the chart's series. */
  dailyRevenueFen: number[];
  dailyConsultations: number[];
  dailyOrders: number[];
  aiAnswerRate: number | null;
  /** New and returning buyers, repurchase rate; null when the week had too many orders or buyers to read. */
  buyers: BuyerStats | null;
  hasOrders: boolean;
  /** The week before, for the change. */
  weekBefore: DayTotals;
}

export interface WeeklyDetails {
  bestSellers: { name: string; qty: number }[];
  slowSellers: { name: string; qty: number }[];
  /** More orders than one bounded read takes: no seller lists rather than lists of some orders. */
  sellersOmitted: boolean;
}

const TOP = 5;

export function buildWeekly(input: PeriodInput): { numbers: WeeklyNumbers; details: WeeklyDetails } {
  const week = days(input.first, 7);
  const totals = sumTotals(input.counters, week);
  const at = (name: 'revenueFen' | 'consultations' | 'orders') => week.map((d) => input.counters[d]?.[name] ?? 0);
  const sold = soldBySku(input.orders);
  const before = sumTotals(input.counters, days(addDays(input.first, -7), 7));
  return {
    numbers: {
      ...pickTotals(totals),
      first: input.first,
      last: week[6]!,
      dailyRevenueFen: at('revenueFen'),
      dailyConsultations: at('consultations'),
      dailyOrders: at('orders'),
      aiAnswerRate: answerRate(totals),
      buyers: input.ordersOmitted ? null : buyerStats(input.orders, input.customers, input.from),
      hasOrders: input.hasOrders,
      weekBefore: pickTotals(before),
    },
    details: {
      bestSellers: [...sold.values()].sort((a, b) => b.qty - a.qty || a.name.localeCompare(b.name)).slice(0, TOP),
      slowSellers: input.ordersOmitted ? [] : slowSellers(input.products, sold, TOP),
      sellersOmitted: input.ordersOmitted,
    },
  };
}

const pickTotals = (t: DayTotals): DayTotals => Object.fromEntries(COMPARED.map((n) => [n, t[n]])) as DayTotals;

const md = (day: Day) => `${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;
const pct = (r: number) => `${Math.round(r * 100)}%`;

function change(now: number, before: number): string {
  const r = changeRatio(now, before);
  if (r === null) return '';
  if (Math.abs(r) < 0.005) return '（和上周一样）';
  return `（比上周${r > 0 ? '多' : '少'} ${pct(Math.abs(r))}）`;
}

export function weeklyTitle(merchantName: string, n: Pick<WeeklyNumbers, 'first' | 'last'>): string {
  return `${merchantName} 周报（${md(n.first)}–${md(n.last)}）`;
}

/** The weekly report as plain text (what is stored, shown and pushed beside the chart). */
export function weeklyText(merchantName: string, n: WeeklyNumbers, d: WeeklyDetails, showRevenue = true): string {
  const lines = [weeklyTitle(merchantName, n)];
  if (showRevenue) lines.push(n.hasOrders ? `营业额 ${yuan(n.revenueFen)}${change(n.revenueFen, n.weekBefore.revenueFen)}` : '营业额：接入订单后这里显示营业额');
  if (n.hasOrders) lines.push(`订单 ${n.orders} 笔${change(n.orders, n.weekBefore.orders)}`);
  lines.push(`咨询 ${n.consultations} 人次${change(n.consultations, n.weekBefore.consultations)}，新客户 ${n.newCustomers} 位`);
  lines.push(n.aiAnswerRate === null ? 'AI 这周没有接到问题' : `AI 回答率 ${pct(n.aiAnswerRate)}（答了 ${n.aiAnswered} 个，转人工 ${n.aiHandoffs} 个）`);
  if (n.buyers && n.buyers.buyers > 0) {
    lines.push(`下单客户 ${n.buyers.buyers} 位：新客 ${n.buyers.newBuyers} 位，回头客 ${n.buyers.returningBuyers} 位，复购率 ${pct(n.buyers.repurchaseRate ?? 0)}`);
  }
  if (d.sellersOmitted) lines.push('这周订单太多，畅销和滞销商品请在店小二里看');
  if (d.bestSellers.length) lines.push(`卖得最好：${d.bestSellers.map((s) => `${s.name} ${s.qty} 件`).join('、')}`);
  if (d.slowSellers.length) lines.push(`卖得慢：${d.slowSellers.map((s) => `${s.name} ${s.qty} 件`).join('、')}`);
  return lines.join('\n');
}

/** Markdown for the WeCom app message (the chart goes as its own image message). */
export function weeklyMarkdown(merchantName: string, n: WeeklyNumbers, d: WeeklyDetails, url: string | undefined): string {
  const [title, ...rest] = weeklyText(merchantName, n, d).split('\n');
  return [`**${title}**`, ...rest.map((l) => `> ${l}`), ...(url ? [`[看完整报表](${url})`] : [])].join('\n');
}

/**
 * The trend chart: revenue as bars and consultations as a line when the shop has orders,
 * otherwise consultations and orders are not meaningful together, so consultations alone.
 */
export function weeklyChart(n: WeeklyNumbers): TrendChartInput {
  const subtitle = `${md(n.first)}–${md(n.last)}`;
  const consult = { name: '咨询人数', unit: 'count' as const, values: n.dailyConsultations };
  return {
    title: n.hasOrders ? '上周营业额和咨询' : '上周咨询人数',
    subtitle,
    labels: [...WEEKDAY_LABELS],
    series: n.hasOrders ? [{ name: '营业额', unit: 'fen' as const, values: n.dailyRevenueFen }, consult] : [consult],
  };
}
