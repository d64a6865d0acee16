import type { z } from 'zod';
import { Faq, Product, ShopFacts, type KnowledgeBaseFile, type StoredFaq, type StoredProduct } from '../../domain/knowledge';
import type { Deps } from '../../ports/deps';
import type { KbIssue, KbRow } from '../../ports/kb-files';
import { requireMerchant } from '../shop/require-merchant';
import { kbFull, MAX_FAQS_PER_SHOP } from './faqs';

export type { KbIssue, KbRow };

/**
 * Knowledge-base import and export (ARCHITECTURE §5 `kb import` / `kb export`, formats §6).
 * Platform-free: the server turns a file into numbered rows (cloudfunctions/server/kb/formats.ts)
 * and this validates and stores them. Partial success is the normal case: every good row is
 * kept, every bad row is reported with its line and skipped, nothing already stored is removed.
 */

export interface KbImportExtras {
  facts?: unknown;
  /** Products given apart from the rows (line = 1-based index in this array). */
  products?: unknown[];
}

export interface KbImportResult {
  /** Records written (FAQs + products). */
  imported: number;
  /** Rows rejected (FAQs + products). */
  skipped: number;
  faqs: { imported: number; skipped: number };
  products: { imported: number; skipped: number };
  /** Fact keys written (merged into the shop's existing facts). */
  factsUpdated: number;
  errors: KbIssue[];
  warnings: KbIssue[];
}

/** The §6 JSON shape with every FAQ field explicit (alternatives and enabled included). */
export type KbExport = KnowledgeBaseFile;

const LABELS: Record<string, string> = {
  id: 'id',
  question: '问题（question）',
  answer: '答案（answer）',
  alternatives: '相似问法（alternatives）',
  enabled: '启用（enabled）',
  sku: '商品编码（sku）',
  name: '商品名（name）',
  priceFen: '价格（priceFen，单位分）',
  stock: '库存（stock）',
  attributes: '属性（attributes）',
  facts: '店铺信息（facts）',
};

const TRUE_WORDS = new Set(['true', '1', '是', 'yes', 'y', '启用', '开', 'on']);
const FALSE_WORDS = new Set(['false', '0', '否', 'no', 'n', '停用', '关', 'off']);

/** `enabled` as written in a spreadsheet: true/false/1/0/是/否, empty = default (true). Anything else is left for zod to reject. */
export function parseEnabled(v: unknown): unknown {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === '') return undefined;
    if (TRUE_WORDS.has(s)) return true;
    if (FALSE_WORDS.has(s)) return false;
  }
  return v;
}

/** `alternatives` as an array or as one `|`-separated cell; trimmed, empties and repeats dropped. */
export function parseAlternatives(v: unknown): unknown {
  if (v === undefined || v === null) return undefined;
  const list = typeof v === 'string' ? v.split('|') : v;
  if (!Array.isArray(list)) return v;
  const out: unknown[] = [];
  for (const item of list) {
    const t: unknown = typeof item === 'string' ? item.trim() : item;
    if (t === '' || out.includes(t)) continue;
    out.push(t);
  }
  return out;
}

const trimmed = (v: unknown) => (typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : v);

function normalizeFaq(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const r = raw as Record<string, unknown>;
  return { id: trimmed(r.id), question: trimmed(r.question), answer: trimmed(r.answer), alternatives: parseAlternatives(r.alternatives), enabled: parseEnabled(r.enabled) };
}

function normalizeProduct(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const r = raw as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v);
  return { ...r, sku: trimmed(r.sku), name: trimmed(r.name), priceFen: num(r.priceFen), stock: num(r.stock) };
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s === undefined ? '' : s.length > 20 ? `${s.slice(0, 20)}…` : s;
}

