import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import { AppError } from '../../domain/errors';
import { checkOrderEvent } from '../../domain/order-event';
import type { Deps } from '../../ports/deps';
import { requireMerchant } from '../shop/require-merchant';
import { ingestOrderEvent } from './ingest';

dayjs.extend(utc);
dayjs.extend(timezone);

/**
 * Order import from a CSV/XLSX table (the CLI's `orders import`, the app's `orders.import`):
 * one row per item line; rows with the same order number, status and status time are one order
 * event, ingested exactly like a webhook delivery (same idempotency, same counters). Good groups
 * are kept, bad ones reported by the line of their first row.
 */

/** A table read from a file: the header row and the data rows with their line numbers. */
export interface OrderTable {
  header: string[];
  rows: { line: number; cells: string[] }[];
  /** Problems the reader found (e.g. an unclosed quote), reported with the rows'. */
  errors: { line: number; message: string }[];
  warnings: { line: number; message: string }[];
}

export type OrderTableParser = (format: 'csv' | 'xlsx', content: string) => Promise<OrderTable>;

export interface OrderImportResult {
  /** Order events that changed something (new orders, new statuses). */
  imported: number;
  /** Events already known: a file imported twice changes nothing the second time. */
  unchanged: number;
  /** Orders of this file that matched no customer (linkable in the app). */
  unmatched: number;
  errors: { line: number; message: string }[];
  warnings: { line: number; message: string }[];
}

const COLUMNS = {
  orderNo: ['orderno', 'order_no', '订单号', '订单编号'],
  status: ['status', '状态', '订单状态'],
  amountFen: ['amountfen', 'amount_fen', '金额（分）', '金额(分)', '实付（分）'],
  amount: ['amount', '金额', '金额（元）', '金额(元)', '实付', '实付金额', '订单金额'],
  placedAt: ['placedat', 'placed_at', '下单时间'],
  updatedAt: ['updatedat', 'updated_at', '状态时间', '更新时间'],
  externalUserId: ['externaluserid', 'external_userid', 'external_user_id', '客户id', '客户 id'],
  phone: ['phone', '手机号', '手机', '电话'],
  unionId: ['unionid', 'union_id'],
  storeId: ['storeid', 'store_id', '门店', '门店id'],
  sku: ['sku', '商品编码', '货号'],
  name: ['name', '商品名', '商品', '商品名称'],
  qty: ['qty', '数量'],
  priceFen: ['pricefen', 'price_fen', '单价（分）', '单价(分)'],
  price: ['price', '单价', '单价（元）', '单价(元)'],
  category: ['category', '品类', '分类', '类目'],
} as const;
type Column = keyof typeof COLUMNS;
export const ORDER_COLUMNS = Object.keys(COLUMNS) as Column[];

const STATUS: Record<string, string> = {
  paid: 'paid',
  已付款: 'paid',
  已支付: 'paid',
  fulfilled: 'fulfilled',
  已完成: 'fulfilled',
  已发货: 'fulfilled',
  refunded: 'refunded',
  已退款: 'refunded',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  已取消: 'cancelled',
};

function columnsOf(header: string[]): { index: Map<Column, number>; warnings: OrderTable['warnings'] } {
  const index = new Map<Column, number>();
  const warnings: OrderTable['warnings'] = [];
  header.forEach((raw, i) => {
    const name = raw
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase();
    if (!name) return;
    const col = ORDER_COLUMNS.find((c) => (COLUMNS[c] as readonly string[]).includes(name));
    if (!col) warnings.push({ line: 1, message: `不认识的列"${raw.trim()}"，已忽略` });
    else if (!index.has(col)) index.set(col, i);
  });
  const missing = [
    !index.has('orderNo') && '订单号（orderNo）',
    !index.has('status') && '状态（status）',
    !index.has('amountFen') && !index.has('amount') && '金额（amount，元；或 amountFen，分）',
    !index.has('placedAt') && '下单时间（placedAt）',
  ].filter(Boolean);
  if (missing.length) throw new AppError('INPUT.INVALID', `表格第一行（表头）缺少：${missing.join('、')}`, 400);
  return { index, warnings };
}

