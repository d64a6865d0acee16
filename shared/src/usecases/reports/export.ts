import { AppError } from '../../domain/errors';
import { zeroCounters, type Counters } from '../../domain/counters';
import type { Day } from '../../domain/ids';
import type { Role } from '../../domain/member';
import type { ReportKind } from '../../domain/report';
import { addDays } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import type { Cell, SheetColumn, SheetSpec, WorkbookSpec, XlsxWriter } from '../../ports/spreadsheet';
import { requireMerchant } from '../shop/require-merchant';
import type { DailyDetails, DayTotals } from './daily';
import { HEALTH_PARTS, PART_MAX, type HealthPart, type MonthlyDetails, type MonthlyNumbers } from './monthly';
import type { BuyerStats } from './period';
import { showPeriodReport } from './period-show';
import { showDailyReport, type ShownNumbers } from './show';
import type { WeeklyDetails, WeeklyNumbers } from './weekly';

/**
 * 导出 Excel (issue 12 §3): a report as a workbook — its numbers beside the period before, and
 * for weekly/monthly the day-by-day series and the lists. Built from the same view `reports.get`
 * answers, so the export shows exactly what the app shows: staff get every sheet without the
 * revenue column (the column is left out, not emptied, so nobody reads a blank as ¥0).
 */

const KIND_NAME: Record<ReportKind, string> = { daily: '日报', weekly: '周报', monthly: '月报' };
const PART_NAMES: Record<HealthPart, string> = { growth: '增长', retention: '回头客', responsiveness: '回复速度', aiCoverage: 'AI 覆盖', stockHealth: '库存' };

type Totals = Omit<DayTotals, 'revenueFen'> & { revenueFen: number | null };
type Column = SheetColumn & { value: (t: Totals) => Cell };

const yuan = (fen: number | null) => (fen === null ? null : Math.round(fen) / 100);
const rate = (t: Pick<DayTotals, 'aiAnswered' | 'aiHandoffs'>) => (t.aiAnswered + t.aiHandoffs > 0 ? t.aiAnswered / (t.aiAnswered + t.aiHandoffs) : null);

/** The columns every kind shares; revenue only when it may be shown, and empty before the shop has orders. */
function totalsColumns(showRevenue: boolean, hasOrders: boolean): Column[] {
  return [
    ...(showRevenue ? [{ header: '营业额(元)', format: 'yuan' as const, value: (t: Totals) => (hasOrders ? yuan(t.revenueFen) : null) }] : []),
    { header: '订单', format: 'count', value: (t) => t.orders },
    { header: '新客户', format: 'count', value: (t) => t.newCustomers },
    { header: '咨询', format: 'count', value: (t) => t.consultations },
    { header: '客户消息', format: 'count', value: (t) => t.customerMessages },
    { header: 'AI 回答', format: 'count', value: (t) => t.aiAnswered },
    { header: '转人工', format: 'count', value: (t) => t.aiHandoffs },
    { header: 'AI 回答率', format: 'percent', value: (t) => rate(t) },
  ];
}

/** 数字: one row for the report's period and one per period it is compared with; `extra` only on the first row. */
function numbersSheet(
  cols: Column[],
  rows: { date: string; label: string; totals: Totals }[],
  extra: { header: string; format?: SheetColumn['format']; value: Cell }[],
): SheetSpec {
  return {
    name: '数字',
    columns: [{ header: '日期', width: 24 }, { header: '说明', width: 12 }, ...cols.map(({ value: _v, ...c }) => c), ...extra.map(({ value: _v, ...c }) => c)],
    rows: rows.map((r, i) => [r.date, r.label, ...cols.map((c) => c.value(r.totals)), ...extra.map((e) => (i === 0 ? e.value : null))]),
  };
}

/** 每天: the period's counters day by day (one counters read). */
async function dailySeries(deps: Deps, merchantId: string, first: Day, last: Day, cols: Column[]): Promise<SheetSpec> {
  const counters: Record<Day, Counters> = await deps.storage.counters.days(merchantId, first, last);
  const rows: Cell[][] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) {
    const c = counters[d];
    const t: Totals = c ?? zeroCounters();
    rows.push([d, ...cols.map((col) => col.value(t))]);
  }
  return { name: '每天', columns: [{ header: '日期', width: 14 }, ...cols.map(({ value: _v, ...c }) => c)], rows };
}

const listSheet = (name: string, columns: SheetColumn[], rows: Cell[][]): SheetSpec => ({ name, columns, rows });

function buyerColumns(b: BuyerStats | null) {
  return [
    { header: '下单客户', format: 'count' as const, value: b?.buyers ?? null },
    { header: '新客', format: 'count' as const, value: b?.newBuyers ?? null },
    { header: '回头客', format: 'count' as const, value: b?.returningBuyers ?? null },
    { header: '复购率', format: 'percent' as const, value: b?.repurchaseRate ?? null },
  ];
}

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 1000));
const safeName = (s: string) => s.replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 40) || '店小二';

