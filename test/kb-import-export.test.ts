import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { AppError } from '@xiaoer/shared/domain/errors';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { exportKnowledge, importKnowledge } from '@xiaoer/shared/usecases/knowledge/import';
import { parseCsv, readKnowledgeFile, runKbExport, runKbImport } from '../cloudfunctions/server/kb/formats';
import { testDeps } from './helpers/deps';
import { VECTOR_A } from './helpers/host';

// copies of ../shared/samples, so the tests run from any checkout
const SAMPLES = path.resolve(__dirname, 'fixtures/samples');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-kb-'));

async function shop(deps: Deps, id: string, name = '测试店') {
  await createMerchant(deps, { id, name, industry: 'test', corpId: VECTOR_A.corpId, token: VECTOR_A.token, aesKey: VECTOR_A.aesKey });
}

const faqsOf = async (deps: Deps, id: string) =>
  (await deps.storage.knowledge.listFaqs(id)).map(({ id, question, answer, alternatives, enabled }) => ({ id, question, answer, alternatives, enabled }));

/** A sample plus what the samples lack: alternatives (with commas, quotes, newlines), a disabled FAQ, products, facts. */
function enriched(sample: string): { file: string; kb: Record<string, any> } {
  const kb = JSON.parse(fs.readFileSync(path.join(SAMPLES, sample), 'utf8'));
  kb.faqs[0].alternatives = ['几点开', '营业时间, 几点关？'];
  kb.faqs[1].enabled = false;
  kb.faqs[2].alternatives = ['说 "你好"', '第一行\n第二行'];
  kb.faqs[2].answer = `${kb.faqs[2].answer}\n第二段，含逗号,和"引号"`;
  kb.products = [{ sku: 'P1', name: '招牌', priceFen: 1200, stock: 3, attributes: { 口味: '原味' } }];
  kb.facts = { hours: '9:00-21:00', address: '幸福路 1 号' };
  const file = path.join(tmp(), sample);
  fs.writeFileSync(file, JSON.stringify(kb));
  return { file, kb };
}

