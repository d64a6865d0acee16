import { AppError } from '../../domain/errors';
import type { Deps } from '../../ports/deps';
import type { OrderTable, OrderTableParser } from '../orders/import';
import { requireMerchant } from '../shop/require-merchant';
import { editStock, type StockEdit } from './stock';

/**
 * `stock import`: a table of counts and marks (the table worker reads csv/xlsx the same way as
 * for orders). Columns by header, Chinese or English; each row sets what it gives. A set count is
 * a level, not a movement, so importing the same file twice changes nothing the second time.
 */
const COLUMNS: Record<keyof StockEdit, string[]> = {
  sku: ['sku', '编号', '商品编号', '货号'],
  stock: ['stock', '库存', '数量'],
  lowStockAt: ['yellow', 'lowstockat', '黄色提醒', '黄色', '库存预警'],
  redStockAt: ['red', 'redstockat', '红色提醒', '红色'],
};
const MAX = 1_000_000;

export interface StockImportResult {
  updated: number;
  errors: { line: number; message: string }[];
}

function columnsOf(header: string[]): Partial<Record<keyof StockEdit, number>> {
  const norm = header.map((h) =>
    h
      .trim()
      .toLowerCase()
      .replace(/[（(].*$/, ''),
  );
  const out: Partial<Record<keyof StockEdit, number>> = {};
  for (const [field, names] of Object.entries(COLUMNS) as [keyof StockEdit, string[]][]) {
    const i = norm.findIndex((h) => names.includes(h));
    if (i >= 0) out[field] = i;
  }
  return out;
}

export async function importStockTable(deps: Deps, merchantId: string, table: OrderTable): Promise<StockImportResult> {
  await requireMerchant(deps, merchantId);
  const cols = columnsOf(table.header);
  if (cols.sku === undefined) throw new AppError('INPUT.INVALID', '表头里要有"编号"（sku）这一列', 400);
  if (cols.stock === undefined && cols.lowStockAt === undefined && cols.redStockAt === undefined) {
    throw new AppError('INPUT.INVALID', '表头里至少要有"库存"、"黄色提醒"、"红色提醒"中的一列', 400);
  }
  const errors = [...table.errors];
  let updated = 0;
  for (const row of table.rows) {
    const cell = (i: number | undefined) => (i === undefined ? '' : (row.cells[i] ?? '').trim());
    const sku = cell(cols.sku);
    if (!sku) {
      errors.push({ line: row.line, message: '没有编号' });
      continue;
    }
    const edit: StockEdit = { sku };
    let bad = '';
    for (const field of ['stock', 'lowStockAt', 'redStockAt'] as const) {
      const text = cell(cols[field]);
      if (!text) continue;
      const n = Number(text);
      if (!Number.isInteger(n) || Math.abs(n) > MAX || (field !== 'stock' && n < 0))
        bad = `"${text}" 不是整数（${field === 'stock' ? '库存' : field === 'lowStockAt' ? '黄色提醒' : '红色提醒'}）`;
      else edit[field] = n;
    }
    if (bad) {
      errors.push({ line: row.line, message: bad });
      continue;
    }
    try {
      await editStock(deps, merchantId, edit);
      updated++;
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      errors.push({ line: row.line, message: e.message });
    }
  }
  return { updated, errors: errors.sort((a, b) => a.line - b.line) };
}

/** 商品和库存 · 导入表格 from the phone: the server's table reader, then the same import as the CLI. */
export async function importStockFile(deps: Deps, input: { merchantId: string; format: 'csv' | 'xlsx'; content: string }, parse: OrderTableParser | undefined) {
  if (!parse) throw new AppError('CONFIG.NO_IMPORT', '这里暂时不能导入文件，请用电脑上的命令行导入', 503);
  await requireMerchant(deps, input.merchantId);
  const r = await importStockTable(deps, input.merchantId, await parse(input.format, input.content));
  // a phone shows a screenful: the first hundred bad rows say what is wrong with the file
  return { updated: r.updated, errors: r.errors.slice(0, 100) };
}