/** The workbook of one report as the caller may see it (owner: with revenue; staff: without). */
export async function reportWorkbook(deps: Deps, merchantId: string, kind: ReportKind, date: Day, role: Role): Promise<{ filename: string; book: WorkbookSpec }> {
  const m = await requireMerchant(deps, merchantId);
  const showRevenue = role === 'owner';
  const sheets: SheetSpec[] = [];
  let period: string;

  if (kind === 'daily') {
    const r = await showDailyReport(deps, m.id, date, role);
    const n: ShownNumbers = r.numbers;
    const d: DailyDetails = r.details;
    const cols = totalsColumns(showRevenue, n.hasOrders);
    sheets.push(
      numbersSheet(
        cols,
        [
          { date: r.date, label: '当天', totals: n },
          { date: addDays(r.date, -1), label: '前一天', totals: n.dayBefore },
          { date: addDays(r.date, -7), label: '上周同一天', totals: n.weekBefore },
        ],
        [
          { header: '退款', format: 'count', value: n.refunds },
          { header: '平均首次回复(秒)', format: 'count', value: seconds(n.firstResponseAvgMs) },
          { header: '待人工', format: 'count', value: n.waitingHuman },
        ],
      ),
      listSheet(
        '卖得好的',
        [
          { header: '商品', width: 24 },
          { header: '件数', format: 'count' },
        ],
        d.topSellers.map((s) => [s.name, s.qty]),
      ),
      listSheet(
        'AI 没答上来的',
        [
          { header: '问题', width: 40 },
          { header: '问过的客户', format: 'count' },
        ],
        d.unanswered.map((q) => [q.question, q.count]),
      ),
      listSheet(
        '库存偏低',
        [
          { header: '商品', width: 24 },
          { header: '库存', format: 'count' },
          { header: '提醒数量', format: 'count' },
        ],
        d.lowStock.map((p) => [p.name, p.stock, p.lowStockAt]),
      ),
    );
    period = r.date;
  } else {
    const r = await showPeriodReport(deps, m.id, kind, date, role);
    if (kind === 'weekly') {
      const n = r.numbers as unknown as WeeklyNumbers & Totals;
      const d = r.details as unknown as WeeklyDetails;
      const cols = totalsColumns(showRevenue, n.hasOrders);
      sheets.push(
        numbersSheet(
          cols,
          [
            { date: `${n.first} 至 ${n.last}`, label: '本周', totals: n },
            { date: `${addDays(n.first, -7)} 至 ${addDays(n.last, -7)}`, label: '上周', totals: n.weekBefore },
          ],
          buyerColumns(n.buyers),
        ),
        await dailySeries(deps, m.id, n.first, n.last, cols),
        listSheet(
          '商品',
          [
            { header: '类别', width: 10 },
            { header: '商品', width: 24 },
            { header: '件数', format: 'count' },
          ],
          [...d.bestSellers.map((s) => ['卖得好', s.name, s.qty]), ...d.slowSellers.map((s) => ['卖得慢', s.name, s.qty])],
        ),
      );
      period = `${n.first}至${n.last}`;
    } else {
      const n = r.numbers as unknown as MonthlyNumbers & Totals;
      const d = r.details as unknown as MonthlyDetails;
      const cols = totalsColumns(showRevenue, n.hasOrders);
      const before = addDays(n.first, -1);
      sheets.push(
        numbersSheet(
          cols,
          [
            { date: n.month, label: '本月', totals: n },
            { date: before.slice(0, 7), label: '上月', totals: n.monthBefore },
          ],
          [
            { header: '经营健康分', format: 'count', value: n.health.score },
            { header: '退款', format: 'count', value: n.refunds },
            { header: '平均首次回复(秒)', format: 'count', value: seconds(n.firstResponseAvgMs) },
            ...buyerColumns(n.buyers),
          ],
        ),
        await dailySeries(deps, m.id, n.first, n.last, cols),
        listSheet(
          '健康分',
          [
            { header: '项目', width: 14 },
            { header: '得分', format: 'count' },
            { header: '满分', format: 'count' },
          ],
          [...HEALTH_PARTS.map((p) => [PART_NAMES[p], n.health.parts[p], PART_MAX]), ['总分', n.health.score, PART_MAX * HEALTH_PARTS.length]],
        ),
        listSheet(
          '建议',
          [
            { header: '序号', format: 'count' },
            { header: '建议', width: 80 },
          ],
          d.suggestions.map((s, i) => [i + 1, s]),
        ),
      );
      period = n.month;
    }
  }
  return { filename: `${safeName(m.name)}-${KIND_NAME[kind]}-${period}.xlsx`, book: { sheets } };
}

/** `reports.export` / `report export`: the workbook written by the server's xlsx adapter. */
export async function exportReport(
  deps: Deps,
  req: { merchantId: string; kind: ReportKind; date: Day; role: Role },
  write: XlsxWriter | undefined,
): Promise<{ filename: string; base64: string }> {
  if (!write) throw new AppError('CONFIG.NO_EXPORT', '这里暂时不能导出表格，请用电脑上的命令行导出', 503);
  const { filename, book } = await reportWorkbook(deps, req.merchantId, req.kind, req.date, req.role);
  return { filename, base64: await write(book) };
}
