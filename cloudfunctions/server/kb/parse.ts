import { inflateRawSync } from 'node:zlib';
import path from 'node:path';
import type ExcelJS from 'exceljs';
import type { KbIssue, KbRow } from '@xiaoer/shared/ports/kb-files';

/**
 * Knowledge-base file parsing (ARCHITECTURE §6), run inside the import worker (parse-worker.ts)
 * so a hostile or huge file costs that thread, never the host's event loop. Only type imports
 * from shared: the worker loads this file without the path aliases.
 * - `.json`: `{"merchant":{…},"faqs":[…],"products"?:[…],"facts"?:{…}}` (a bare FAQ array is accepted too);
 * - `.csv`: RFC 4180, UTF-8 with or without BOM, header row `id,question,answer,alternatives,enabled`;
 * - `.xlsx`: the first worksheet, same columns, header in row 1.
 * Alternatives in CSV/XLSX are one cell separated by `|`; `enabled` is true/false/1/0/是/否 or empty.
 */

export const KB_COLUMNS = ['id', 'question', 'answer', 'alternatives', 'enabled'] as const;
const REQUIRED_COLUMNS = ['id', 'question', 'answer'] as const;

/** Limits of one import (README "知识库"). A shop holds at most 5,000 FAQs, so 10,000 rows is already generous. */
export const KB_FILE_LIMITS = {
  /** The file as sent (xlsx: compressed). */
  maxFileBytes: 20 * 1024 * 1024,
  /** Sum of the xlsx zip entries once inflated: what exceljs would hold as XML. */
  maxUnzippedBytes: 20 * 1024 * 1024,
  /** Inflated/compressed of one entry over 1 MB: real sheets are ~5–30×, a zip bomb is ~1000×. */
  maxZipRatio: 200,
  maxZipEntries: 2_000,
  maxRows: 10_000,
  maxCells: 200_000,
} as const;
const MAX_ROWS = KB_FILE_LIMITS.maxRows;
const MAX_CELLS = KB_FILE_LIMITS.maxCells;
const MB = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/** A refusal crossing the worker boundary as plain data; formats.ts turns it into an AppError. */
export class KbParseError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'KbParseError';
  }
}

const invalid = (message: string) => new KbParseError('INPUT.INVALID', message, 400);
export const fileTooLarge = (message: string) => new KbParseError('INPUT.FILE_TOO_LARGE', message, 413);
const tooManyRows = () =>
  new KbParseError(
    'INPUT.TOO_MANY_ROWS',
    `文件超过 ${MAX_ROWS.toLocaleString('en-US')} 行，一次导入不了。请把它拆成几个小文件分批导入（每个最多 ${MAX_ROWS.toLocaleString('en-US')} 行）`,
    413,
  );
const tooManyCells = () =>
  new KbParseError(
    'INPUT.TOO_MANY_CELLS',
    `文件里的格子太多（超过 ${MAX_CELLS.toLocaleString('en-US')} 个）。只保留 id、question、answer、alternatives、enabled 这几列，删掉其他列和多余的工作表后再导入`,
    413,
  );

function checkRows(n: number): void {
  if (n > MAX_ROWS) throw tooManyRows();
}

export interface KbFileContent {
  rows: KbRow[];
  facts?: unknown;
  /** Problems found while reading (rows that could not be read at all): reported as errors. */
  errors: KbIssue[];
  warnings: KbIssue[];
}

export type KbFormat = 'json' | 'csv' | 'xlsx';

/** Header aliases an owner might type (Chinese headings, any case). */
const HEADER_ALIASES: Record<string, (typeof KB_COLUMNS)[number]> = {
  id: 'id',
  编号: 'id',
  question: 'question',
  问题: 'question',
  answer: 'answer',
  答案: 'answer',
  回答: 'answer',
  alternatives: 'alternatives',
  相似问法: 'alternatives',
  其他问法: 'alternatives',
  enabled: 'enabled',
  启用: 'enabled',
  是否启用: 'enabled',
};

/** exceljs is large: loaded on the first xlsx. */
export async function loadExcel(): Promise<typeof ExcelJS> {
  const mod = (await import('exceljs')) as unknown as { default?: typeof ExcelJS } & typeof ExcelJS;
  return mod.default ?? mod;
}

