import fs from 'node:fs';
import path from 'node:path';
import type ExcelJS from 'exceljs';
import { z } from 'zod';
import { AppError } from '@xiaoer/shared/domain/errors';
import { MerchantId } from '@xiaoer/shared/domain/ids';
import { parseInput } from '@xiaoer/shared/contracts/envelope';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { exportKnowledge, importKnowledge, type KbExport, type KbImportResult, type KbIssue, type KbRow } from '@xiaoer/shared/usecases/knowledge/import';
import { requireMerchant } from '@xiaoer/shared/usecases/shop/require-merchant';

/**
 * Knowledge-base files (ARCHITECTURE §6) for `kb import` / `kb export` (§5):
 * - `.json`: `{"merchant":{…},"faqs":[…],"products"?:[…],"facts"?:{…}}` (a bare FAQ array is accepted too);
 * - `.csv`: RFC 4180, UTF-8 with or without BOM, header row `id,question,answer,alternatives,enabled`;
 * - `.xlsx`: the first worksheet, same columns, header in row 1.
 * Alternatives in CSV/XLSX are one cell separated by `|`; `enabled` is true/false/1/0/是/否 or empty.
 */

export const KB_COLUMNS = ['id', 'question', 'answer', 'alternatives', 'enabled'] as const;
const REQUIRED_COLUMNS = ['id', 'question', 'answer'] as const;
const MAX_FILE_BYTES = 20 * 1024 * 1024;

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

export type KbFormat = 'json' | 'csv' | 'xlsx';

/** exceljs is large: loaded on the first xlsx, not when the host or a function starts. */
async function loadExcel(): Promise<typeof ExcelJS> {
  const mod = (await import('exceljs')) as unknown as { default?: typeof ExcelJS } & typeof ExcelJS;
  return mod.default ?? mod;
}

export interface KbFileContent {
  rows: KbRow[];
  facts?: unknown;
  /** Problems found while reading (rows that could not be read at all): reported as errors. */
  errors: KbIssue[];
  warnings: KbIssue[];
}

const invalid = (message: string) => new AppError('INPUT.INVALID', message);

export function formatOf(file: string): KbFormat {
  const ext = path.extname(file).toLowerCase().replace(/^\./, '');
  if (ext === 'json' || ext === 'csv' || ext === 'xlsx') return ext;
  throw invalid(`不认识的文件类型"${ext ? `.${ext}` : '（没有扩展名）'}"：知识库文件要用 .json、.csv 或 .xlsx（.xls 请在 Excel 里另存为 .xlsx）`);
}

function readBytes(file: string): Buffer {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw invalid(`找不到文件 ${file}`);
  }
  if (!stat.isFile()) throw invalid(`${file} 不是一个文件`);
  if (stat.size > MAX_FILE_BYTES) throw new AppError('INPUT.TOO_LARGE', `文件太大（${(stat.size / 1024 / 1024).toFixed(1)} MB），最多 20 MB`);
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw invalid(`读不了文件 ${file}：${(err as Error).message}`);
  }
}

/** Reads a knowledge-base file into numbered rows, by its extension. */
export async function readKnowledgeFile(file: string): Promise<KbFileContent> {
  const format = formatOf(file);
  const bytes = readBytes(file);
  if (format === 'json') return parseKbJson(decodeText(bytes, file).text);
  if (format === 'csv') {
    const { text, warning } = decodeText(bytes, file);
    const out = parseKbCsv(text);
    if (warning) out.warnings.unshift({ line: 0, field: '(文件)', message: warning });
    return out;
  }
  return parseKbXlsx(bytes, file);
}

