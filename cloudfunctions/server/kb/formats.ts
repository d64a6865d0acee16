import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { AppError } from '@xiaoer/shared/domain/errors';
import { MerchantId } from '@xiaoer/shared/domain/ids';
import { parseInput } from '@xiaoer/shared/contracts/envelope';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { exportKnowledge, importKnowledge, type KbExport, type KbImportResult, type KbIssue } from '@xiaoer/shared/usecases/knowledge/import';
import { requireMerchant } from '@xiaoer/shared/usecases/shop/require-merchant';
import { checkXlsxZip, KB_COLUMNS, KB_FILE_LIMITS, KbParseError, loadExcel, type KbFileContent, type KbFormat, type TableContent } from './parse';

/** `kb import` / `kb export` (ARCHITECTURE §5) and the file side of `kb.import`: files are parsed in a worker (parse.ts). */
export { KB_COLUMNS, KB_FILE_LIMITS, parseCsv, parseKbCsv, parseKbJson, type KbFileContent, type KbFormat } from './parse';

const invalid = (message: string) => new AppError('INPUT.INVALID', message);

/** Wall-clock budget of one parse; past it the worker is terminated. */
const PARSE_TIMEOUT_MS = 10_000;
/** The worker's heap: exceljs on a 20 MB sheet stays well under; a bomb that slips past the checks dies here, not in the host. */
const WORKER_HEAP_MB = 256;
/** Parses at once per process; more wait their turn so a burst of imports cannot multiply the heap above. */
const MAX_PARALLEL = 2;

export function formatOf(file: string): KbFormat {
  const ext = path.extname(file).toLowerCase().replace(/^\./, '');
  if (ext === 'json' || ext === 'csv' || ext === 'xlsx') return ext;
  throw invalid(`不认识的文件类型"${ext ? `.${ext}` : '（没有扩展名）'}"：知识库文件要用 .json、.csv 或 .xlsx（.xls 请在 Excel 里另存为 .xlsx）`);
}

const tooLarge = (size: number) =>
  new AppError('INPUT.FILE_TOO_LARGE', `文件太大（${(size / 1024 / 1024).toFixed(1)} MB），最多 ${KB_FILE_LIMITS.maxFileBytes / 1024 / 1024} MB。请拆成几个小文件分批导入`, 413);

export function readBytes(file: string): Buffer {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw invalid(`找不到文件 ${file}`);
  }
  if (!stat.isFile()) throw invalid(`${file} 不是一个文件`);
  if (stat.size > KB_FILE_LIMITS.maxFileBytes) throw tooLarge(stat.size);
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw invalid(`读不了文件 ${file}：${(err as Error).message}`);
  }
}

/** Reads a knowledge-base file into numbered rows, by its extension (parsed in the import worker). */
export async function readKnowledgeFile(file: string): Promise<KbFileContent> {
  const format = formatOf(file);
  return parseInWorker(format, readBytes(file), file);
}

/** A file sent from the app (kb.import): json/csv as text, xlsx as base64 (parsed in the import worker). */
export async function parseKbContent(format: KbFormat, content: string): Promise<KbFileContent> {
  const bytes = format === 'xlsx' ? Buffer.from(content, 'base64') : Buffer.from(content.replace(/^\uFEFF/, ''), 'utf8');
  if (format === 'xlsx' && !bytes.length) throw invalid('Excel 文件是空的');
  return parseInWorker(format, bytes, format);
}

const asAppError = (err: unknown) => (err instanceof KbParseError ? new AppError(err.code, err.message, err.status) : err);

let running = 0;
const waiting: (() => void)[] = [];

/**
 * Parses in a worker thread with a heap limit and a wall-clock timeout, so one shop's file can
 * neither block the event loop (webhooks, /healthz, other shops) nor take the process's memory.
 * The cheap checks (size, the xlsx zip's declared sizes) run here first: no thread for a bomb.
 */