/** Any knowledge-base file as bytes (the CLI's file, or the app's text/base64) into rows. */
export async function parseKbBytes(format: KbFormat, bytes: Buffer, file: string): Promise<KbFileContent> {
  if (bytes.length > KB_FILE_LIMITS.maxFileBytes) throw fileTooLarge(`文件太大（${MB(bytes.length)}），最多 ${MB(KB_FILE_LIMITS.maxFileBytes)}。请拆成几个小文件分批导入`);
  if (format === 'json') return parseKbJson(decodeText(bytes, file).text);
  if (format === 'csv') {
    const { text, warning } = decodeText(bytes, file);
    const out = parseKbCsv(text);
    if (warning) out.warnings.unshift({ line: 0, field: '(文件)', message: warning });
    return out;
  }
  if (!bytes.length) throw invalid('Excel 文件是空的');
  return parseKbXlsx(bytes, file);
}

/** UTF-8 (BOM stripped); a file that is not UTF-8 is read as GB18030 (Excel's "CSV" on Chinese Windows), with a warning. */
function decodeText(bytes: Buffer, file: string): { text: string; warning?: string } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    try {
      return { text: new TextDecoder('gb18030').decode(bytes), warning: '文件不是 UTF-8 编码，已按 GBK（GB18030）读取；如有乱码，请在 Excel 里另存为"CSV UTF-8"或 .xlsx' };
    } catch {
      throw invalid(`${file} 不是 UTF-8 编码的文本`);
    }
  }
}

// ---------------------------------------------------------------- XLSX zip check

interface ZipEntry {
  name: string;
  method: number;
  compressed: number;
  uncompressed: number;
  localOffset: number;
}

const notXlsx = (why: string) => invalid(`读不了这个 Excel 文件（${why}）：要 .xlsx 格式，请在 Excel 里另存为 .xlsx 后再导入`);