/** One zod issue as a Chinese message an owner can act on. */
function issueMessage(issue: z.ZodIssue, value: Record<string, unknown> | undefined): { field: string; message: string } {
  const field = issue.path.length ? String(issue.path[0]) : '(整行)';
  const label = LABELS[field] ?? field;
  const got = value && field in value ? value[field] : undefined;
  if (field === '(整行)') return { field, message: '这一行不是一条记录（应为对象）' };
  if (field === 'enabled') return { field, message: `${label}只能填 true/false、1/0、是/否 或留空，这里是 "${show(got)}"` };
  const sub = issue.path.length > 1 ? `第 ${Number(issue.path[1]) + 1} 个` : '';
  switch (issue.code) {
    case 'invalid_type':
      if (issue.received === 'undefined' || issue.received === 'null') return { field, message: `缺少${label}` };
      return { field, message: `${label}${sub}格式不对：应为${typeName(issue.expected)}，这里是 ${show(got)}` };
    case 'too_small':
      if (issue.type === 'string') return { field, message: `${label}${sub}不能为空` };
      if (issue.type === 'number') return { field, message: `${label}不能小于 ${issue.minimum}` };
      return { field, message: `${label}太少` };
    case 'too_big':
      if (issue.type === 'string') {
        const at: unknown = Array.isArray(got) ? (got as unknown[])[Number(issue.path[1])] : undefined;
        const len = typeof got === 'string' ? got.length : typeof at === 'string' ? at.length : undefined;
        return { field, message: `${label}${sub}太长${len !== undefined ? `（${len} 字）` : ''}，最多 ${issue.maximum} 字` };
      }
      return { field, message: `${label}太大，最多 ${issue.maximum}` };
    default:
      return { field, message: `${label}不对：${issue.message}` };
  }
}

function typeName(t: string): string {
  return ({ string: '文字', number: '数字', integer: '整数', boolean: 'true/false', array: '列表', object: '对象' } as Record<string, string>)[t] ?? t;
}

function rowErrors(err: z.ZodError, line: number, note: string | undefined, value: unknown): KbIssue[] {
  const seen = new Set<string>();
  const out: KbIssue[] = [];
  for (const issue of err.issues) {
    const { field, message } = issueMessage(issue, value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined);
    if (seen.has(field)) continue;
    seen.add(field);
    out.push({ line, field, message, ...(note ? { note } : {}) });
  }
  return out;
}

/**
 * Validates rows and upserts the good ones into this merchant's knowledge base (ids as given).
 * A repeated id/sku within the input: the later row wins and the earlier one is reported as a
 * warning. FAQs and products not in the input are left alone; facts are merged key by key.
 */
