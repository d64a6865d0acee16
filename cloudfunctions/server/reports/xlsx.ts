import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseInput } from '@xiaoer/shared/contracts/envelope';
import { AppError } from '@xiaoer/shared/domain/errors';
import { MerchantId } from '@xiaoer/shared/domain/ids';
import { CalendarDay } from '@xiaoer/shared/domain/report';
import type { Deps } from '@xiaoer/shared/ports/deps';
import type { SheetColumn, WorkbookSpec, XlsxWriter } from '@xiaoer/shared/ports/spreadsheet';
import { reportWorkbook } from '@xiaoer/shared/usecases/reports/export';
import { loadExcel } from '../kb/parse';

/**
 * The xlsx side of 导出 Excel: writes the workbook a use case describes (ports/spreadsheet.ts)
 * with exceljs, the library the knowledge-base and order tables already use.
 */

const NUM_FMT: Record<NonNullable<SheetColumn['format']>, string | undefined> = { text: undefined, count: '0', yuan: '0.00', percent: '0%' };
// Excel refuses these in a tab's name and caps it at 31 characters
const tabName = (s: string) => s.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31);

export async function toXlsxBuffer(book: WorkbookSpec): Promise<Buffer> {
  const wb = new (await loadExcel()).Workbook();
  wb.creator = '店小二';
  for (const sheet of book.sheets) {
    const ws = wb.addWorksheet(tabName(sheet.name));
    ws.columns = sheet.columns.map((c) => ({ header: c.header, width: c.width ?? Math.max(10, c.header.length * 2 + 2) }));
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: 'frozen', ySplit: 1 }];
    for (const row of sheet.rows) ws.addRow(row.map((v) => v ?? undefined));
    sheet.columns.forEach((c, i) => {
      const fmt = NUM_FMT[c.format ?? 'text'];
      if (fmt) ws.getColumn(i + 1).eachCell((cell, n) => n > 1 && (cell.numFmt = fmt));
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export const writeXlsx: XlsxWriter = async (book) => (await toXlsxBuffer(book)).toString('base64');

/** `report export --merchant <id> --kind daily|weekly|monthly --date <YYYY-MM-DD> --out <file.xlsx>` (as the owner sees it). */
export async function runReportExport(
  rt: { deps: Deps },
  flags: Record<string, unknown>,
): Promise<{ json: { merchantId: string; kind: string; out: string; sheets: string[] }; text: string }> {
  const a = parseInput(
    z.object({
      merchant: MerchantId,
      kind: z.enum(['daily', 'weekly', 'monthly'], { errorMap: () => ({ message: '--kind 要写 daily、weekly 或 monthly（日报、周报、月报）' }) }).default('daily'),
      date: CalendarDay,
      out: z.string({ required_error: '要给 --out <文件.xlsx>' }).min(1, '要给 --out <文件.xlsx>'),
    }),
    flags,
  );
  const { book } = await reportWorkbook(rt.deps, a.merchant, a.kind, a.date, 'owner');
  const body = await toXlsxBuffer(book);
  try {
    fs.mkdirSync(path.dirname(path.resolve(a.out)), { recursive: true });
    fs.writeFileSync(a.out, body);
  } catch (err) {
    throw new AppError('INPUT.INVALID', `写不了文件 ${a.out}：${(err as Error).message}`);
  }
  const sheets = book.sheets.map((s) => s.name);
  return { json: { merchantId: a.merchant, kind: a.kind, out: a.out, sheets }, text: `已导出到 ${a.out}（${sheets.join('、')}）` };
}