/** The zip's central directory: every entry with the sizes it declares, read without inflating anything. */
export function zipEntries(bytes: Buffer): ZipEntry[] {
  // End of central directory: 22 bytes plus a comment of at most 65,535, at the very end
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (bytes.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw notXlsx('不是 zip 压缩包');
  const cdSize = bytes.readUInt32LE(eocd + 12);
  const cdOffset = bytes.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff || cdOffset + cdSize > bytes.length) throw notXlsx('压缩包目录不对');
  const entries: ZipEntry[] = [];
  for (let p = cdOffset; p < cdOffset + cdSize;) {
    if (p + 46 > bytes.length || bytes.readUInt32LE(p) !== 0x02014b50) throw notXlsx('压缩包目录不对');
    const nameLen = bytes.readUInt16LE(p + 28);
    const extraLen = bytes.readUInt16LE(p + 30);
    const commentLen = bytes.readUInt16LE(p + 32);
    let compressed = bytes.readUInt32LE(p + 20);
    let uncompressed = bytes.readUInt32LE(p + 24);
    let localOffset = bytes.readUInt32LE(p + 42);
    // ZIP64: the real sizes sit in the extra field (id 1), in this order, only for the fields set to 0xffffffff
    if (uncompressed === 0xffffffff || compressed === 0xffffffff || localOffset === 0xffffffff) {
      const extra = bytes.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
      for (let e = 0; e + 4 <= extra.length;) {
        const id = extra.readUInt16LE(e);
        const size = extra.readUInt16LE(e + 2);
        if (id === 1) {
          let q = e + 4;
          const next = () => {
            const v = q + 8 <= e + 4 + size ? Number(extra.readBigUInt64LE(q)) : Infinity;
            q += 8;
            return v;
          };
          if (uncompressed === 0xffffffff) uncompressed = next();
          if (compressed === 0xffffffff) compressed = next();
          if (localOffset === 0xffffffff) localOffset = next();
          break;
        }
        e += 4 + size;
      }
    }
    entries.push({ name: bytes.toString('utf8', p + 46, p + 46 + nameLen), method: bytes.readUInt16LE(p + 10), compressed, uncompressed, localOffset });
    if (entries.length > KB_FILE_LIMITS.maxZipEntries)
      throw fileTooLarge(`这个 Excel 文件里的部件太多（超过 ${KB_FILE_LIMITS.maxZipEntries} 个），不像是一张问答表。请新建一个只有问答的工作簿再导入`);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

const unzippedTooLarge = (total: number) =>
  fileTooLarge(
    `这个 Excel 文件解压后有 ${Number.isFinite(total) ? MB(total) : '非常大'}，超过 ${MB(KB_FILE_LIMITS.maxUnzippedBytes)}，不能导入。请删掉多余的工作表、图片和格式，或另存为 CSV 后再导入`,
  );

/**
 * Refuses an xlsx whose entries would expand past the limit, before exceljs inflates anything:
 * first by the sizes the zip declares (cheap, also done before a worker is started), then, with
 * `inflate`, by inflating each entry with a hard output cap, since a crafted zip can under-declare.
 * Also counts rows and cells in the sheet XML so exceljs never builds a model too big to hold.
 */
export function checkXlsxZip(bytes: Buffer, opts: { inflate?: boolean } = {}): void {
  const entries = zipEntries(bytes);
  let declared = 0;
  for (const e of entries) {
    declared += e.uncompressed;
    if (e.uncompressed > 1024 * 1024 && e.uncompressed > e.compressed * KB_FILE_LIMITS.maxZipRatio) throw unzippedTooLarge(Math.max(declared, e.uncompressed));
  }
  if (declared > KB_FILE_LIMITS.maxUnzippedBytes) throw unzippedTooLarge(declared);
  if (!opts.inflate) return;
  let budget = KB_FILE_LIMITS.maxUnzippedBytes;
  let rows = 0;
  let cells = 0;
  for (const e of entries) {
    if (e.name.endsWith('/')) continue;
    const p = e.localOffset;
    if (p + 30 > bytes.length || bytes.readUInt32LE(p) !== 0x04034b50) throw notXlsx('压缩包内容不对');
    const start = p + 30 + bytes.readUInt16LE(p + 26) + bytes.readUInt16LE(p + 28);
    const data = bytes.subarray(start, start + e.compressed);
    let xml: Buffer;
    if (e.method === 0) xml = data;
    else if (e.method === 8) {
      try {
        xml = inflateRawSync(data, { maxOutputLength: budget + 1 });
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw unzippedTooLarge(Infinity);
        throw notXlsx('压缩包内容损坏');
      }
    } else throw notXlsx('不认识的压缩方式');
    if (xml.length > budget) throw unzippedTooLarge(Infinity);
    budget -= xml.length;
    if (/^xl\/worksheets\/[^/]+\.xml$/.test(e.name)) {
      rows += countOf(xml, '<row ') + countOf(xml, '<row>');
      cells += countOf(xml, '<c ') + countOf(xml, '<c>');
      if (rows > MAX_ROWS + 1) throw tooManyRows();
      if (cells > MAX_CELLS) throw tooManyCells();
    }
  }
}

function countOf(hay: Buffer, needle: string): number {
  let n = 0;
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + needle.length)) n++;
  return n;
}

// ---------------------------------------------------------------- JSON

export function parseKbJson(text: string): KbFileContent {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw invalid(`JSON 格式不对：${(err as Error).message}`);
  }
  if (Array.isArray(data)) data = { faqs: data };
  if (!data || typeof data !== 'object') throw invalid('JSON 应为 {"merchant":{…},"faqs":[…]} 这样的对象');
  const d = data as Record<string, unknown>;
  if (!Array.isArray(d.faqs)) throw invalid('JSON 里缺少 "faqs" 列表');
  if (d.products !== undefined && !Array.isArray(d.products)) throw invalid('JSON 里的 "products" 应为列表');
  checkRows(d.faqs.length + ((d.products as unknown[] | undefined)?.length ?? 0));
  const rows: KbRow[] = [
    ...d.faqs.map((faq, i) => ({ line: i + 1, note: `faqs 第 ${i + 1} 条`, faq: faq ?? null })),
    ...((d.products as unknown[] | undefined) ?? []).map((product, i) => ({ line: i + 1, note: `products 第 ${i + 1} 条`, product: product ?? null })),
  ];
  return { rows, facts: d.facts, errors: [], warnings: [] };
}

// ---------------------------------------------------------------- CSV