describe('kb import/export', () => {
  const samples = fs.readdirSync(SAMPLES).filter((f) => /^kb-.*\.json$/.test(f));

  it('has samples', () => expect(samples.length).toBeGreaterThan(0));

  it.each(samples)('%s round-trips through json, csv and xlsx', async (sample) => {
    const deps = testDeps();
    const rt = { deps };
    await shop(deps, 'src-shop', '源店');
    const { file, kb } = enriched(sample);
    const imp = await runKbImport(rt, { merchant: 'src-shop', file });
    expect(imp.json).toMatchObject({ skipped: 0, errors: [], warnings: [], faqs: { imported: kb.faqs.length, skipped: 0 }, products: { imported: 1 }, factsUpdated: 2 });
    const expected = kb.faqs
      .map((f: any) => ({ id: f.id, question: f.question, answer: f.answer, alternatives: f.alternatives ?? [], enabled: f.enabled ?? true }))
      .sort((a: any, b: any) => (a.id < b.id ? -1 : 1));
    expect(await faqsOf(deps, 'src-shop')).toEqual(expected);

    const dir = tmp();
    for (const format of ['json', 'csv', 'xlsx'] as const) {
      const out = path.join(dir, `kb.${format}`);
      const ex = await runKbExport(rt, { merchant: 'src-shop', format, out });
      expect(ex.json).toMatchObject({ faqs: kb.faqs.length, format });
      const target = `dst-${format}`;
      await shop(deps, target);
      const back = await runKbImport(rt, { merchant: target, file: out });
      expect(back.json.errors).toEqual([]);
      expect(back.json.warnings).toEqual([]);
      expect(await faqsOf(deps, target)).toEqual(expected);
      if (format === 'json') {
        expect(await exportKnowledge(deps, target)).toEqual({ ...(await exportKnowledge(deps, 'src-shop')), merchant: { name: '测试店', industry: 'test' } });
      } else {
        expect(ex.text).toMatch(/商品 1 个、店铺信息 2 项没有导出/);
      }
    }
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'kb.json'), 'utf8'));
    expect(json.merchant).toEqual({ name: '源店', industry: 'test' });
    expect(json.products).toEqual(kb.products);
    expect(json.facts).toEqual(kb.facts);
  });

  it('CSV with bad rows: good rows kept, each bad row reported with its line', async () => {
    const deps = testDeps();
    await shop(deps, 'csv-shop');
    const long = '问'.repeat(501);
    const csv = [
      'id,question,answer,alternatives,enabled', // line 1
      'ok1,营业时间？,9 点到 21 点,几点开|几点关,是', // 2
      'no_answer,没有答案？,,,', // 3
      `too_long,${long},答案,,`, // 4
      'bad_enabled,问题,答案,,maybe', // 5
      'quoted,"有逗号, 的问题","第一行', // 6
      '第二行, 还有 ""引号""",a|b,0', // 7 (continuation of 6)
      '', // 8: blank, ignored
      'ok2,最后一个,好的,,', // 9
      'ok1,营业时间（新）？,10 点到 22 点,,1', // 10: repeats ok1
    ].join('\r\n');
    const file = path.join(tmp(), 'kb.csv');
    fs.writeFileSync(file, `\uFEFF${csv}`);
    const r = (await runKbImport({ deps }, { merchant: 'csv-shop', file })).json;
    expect(r.faqs).toEqual({ imported: 3, skipped: 3 });
    expect(r.errors).toEqual([
      { line: 3, field: 'answer', message: expect.stringContaining('不能为空') },
      { line: 4, field: 'question', message: expect.stringMatching(/太长.*501.*500/) },
      { line: 5, field: 'enabled', message: expect.stringContaining('maybe') },
    ]);
    expect(r.warnings).toEqual([{ line: 2, field: 'id', message: expect.stringContaining('第 10 行') }]);
    expect(await faqsOf(deps, 'csv-shop')).toEqual([
      { id: 'ok1', question: '营业时间（新）？', answer: '10 点到 22 点', alternatives: [], enabled: true },
      { id: 'ok2', question: '最后一个', answer: '好的', alternatives: [], enabled: true },
      { id: 'quoted', question: '有逗号, 的问题', answer: '第一行\r\n第二行, 还有 "引号"', alternatives: ['a', 'b'], enabled: false },
    ]);
  });

  it('CSV without BOM, LF line ends, missing columns and unclosed quotes', async () => {
    const dir = tmp();
    const ok = path.join(dir, 'a.csv');
    fs.writeFileSync(ok, 'question,answer,id\n问,答,x1\n');
    expect((await readKnowledgeFile(ok)).rows).toEqual([{ line: 2, faq: { id: 'x1', question: '问', answer: '答' } }]);
    const noHeader = path.join(dir, 'b.csv');
    fs.writeFileSync(noHeader, 'id,question\nx,y\n');
    await expect(readKnowledgeFile(noHeader)).rejects.toMatchObject({ code: 'INPUT.INVALID', message: expect.stringContaining('answer') });
    expect(parseCsv('a,b\n"x,1\ny,2\n')).toEqual({ records: [{ line: 1, cells: ['a', 'b'] }], unclosedAt: 2 });
    const unclosed = path.join(dir, 'c.csv');
    fs.writeFileSync(unclosed, 'id,question,answer\nx,y,z\nq,"oops,z\nr,s,t\n');
    const c = await readKnowledgeFile(unclosed);
    expect(c.rows).toHaveLength(1);
    expect(c.errors).toEqual([expect.objectContaining({ line: 3 })]);
  });

  it('XLSX with a bad row: good rows kept, the bad row reported by its row number', async () => {
    const deps = testDeps();
    await shop(deps, 'xlsx-shop');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sheet1');
    ws.addRow(['id', 'question', 'answer', 'alternatives', 'enabled']);
    ws.addRow(['a1', '能外卖吗？', '能，美团饿了么都有', '送外卖吗|有外卖吗', true]);
    ws.addRow(['a2', '', '没有问题的答案', '', '']);
    ws.addRow([123, '数字 id？', '可以', '', 0]);
    ws.addRow([]);
    ws.addRow(['a4', '多行答案？', { richText: [{ text: '第一行\n' }, { text: '第二行' }] }, '', '否']);
    const file = path.join(tmp(), 'kb.xlsx');
    await wb.xlsx.writeFile(file);
    const r = (await runKbImport({ deps }, { merchant: 'xlsx-shop', file })).json;
    expect(r.errors).toEqual([{ line: 3, field: 'question', message: expect.stringContaining('不能为空') }]);
    expect(await faqsOf(deps, 'xlsx-shop')).toEqual([
      { id: '123', question: '数字 id？', answer: '可以', alternatives: [], enabled: false },
      { id: 'a1', question: '能外卖吗？', answer: '能，美团饿了么都有', alternatives: ['送外卖吗', '有外卖吗'], enabled: true },
      { id: 'a4', question: '多行答案？', answer: '第一行\n第二行', alternatives: [], enabled: false },
    ]);
  });

  it('JSON rows: bad ones reported by their index, the rest imported', async () => {
    const deps = testDeps();
    await shop(deps, 'json-shop');
    const r = await importKnowledge(deps, 'json-shop', [
      { line: 1, note: 'faqs 第 1 条', faq: { id: 'a', question: 'q', answer: 'x', alternatives: ['y', ''] } },
      { line: 2, note: 'faqs 第 2 条', faq: { id: 'b', question: 'q' } },
      { line: 3, note: 'faqs 第 3 条', faq: 'nope' },
      { line: 1, note: 'products 第 1 条', product: { sku: 'S', name: '货', priceFen: -1, stock: 1 } },
    ]);
    expect(r).toMatchObject({ imported: 1, skipped: 3 });
    expect(r.errors).toEqual([
      { line: 2, note: 'faqs 第 2 条', field: 'answer', message: '缺少答案（answer）' },
      { line: 3, note: 'faqs 第 3 条', field: '(整行)', message: expect.any(String) },
      { line: 1, note: 'products 第 1 条', field: 'priceFen', message: expect.stringContaining('不能小于 0') },
    ]);
    expect(await faqsOf(deps, 'json-shop')).toEqual([{ id: 'a', question: 'q', answer: 'x', alternatives: ['y'], enabled: true }]);
  });

  it('keeps tenants apart: importing into A never touches B', async () => {
    const deps = testDeps();
    await shop(deps, 'shop-a');
    await shop(deps, 'shop-b');
    await importKnowledge(deps, 'shop-b', [{ line: 1, faq: { id: 'hours', question: 'B 几点开？', answer: 'B 的答案' } }], { facts: { hours: 'B' } });
    const before = await exportKnowledge(deps, 'shop-b');
    const { file } = enriched('kb-bakery.json');
    // a row that claims to belong to B is still A's
    const rows = (await readKnowledgeFile(file)).rows.map((r) => (r.faq ? { ...r, faq: { ...(r.faq as object), merchantId: 'shop-b' } } : r));
    await importKnowledge(deps, 'shop-a', rows, { facts: { hours: 'A' } });
    expect(await exportKnowledge(deps, 'shop-b')).toEqual(before);
    expect((await exportKnowledge(deps, 'shop-a')).faqs.find((f) => f.id === 'hours')?.question).not.toBe('B 几点开？');
    expect(await deps.storage.knowledge.getFacts('shop-a')).toEqual({ hours: 'A' });
  });

  it('errors: unknown merchant, unknown extension, unreadable files', async () => {
    const deps = testDeps();
    const rt = { deps };
    await shop(deps, 'err-shop');
    const dir = tmp();
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e) => (e instanceof AppError ? e.code : String(e)),
      );
    const good = path.join(dir, 'kb.csv');
    fs.writeFileSync(good, 'id,question,answer\nx,y,z\n');
    expect(await code(runKbImport(rt, { merchant: 'nobody', file: good }))).toBe('NOT_FOUND.MERCHANT');
    expect(await code(runKbExport(rt, { merchant: 'nobody', format: 'json', out: path.join(dir, 'o.json') }))).toBe('NOT_FOUND.MERCHANT');
    expect(await code(importKnowledge(deps, 'nobody', []))).toBe('NOT_FOUND.MERCHANT');
    const txt = path.join(dir, 'kb.txt');
    fs.writeFileSync(txt, 'hi');
    await expect(runKbImport(rt, { merchant: 'err-shop', file: txt })).rejects.toMatchObject({ code: 'INPUT.INVALID', message: expect.stringContaining('.json、.csv 或 .xlsx') });
    expect(await code(runKbImport(rt, { merchant: 'err-shop', file: path.join(dir, 'missing.json') }))).toBe('INPUT.INVALID');
    const badXlsx = path.join(dir, 'bad.xlsx');
    fs.writeFileSync(badXlsx, 'not a zip');
    expect(await code(runKbImport(rt, { merchant: 'err-shop', file: badXlsx }))).toBe('INPUT.INVALID');
    const badJson = path.join(dir, 'bad.json');
    fs.writeFileSync(badJson, '{"faqs": [');
    expect(await code(runKbImport(rt, { merchant: 'err-shop', file: badJson }))).toBe('INPUT.INVALID');
    expect(await code(runKbImport(rt, { merchant: 'err-shop' }))).toBe('INPUT.INVALID');
    expect(await code(runKbExport(rt, { merchant: 'err-shop', format: 'pdf', out: path.join(dir, 'o.pdf') }))).toBe('INPUT.INVALID');
    expect(await code(runKbExport(rt, { merchant: 'err-shop', out: path.join(dir, 'o.pdf') }))).toBe('INPUT.INVALID');
    expect(await code(runKbExport(rt, { merchant: 'err-shop', out: path.join(dir, 'o.csv') }))).toBe('ok');
  });

  it('reads GBK CSV (Excel on Chinese Windows) with a warning', async () => {
    const file = path.join(tmp(), 'gbk.csv');
    // "id,question,answer\nx,你好,再见\n" in GBK
    fs.writeFileSync(
      file,
      Buffer.concat([Buffer.from('id,question,answer\nx,'), Buffer.from([0xc4, 0xe3, 0xba, 0xc3]), Buffer.from(','), Buffer.from([0xd4, 0xd9, 0xbc, 0xfb]), Buffer.from('\n')]),
    );
    const c = await readKnowledgeFile(file);
    expect(c.rows).toEqual([{ line: 2, faq: { id: 'x', question: '你好', answer: '再见' } }]);
    expect(c.warnings[0].message).toMatch(/GBK/);
  });
});