export async function importKnowledge(deps: Deps, merchantId: string, rows: KbRow[], extras: KbImportExtras = {}): Promise<KbImportResult> {
  await requireMerchant(deps, merchantId);
  const errors: KbIssue[] = [];
  const warnings: KbIssue[] = [];
  const faqs = new Map<string, { faq: Faq; line: number; note?: string }>();
  const products = new Map<string, { product: Product; line: number; note?: string }>();
  let faqSkipped = 0;
  let productSkipped = 0;

  const allRows: KbRow[] = [...rows, ...(extras.products ?? []).map((product, i) => ({ line: i + 1, note: `products 第 ${i + 1} 条`, product }))];
  for (const row of allRows) {
    const note = row.note;
    const where = (r: { line: number; note?: string }) => (r.note ? `${r.note}` : `第 ${r.line} 行`);
    if (row.faq !== undefined) {
      const value = normalizeFaq(row.faq);
      const parsed = Faq.safeParse(value);
      if (!parsed.success) {
        faqSkipped++;
        errors.push(...rowErrors(parsed.error, row.line, note, value));
        continue;
      }
      const prev = faqs.get(parsed.data.id);
      if (prev)
        warnings.push({
          line: prev.line,
          field: 'id',
          message: `问答 id "${parsed.data.id}" 在${where(row)}又出现了一次，以后面的为准，这一条没有导入`,
          ...(prev.note ? { note: prev.note } : {}),
        });
      faqs.delete(parsed.data.id); // keep file order with the later position
      faqs.set(parsed.data.id, { faq: parsed.data, line: row.line, note });
    } else if (row.product !== undefined) {
      const value = normalizeProduct(row.product);
      const parsed = Product.safeParse(value);
      if (!parsed.success) {
        productSkipped++;
        errors.push(...rowErrors(parsed.error, row.line, note, value));
        continue;
      }
      const prev = products.get(parsed.data.sku);
      if (prev)
        warnings.push({
          line: prev.line,
          field: 'sku',
          message: `商品编码 "${parsed.data.sku}" 在${where(row)}又出现了一次，以后面的为准，这一条没有导入`,
          ...(prev.note ? { note: prev.note } : {}),
        });
      products.delete(parsed.data.sku);
      products.set(parsed.data.sku, { product: parsed.data, line: row.line, note });
    }
  }

  let factsUpdated = 0;
  let facts: Record<string, unknown> | undefined;
  if (extras.facts !== undefined && extras.facts !== null) {
    const parsed = ShopFacts.safeParse(extras.facts);
    if (parsed.success) facts = parsed.data;
    else errors.push({ line: 0, field: 'facts', message: `${LABELS.facts}应为一个对象，例如 {"hours":"9:00-21:00"}`, note: 'facts' });
  }

  const now = deps.clock.now();
  const kb = deps.storage.knowledge;
  // over the cap nothing is written: the shop keeps exactly what it had
  if (faqs.size) {
    const stored = new Set((await kb.listFaqs(merchantId)).map((f) => f.id));
    const adding = [...faqs.keys()].filter((id) => !stored.has(id)).length;
    if (stored.size + adding > MAX_FAQS_PER_SHOP) throw kbFull(stored.size, adding);
  }
  for (const { faq } of faqs.values()) {
    const stored: StoredFaq = { ...faq, merchantId, updatedAt: now };
    await kb.upsertFaq(stored);
  }
  if (products.size) {
    const existing = new Map((await kb.listProducts(merchantId)).map((p) => [p.sku, p]));
    for (const { product } of products.values()) {
      const stored: StoredProduct = { ...product, merchantId, updatedAt: now, lowStockAt: existing.get(product.sku)?.lowStockAt ?? 5 };
      await kb.upsertProduct(stored);
    }
  }
  if (facts && Object.keys(facts).length) {
    await kb.setFacts(merchantId, { ...(await kb.getFacts(merchantId)), ...facts }, now);
    factsUpdated = Object.keys(facts).length;
  }

  return {
    imported: faqs.size + products.size,
    skipped: faqSkipped + productSkipped,
    faqs: { imported: faqs.size, skipped: faqSkipped },
    products: { imported: products.size, skipped: productSkipped },
    factsUpdated,
    errors,
    warnings,
  };
}

/** The merchant's knowledge base in the §6 JSON shape (FAQs by id, every field explicit). */
export async function exportKnowledge(deps: Deps, merchantId: string): Promise<KbExport> {
  const merchant = await requireMerchant(deps, merchantId);
  const kb = deps.storage.knowledge;
  const faqs = (await kb.listFaqs(merchantId))
    .map((f) => ({ id: f.id, question: f.question, answer: f.answer, alternatives: f.alternatives ?? [], enabled: f.enabled ?? true }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const products = (await kb.listProducts(merchantId)).map((p) => ({
    sku: p.sku,
    name: p.name,
    priceFen: p.priceFen,
    stock: p.stock,
    ...(p.attributes ? { attributes: p.attributes } : {}),
  }));
  const facts = await kb.getFacts(merchantId);
  return {
    merchant: { name: merchant.name, industry: merchant.industry ?? '' },
    faqs,
    ...(products.length ? { products } : {}),
    ...(Object.keys(facts).length ? { facts } : {}),
  };
}