/** RFC 4180 records, each with the line it starts on. Lenient about stray quotes; an unclosed quote is reported. */
export function parseCsv(text: string): { records: { line: number; cells: string[] }[]; unclosedAt?: number } {
  const s = text.replace(/^\uFEFF/, '');
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let quoteStart = 0;
  let i = 0;
  let cellCount = 0;
  const endRecord = () => {
    cells.push(cell);
    // checked while reading, so a 100k-line file stops here instead of being held whole in memory
    cellCount += cells.length;
    if (records.length >= MAX_ROWS + 1) throw tooManyRows();
    if (cellCount > MAX_CELLS) throw tooManyCells();
    records.push({ line: start, cells });
    cells = [];
    cell = '';
  };
  while (i < s.length) {
    const c = s[i];
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      if (c === '\r' && s[i + 1] === '\n') {
        cell += '\r\n';
        i += 2;
        line++;
        continue;
      }
      if (c === '\n' || c === '\r') line++;
      cell += c;
      i++;
      continue;
    }
    if (c === '"' && cell === '') {
      quoted = true;
      quoteStart = line;
      i++;
      continue;
    }
    if (c === ',') {
      cells.push(cell);
      cell = '';
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && s[i + 1] === '\n' ? 2 : 1;
      line++;
      start = line;
      continue;
    }
    cell += c;
    i++;
  }
  if (quoted) {
    return { records, unclosedAt: quoteStart };
  }
  if (cell !== '' || cells.length) endRecord();
  return { records };
}