/** 12.5 / ¥12.50 / 1,280 (元) → 分; undefined when it is not an amount. */
function yuanToFen(text: string): number | undefined {
  const t = text.replace(/[¥￥,\s元]/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return undefined;
  const [whole, frac = ''] = t.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** A time as an owner's table has it: with a zone, epoch ms, or a local time in the shop's zone. */
function timeOf(text: string, tz: string): number | string {
  const t = text.trim();
  if (/^\d{13}$/.test(t)) return Number(t);
  if (/[zZ]$|[+-]\d{2}:?\d{2}$/.test(t) && !Number.isNaN(Date.parse(t))) return new Date(Date.parse(t)).toISOString();
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  if (!m) return t;
  const p2 = (v: string | undefined) => (v ?? '0').padStart(2, '0');
  const wall = `${m[1]}-${p2(m[2])}-${p2(m[3])} ${p2(m[4])}:${p2(m[5])}:${p2(m[6])}`;
  const local = dayjs.tz(wall, tz);
  // 2026-02-30 would roll over to March: only a time that reads back the same is a time
  return local.isValid() && local.format('YYYY-MM-DD HH:mm:ss') === wall ? local.valueOf() : t;
}

interface Group {
  line: number;
  event: Record<string, unknown>;
  problems: string[];
}

/** Groups the rows into order events, converting 元 and local times; a row's own problems stay with its group. */
export function eventsFromTable(table: OrderTable, tz: string): { groups: Group[]; warnings: OrderTable['warnings'] } {
  const { index, warnings } = columnsOf(table.header);
  const groups = new Map<string, Group>();
  for (const row of table.rows) {
    const get = (c: Column) => {
      const i = index.get(c);
      return i === undefined ? '' : (row.cells[i] ?? '').trim();
    };
    if (ORDER_COLUMNS.every((c) => get(c) === '')) continue;
    const problems: string[] = [];
    const rawStatus = get('status');
    const status = STATUS[rawStatus.toLowerCase()] ?? rawStatus;
    const updatedText = get('updatedAt') || get('placedAt');
    const key = `${get('orderNo')}\u0000${status}\u0000${updatedText}`;
    let g = groups.get(key);
    if (!g) {
      let amountFen: unknown = get('amountFen') ? Number(get('amountFen')) : undefined;
      if (amountFen === undefined && get('amount')) {
        amountFen = yuanToFen(get('amount'));
        if (amountFen === undefined) problems.push(`金额：「${get('amount')}」不是金额（写成 12.50 这样的元）`);
      }
      const customer = Object.fromEntries((['externalUserId', 'phone', 'unionId'] as const).filter((c) => get(c)).map((c) => [c, get(c)]));
      // raw cells where a value does not convert: the event check then says what is wrong with it
      const event: Record<string, unknown> = {
        orderNo: get('orderNo'),
        status,
        amountFen: Number.isNaN(amountFen) ? get('amountFen') : amountFen,
        items: [],
        customer,
        ...(get('storeId') ? { storeId: get('storeId') } : {}),
        placedAt: get('placedAt') ? timeOf(get('placedAt'), tz) : undefined,
        updatedAt: updatedText ? timeOf(updatedText, tz) : undefined,
      };
      groups.set(key, (g = { line: row.line, event, problems }));
    }
    if (get('sku') || get('name')) {
      let priceFen: unknown = get('priceFen') ? Number(get('priceFen')) : undefined;
      if (priceFen === undefined && get('price')) {
        priceFen = yuanToFen(get('price'));
        if (priceFen === undefined) g.problems.push(`第 ${row.line} 行单价：「${get('price')}」不是金额`);
      }
      (g.event.items as unknown[]).push({
        sku: get('sku') || get('name'),
        name: get('name') || get('sku'),
        qty: get('qty') ? Number(get('qty')) : 1,
        priceFen: priceFen ?? 0,
        ...(get('category') ? { category: get('category') } : {}),
      });
    }
  }
  return { groups: [...groups.values()], warnings };
}

/** Imports an order table into a shop: good order events ingested, bad ones reported by line. */
export async function importOrderTable(deps: Deps, merchantId: string, table: OrderTable): Promise<OrderImportResult> {
  const merchant = await requireMerchant(deps, merchantId);
  const { groups, warnings } = eventsFromTable(table, merchant.timezone);
  const result: OrderImportResult = { imported: 0, unchanged: 0, unmatched: 0, errors: [...table.errors], warnings: [...table.warnings, ...warnings] };
  const unmatched = new Set<string>();
  for (const g of groups) {
    if (g.problems.length) {
      result.errors.push({ line: g.line, message: g.problems.join('；') });
      continue;
    }
    const checked = checkOrderEvent(g.event);
    if (!checked.ok) {
      result.errors.push({ line: g.line, message: checked.message });
      continue;
    }
    const r = await ingestOrderEvent(deps, merchant, checked.event, 'import');
    if (r.outcome === 'created' || r.outcome === 'updated') result.imported++;
    else result.unchanged++;
    if (!r.customer) unmatched.add(r.orderNo);
  }
  result.unmatched = unmatched.size;
  result.errors.sort((a, b) => a.line - b.line);
  return result;
}

/** A file sent from the app: parsed by the server's table reader, then imported. */
export async function importOrderFile(deps: Deps, input: { merchantId: string; format: 'csv' | 'xlsx'; content: string }, parse: OrderTableParser | undefined) {
  if (!parse) throw new AppError('CONFIG.NO_IMPORT', '这里暂时不能导入文件，请用电脑上的命令行导入', 503);
  await requireMerchant(deps, input.merchantId);
  const table = await parse(input.format, input.content);
  const r = await importOrderTable(deps, input.merchantId, table);
  return { ...r, errors: r.errors.slice(0, 100), warnings: r.warnings.slice(0, 20) };
}