export function parseInWorker(format: KbFormat, bytes: Buffer, file: string): Promise<KbFileContent> {
  return inWorker<KbFileContent>('kb', format, bytes, file);
}

/** A plain CSV/XLSX table (the order import), in the same worker with the same limits and queue. */
export function parseTableInWorker(format: 'csv' | 'xlsx', bytes: Buffer, file: string): Promise<TableContent> {
  return inWorker<TableContent>('table', format, bytes, file);
}

async function inWorker<T>(kind: 'kb' | 'table', format: KbFormat, bytes: Buffer, file: string): Promise<T> {
  if (bytes.length > KB_FILE_LIMITS.maxFileBytes) throw tooLarge(bytes.length);
  if (format === 'xlsx') {
    try {
      checkXlsxZip(bytes);
    } catch (err) {
      throw asAppError(err);
    }
  }
  if (running >= MAX_PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await runWorker<T>(kind, format, bytes, file);
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** tsx's require hook, so the worker can load parse-worker.ts from source; a string, so esbuild leaves it alone. */
const TSX_HOOK = 'tsx/cjs';
const BOOT = `const { workerData } = require('node:worker_threads'); require(workerData.hook); require(workerData.entry);`;

function startWorker(workerData: { format: KbFormat; bytes: Uint8Array; file: string; kind: 'kb' | 'table' }): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 32 };
  const transferList = [workerData.bytes.buffer as ArrayBuffer];
  // in a function bundle, scripts/build-functions.mjs puts the bundled worker beside index.js
  const bundled = path.join(__dirname, 'kb-parse-worker.js');
  if (fs.existsSync(bundled)) return new Worker(bundled, { workerData, resourceLimits, transferList });
  const hook = createRequire(__filename).resolve(TSX_HOOK);
  return new Worker(BOOT, { eval: true, workerData: { ...workerData, hook, entry: path.join(__dirname, 'parse-worker.ts') }, resourceLimits, transferList });
}

function runWorker<T>(kind: 'kb' | 'table', format: KbFormat, bytes: Buffer, file: string): Promise<T> {
  // a copy the worker owns (transferred, not cloned); the caller's Buffer may sit in Node's shared pool
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new Promise((resolve, reject) => {
    const worker = startWorker({ format, bytes: copy, file: path.basename(file), kind });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      fn();
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new AppError(
              'INPUT.FILE_TIMEOUT',
              `这个文件 ${PARSE_TIMEOUT_MS / 1000} 秒内没读完，已停止。请删掉多余的工作表和格式，或拆成几个小文件（每个最多 ${KB_FILE_LIMITS.maxRows} 行）再导入`,
              422,
            ),
          ),
        ),
      PARSE_TIMEOUT_MS,
    );
    worker.on('message', (m: { ok: true; content: T } | { ok: false; code: string; status: number; message: string }) =>
      finish(() => (m.ok ? resolve(m.content) : reject(new AppError(m.code, m.message, m.status)))),
    );
    worker.on('error', (err: Error & { code?: string }) =>
      finish(() =>
        reject(
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new AppError('INPUT.FILE_TOO_LARGE', '这个文件展开后太大，读不下。请删掉多余的工作表、图片和格式，或拆成几个小文件再导入', 413)
            : err,
        ),
      ),
    );
    worker.on('exit', (code) => finish(() => reject(new Error(`知识库文件解析线程意外退出（${code}）`))));
  });
}

// ---------------------------------------------------------------- CSV / XLSX export

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** UTF-8 with BOM (so Excel opens it as UTF-8), CRLF line ends, RFC 4180 quoting. */
export function toCsv(kb: KbExport): string {
  const lines = [KB_COLUMNS.join(',')];
  for (const f of kb.faqs) lines.push([f.id, f.question, f.answer, (f.alternatives ?? []).join('|'), f.enabled === false ? 'false' : 'true'].map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
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