/** A file sent from the app (kb.import): json/csv as text, xlsx as base64. */
export async function parseKbContent(format: KbFormat, content: string): Promise<KbFileContent> {
  if (format === 'json') return parseKbJson(content);
  if (format === 'csv') return parseKbCsv(content.replace(/^\uFEFF/, ''));
  const bytes = Buffer.from(content, 'base64');
  if (!bytes.length) throw invalid('Excel 文件是空的');
  if (bytes.length > MAX_FILE_BYTES) throw new AppError('INPUT.TOO_LARGE', '文件太大，最多 20 MB');
  return parseKbXlsx(bytes, 'xlsx');
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
  const endRecord = () => {
    cells.push(cell);
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

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** UTF-8 with BOM (so Excel opens it as UTF-8), CRLF line ends, RFC 4180 quoting. */
export function toCsv(kb: KbExport): string {
  const lines = [KB_COLUMNS.join(',')];
  for (const f of kb.faqs) lines.push([f.id, f.question, f.answer, (f.alternatives ?? []).join('|'), f.enabled === false ? 'false' : 'true'].map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
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
  const wb = new (await loadExcel()).Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
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

export async function toXlsx(kb: KbExport): Promise<Buffer> {
  const wb = new (await loadExcel()).Workbook();
  const ws = wb.addWorksheet('问答');
  ws.columns = [
    { header: 'id', key: 'id', width: 16 },
    { header: 'question', key: 'question', width: 36 },
    { header: 'answer', key: 'answer', width: 60 },
    { header: 'alternatives', key: 'alternatives', width: 40 },
    { header: 'enabled', key: 'enabled', width: 10 },
  ];
  ws.getRow(1).font = { bold: true };
  for (const f of kb.faqs) ws.addRow({ id: f.id, question: f.question, answer: f.answer, alternatives: (f.alternatives ?? []).join('|'), enabled: f.enabled !== false });
  ws.getColumn('answer').alignment = { wrapText: true, vertical: 'top' };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function writeKnowledgeFile(kb: KbExport, format: KbFormat, out: string): Promise<void> {
  const body = format === 'json' ? `${JSON.stringify(kb, null, 2)}\n` : format === 'csv' ? toCsv(kb) : await toXlsx(kb);
  try {
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, body);
  } catch (err) {
    throw invalid(`写不了文件 ${out}：${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------- CLI commands

type Flags = Record<string, unknown>;
interface KbRuntime {
  deps: Deps;
}

const issueText = (i: KbIssue) => `  ${i.note ?? (i.line ? `第 ${i.line} 行` : '')}${i.field && !i.field.startsWith('(') ? ` [${i.field}]` : ''}：${i.message}`;

/** `kb import --merchant <id> --file <kb.json|.csv|.xlsx>` */
export async function runKbImport(rt: KbRuntime, flags: Flags): Promise<{ json: KbImportResult & { merchantId: string; file: string }; text: string }> {
  const a = parseInput(
    z.object({ merchant: MerchantId, file: z.string({ required_error: '要给 --file <kb.json|.csv|.xlsx>' }).min(1, '要给 --file <kb.json|.csv|.xlsx>') }),
    flags,
  );
  await requireMerchant(rt.deps, a.merchant);
  const content = await readKnowledgeFile(a.file);
  const r = await importKnowledge(rt.deps, a.merchant, content.rows, { facts: content.facts });
  const errors = [...content.errors, ...r.errors].sort((x, y) => x.line - y.line);
  const warnings = [...content.warnings, ...r.warnings];
  const result = { merchantId: a.merchant, file: a.file, ...r, errors, warnings };
  const lines = [
    `已导入到 ${a.merchant}：问答 ${r.faqs.imported} 条${r.products.imported ? `，商品 ${r.products.imported} 个` : ''}${r.factsUpdated ? `，店铺信息 ${r.factsUpdated} 项` : ''}；跳过 ${r.skipped} 条有问题的${content.errors.length ? `（另有 ${content.errors.length} 处没读出来）` : ''}`,
  ];
  if (errors.length) lines.push('没导入的：', ...errors.slice(0, 50).map(issueText), ...(errors.length > 50 ? [`  ……共 ${errors.length} 处，用 --json 看全部`] : []));
  if (warnings.length) lines.push('提醒：', ...warnings.slice(0, 20).map(issueText), ...(warnings.length > 20 ? [`  ……共 ${warnings.length} 条`] : []));
  return { json: result, text: lines.join('\n') };
}

/** `kb export --merchant <id> --format json|csv|xlsx --out <file>` (format defaults to the extension of --out). */
export async function runKbExport(
  rt: KbRuntime,
  flags: Flags,
): Promise<{ json: { merchantId: string; format: KbFormat; out: string; faqs: number; products: number; facts: number }; text: string }> {
  const a = parseInput(
    z.object({
      merchant: MerchantId,
      out: z.string({ required_error: '要给 --out <文件>' }).min(1, '要给 --out <文件>'),
      format: z.enum(['json', 'csv', 'xlsx'], { errorMap: () => ({ message: '--format 只能是 json、csv 或 xlsx' }) }).optional(),
    }),
    flags,
  );
  const format = a.format ?? formatOf(a.out);
  const kb = await exportKnowledge(rt.deps, a.merchant);
  await writeKnowledgeFile(kb, format, a.out);
  const products = kb.products?.length ?? 0;
  const facts = Object.keys(kb.facts ?? {}).length;
  const lines = [`已导出 ${a.merchant} 的问答 ${kb.faqs.length} 条到 ${a.out}`];
  if (format !== 'json' && (products || facts)) lines.push(`注意：${format.toUpperCase()} 只有问答，商品 ${products} 个、店铺信息 ${facts} 项没有导出；完整备份请用 --format json`);
  const piped = kb.faqs.filter((f) => (f.alternatives ?? []).some((x) => x.includes('|')));
  if (format !== 'json' && piped.length) lines.push(`注意：${piped.map((f) => f.id).join('、')} 的相似问法里有"|"，再导入时会被拆开`);
  return { json: { merchantId: a.merchant, format, out: a.out, faqs: kb.faqs.length, products, facts }, text: lines.join('\n') };
}
