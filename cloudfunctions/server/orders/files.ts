import path from 'node:path';
import { AppError } from '@xiaoer/shared/domain/errors';
import type { OrderTable, OrderTableParser } from '@xiaoer/shared/usecases/orders/import';
import { parseTableInWorker, readBytes } from '../kb/formats';

/**
 * Order tables for the import (CLI and `orders.import`), read by the knowledge-base import's
 * worker thread with its limits (20 MB, 10,000 rows, 200,000 cells, 10 s, xlsx zip checks).
 */

export function orderFormatOf(file: string): 'csv' | 'xlsx' {
  const ext = path.extname(file).toLowerCase().replace(/^\./, '');
  if (ext === 'csv' || ext === 'xlsx') return ext;
  throw new AppError('INPUT.INVALID', `不认识的文件类型"${ext ? `.${ext}` : '（没有扩展名）'}"：订单表要用 .csv 或 .xlsx（.xls 请在 Excel 里另存为 .xlsx）`);
}

/** A file on disk (the CLI). */
export function readOrderFile(file: string): Promise<OrderTable> {
  return parseTableInWorker(orderFormatOf(file), readBytes(file), file);
}

/** A file sent from the app: csv as text, xlsx as base64. */
export const parseOrderContent: OrderTableParser = async (format, content) => {
  const bytes = format === 'xlsx' ? Buffer.from(content, 'base64') : Buffer.from(content.replace(/^\uFEFF/, ''), 'utf8');
  if (format === 'xlsx' && !bytes.length) throw new AppError('INPUT.INVALID', 'Excel 文件是空的');
  return parseTableInWorker(format, bytes, format);
};