function headerIndex(header: string[], where: string): { index: Map<(typeof KB_COLUMNS)[number], number>; warnings: KbIssue[] } {
  const index = new Map<(typeof KB_COLUMNS)[number], number>();
  const warnings: KbIssue[] = [];
  header.forEach((raw, i) => {
    const name = raw.replace(/^\uFEFF/, '').trim();
    if (!name) return;
    const col = HEADER_ALIASES[name.toLowerCase()] ?? HEADER_ALIASES[name];
    if (!col) warnings.push({ line: 1, field: name, message: `不认识的列"${name}"，已忽略（能用的列：${KB_COLUMNS.join(',')}）` });
    else if (index.has(col)) warnings.push({ line: 1, field: col, message: `列"${col}"出现了两次，只用第一列` });
    else index.set(col, i);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !index.has(c));
  if (missing.length) throw invalid(`${where}第一行（表头）缺少 ${missing.join('、')} 列：表头应为 ${KB_COLUMNS.join(',')}`);
  return { index, warnings };
}

type Cell = string | number | boolean | undefined;

function rowFromCells(line: number, get: (col: (typeof KB_COLUMNS)[number]) => Cell): KbRow | null {
  const values = Object.fromEntries(KB_COLUMNS.map((c) => [c, get(c)])) as Record<(typeof KB_COLUMNS)[number], Cell>;
  const blank = KB_COLUMNS.every((c) => values[c] === undefined || (typeof values[c] === 'string' && (values[c] as string).trim() === ''));
  if (blank) return null;
  const faq: Record<string, unknown> = {};
  for (const c of KB_COLUMNS) if (values[c] !== undefined) faq[c] = values[c];
  return { line, faq };
}

export function parseKbCsv(text: string): KbFileContent {
  const { records, unclosedAt } = parseCsv(text);
  const first = records.findIndex((r) => r.cells.some((c) => c.trim() !== ''));
  if (first < 0) throw invalid('CSV 文件是空的：第一行应为表头 id,question,answer,alternatives,enabled');
  const { index, warnings } = headerIndex(records[first].cells, 'CSV ');
  const rows: KbRow[] = [];
  for (const rec of records.slice(first + 1)) {
    const row = rowFromCells(rec.line, (c) => {
      const i = index.get(c);
      return i === undefined ? undefined : rec.cells[i];
    });
    if (row) rows.push(row);
    if (rec.cells.length > records[first].cells.length)
      warnings.push({ line: rec.line, field: '(整行)', message: `这一行有 ${rec.cells.length} 列，比表头多；多出来的已忽略（含逗号的内容要用英文双引号括起来）` });
  }
  const errors: KbIssue[] = [];
  if (unclosedAt !== undefined) errors.push({ line: unclosedAt, field: '(整行)', message: '英文双引号没有闭合，从这一行到文件末尾都没有导入' });
  return { rows, errors, warnings };
}

// ---------------------------------------------------------------- XLSX

function cellValue(v: ExcelJS.CellValue): Cell {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('formula' in v || 'sharedFormula' in v) return cellValue((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('text' in v) return cellValue((v as ExcelJS.CellHyperlinkValue).text);
    if ('error' in v) return undefined;
  }
  return String(v);
}

export async function parseKbXlsx(bytes: Buffer, file = 'xlsx'): Promise<KbFileContent> {
  checkXlsxZip(bytes, { inflate: true });
  const wb = new (await loadExcel()).Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    if (err instanceof KbParseError) throw err;
    throw invalid(`读不了 Excel 文件 ${path.basename(file)}：${(err as Error).message}（要 .xlsx 格式）`);
  }
  const ws = wb.worksheets[0];
  if (!ws) throw invalid('Excel 文件里没有工作表');
  const headerRow = ws.getRow(1);
  const header: string[] = [];
  headerRow.eachCell({ includeEmpty: true }, (cell, col) => {
    const v = cellValue(cell.value);
    header[col - 1] = v === undefined ? '' : String(v);
  });
  for (let i = 0; i < header.length; i++) header[i] ??= '';
  if (!header.some((h) => h.trim())) throw invalid('Excel 第一个工作表的第 1 行应为表头 id,question,answer,alternatives,enabled');
  const { index, warnings } = headerIndex(header, 'Excel 第一个工作表');
  checkRows(ws.rowCount - 1);
  const rows: KbRow[] = [];
  for (let r = 2; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const kbRow = rowFromCells(r, (c) => {
      const i = index.get(c);
      if (i === undefined) return undefined;
      const v = cellValue(row.getCell(i + 1).value);
      // numbers in text columns (an id like 12) become text; enabled keeps booleans and numbers
      return c !== 'enabled' && typeof v !== 'string' && v !== undefined ? String(v) : v;
    });
    if (kbRow) rows.push(kbRow);
  }
  return { rows, errors: [], warnings };
}

// ---------------------------------------------------------------- plain tables (order import)

/** A table as text cells: the header and each data row with its line (CSV) or row (XLSX) number. Same limits as a knowledge-base file. */
export interface TableContent {
  header: string[];
  rows: { line: number; cells: string[] }[];
  errors: { line: number; message: string }[];
  warnings: { line: number; message: string }[];
}

/** A date cell as the shop's wall-clock time without a zone (exceljs reads Excel's zone-less dates as UTC). */
function tableCell(v: ExcelJS.CellValue): string {
  if (v instanceof Date) return v.toISOString().slice(0, 19).replace('T', ' ');
  const c = cellValue(v);
  return c === undefined ? '' : String(c);
}

/** A CSV or the first worksheet of an XLSX as text cells, header first (the order import's reader). */
export async function parseTableBytes(format: 'csv' | 'xlsx', bytes: Buffer, file: string): Promise<TableContent> {
  if (bytes.length > KB_FILE_LIMITS.maxFileBytes) throw fileTooLarge(`文件太大（${MB(bytes.length)}），最多 ${MB(KB_FILE_LIMITS.maxFileBytes)}。请拆成几个小文件分批导入`);
  if (format === 'csv') {
    const { text, warning } = decodeText(bytes, file);
    const { records, unclosedAt } = parseCsv(text);
    const first = records.findIndex((r) => r.cells.some((c) => c.trim() !== ''));
    if (first < 0) throw invalid('CSV 文件是空的：第一行应为表头');
    return {
      header: records[first].cells,
      rows: records.slice(first + 1),
      errors: unclosedAt !== undefined ? [{ line: unclosedAt, message: '英文双引号没有闭合，从这一行到文件末尾都没有导入' }] : [],
      warnings: warning ? [{ line: 0, message: warning }] : [],
    };
  }
  if (!bytes.length) throw invalid('Excel 文件是空的');
  checkXlsxZip(bytes, { inflate: true });
  const wb = new (await loadExcel()).Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    throw invalid(`读不了 Excel 文件 ${path.basename(file)}：${(err as Error).message}（要 .xlsx 格式）`);
  }
  const ws = wb.worksheets[0];
  if (!ws) throw invalid('Excel 文件里没有工作表');
  checkRows(ws.rowCount - 1);
  const width = ws.columnCount;
  const cellsOf = (r: number) => Array.from({ length: width }, (_, i) => tableCell(ws.getRow(r).getCell(i + 1).value));
  const rows: TableContent['rows'] = [];
  for (let r = 2; r <= ws.rowCount; r++) rows.push({ line: r, cells: cellsOf(r) });
  return { header: cellsOf(1), rows, errors: [], warnings: [] };
}
