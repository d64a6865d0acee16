import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { callApi } from '@xiaoer/shared/api/dispatch';
import { ApiResults } from '@xiaoer/shared/contracts/api';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { ensureLocalMember } from '@xiaoer/shared/usecases/shop/members';
import { count } from '@xiaoer/shared/usecases/reports/counters';
import { ensureDailyReport } from '@xiaoer/shared/usecases/reports/daily-job';
import { ensurePeriodReport } from '@xiaoer/shared/usecases/reports/period-job';
import type { Deps } from '@xiaoer/shared/ports/deps';
import type { ManualClock } from '@xiaoer/shared/domain/time';
import { VECTOR_A } from './helpers/host';
import { testDeps } from './helpers/deps';
import { runReportExport, writeXlsx } from '../cloudfunctions/server/reports/xlsx';

/** reports.list by kind (with each push's state) and reports.export: the xlsx read back with exceljs, cell by cell. */
const sh = (local: string) => Date.parse(`${local}+08:00`);
const OWNER = 'local:shop:owner';
const STAFF = 'local:shop:staff';
let deps: Deps & { clock: ManualClock };

const api = async (raw: Record<string, unknown>, openid = OWNER, xlsx: typeof writeXlsx | null = writeXlsx) => {
  const { action, result } = await callApi(deps, { openid }, { merchantId: 'shop', ...raw }, undefined, undefined, undefined, xlsx ?? undefined);
  expect(ApiResults[action!].safeParse(result).success).toBe(true);
  return result as any;
};
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: { code?: string; status?: number }) => `${e.status} ${e.code}`,
  );

type Sheet = { name: string; rows: unknown[][] };
async function readBook(base64: string): Promise<Sheet[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(base64, 'base64') as never);
  return wb.worksheets.map((ws) => {
    const rows: unknown[][] = [];
    ws.eachRow({ includeEmpty: true }, (row) => rows.push((row.values as unknown[]).slice(1).map((v) => v ?? null)));
    return { name: ws.name, rows };
  });
}
const sheet = (book: Sheet[], name: string) => book.find((s) => s.name === name)!;

beforeEach(async () => {
  deps = testDeps(sh('2026-11-05T10:00:00'));
  await createMerchant(deps, { id: 'shop', name: '茶小满', ...VECTOR_A });
  await ensureLocalMember(deps, 'shop', 'owner');
  await ensureLocalMember(deps, 'shop', 'staff');
  const m = (await deps.storage.merchants.get('shop'))!;
  await count(deps, m, [
    { name: 'orders', at: sh('2026-11-17T12:00:00'), eventId: 'o1' },
    { name: 'revenueFen', at: sh('2026-11-17T12:00:00'), eventId: 'r1', amount: 2550 },
    { name: 'consultations', at: sh('2026-11-18T12:00:00'), eventId: 'c1', amount: 3 },
    { name: 'aiAnswered', at: sh('2026-11-18T12:05:00'), eventId: 'a1', amount: 3 },
    { name: 'aiHandoffs', at: sh('2026-11-18T12:06:00'), eventId: 'h1' },
    { name: 'consultations', at: sh('2026-11-10T12:00:00'), eventId: 'c2' },
  ]);
  deps.clock.set(sh('2026-12-02T10:00:00'));
  await ensureDailyReport(deps, m, '2026-11-17');
  await ensureDailyReport(deps, m, '2026-11-18');
  await ensurePeriodReport(deps, m, 'weekly', '2026-11-09');
  const week = await ensurePeriodReport(deps, m, 'weekly', '2026-11-16');
  await ensurePeriodReport(deps, m, 'monthly', '2026-10-01');
  await ensurePeriodReport(deps, m, 'monthly', '2026-11-01');
  // the week's push failed; the app shows why
  await deps.storage.reports.put(
    { ...week, push: { ...week.push, state: 'failed', reason: 'network', detail: '连不上企业微信，稍后会自动再发', attempts: 1 }, rev: week.rev + 1 },
    week.rev,
  );
});
afterEach(() => deps.storage.close());

describe('reports.list by kind', () => {
  it('pages weekly reports newest first, keyed by Monday, with the headline and why a push failed', async () => {
    const first = await api({ action: 'reports.list', kind: 'weekly', limit: 1 });
    expect(first.items).toEqual([
      { kind: 'weekly', date: '2026-11-16', builtAt: expect.any(Number), headline: '营业额 ¥25.50', push: 'failed', pushDetail: '连不上企业微信，稍后会自动再发' },
    ]);
    expect(first.nextBefore).toBe('2026-11-16');
    const second = await api({ action: 'reports.list', kind: 'weekly', limit: 1, before: first.nextBefore });
    expect(second.items.map((i: { date: string }) => i.date)).toEqual(['2026-11-09']);
    expect(second.items[0]).toMatchObject({ push: 'pending', pushDetail: null });
    expect(second.nextBefore).toBeNull();
  });

  it('gives staff the weekly headline without revenue, and monthly headlines are the health score', async () => {
    const staff = await api({ action: 'reports.list', kind: 'weekly' }, STAFF);
    expect(staff.items[0].headline).toBe('订单 1 笔');
    expect(JSON.stringify(staff)).not.toContain('营业额');
    const months = await api({ action: 'reports.list', kind: 'monthly' });
    expect(months.items.map((i: { date: string }) => i.date)).toEqual(['2026-11-01', '2026-10-01']);
    expect(months.items[0].headline).toMatch(/^经营健康分 \d+ 分（满分 100）$/);
  });

  it('still lists daily reports when no kind is given', async () => {
    const days = await api({ action: 'reports.list' });
    expect(days.items.map((i: { kind: string; date: string }) => `${i.kind} ${i.date}`)).toEqual(['daily 2026-11-18', 'daily 2026-11-17']);
    expect(days.items[1].headline).toContain('营业额 ¥25.50');
  });
});

describe('reports.export', () => {
  it('writes the weekly numbers beside the week before, the seven days and the sellers', async () => {
    const out = await api({ action: 'reports.export', kind: 'weekly', date: '2026-11-19' });
    expect(out.filename).toBe('茶小满-周报-2026-11-16至2026-11-22.xlsx');
    const book = await readBook(out.base64);
    expect(book.map((s) => s.name)).toEqual(['数字', '每天', '商品']);
    const numbers = sheet(book, '数字').rows;
    expect(numbers[0]).toEqual(['日期', '说明', '营业额(元)', '订单', '新客户', '咨询', '客户消息', 'AI 回答', '转人工', 'AI 回答率', '下单客户', '新客', '回头客', '复购率']);
    expect(numbers[1]!.slice(0, 10)).toEqual(['2026-11-16 至 2026-11-22', '本周', 25.5, 1, 0, 3, 0, 3, 1, 0.75]);
    // no questions the week before: no answer rate (an empty cell, which ends the row)
    expect(numbers[2]).toEqual(['2026-11-09 至 2026-11-15', '上周', 0, 0, 0, 1, 0, 0, 0]);
    const days = sheet(book, '每天').rows;
    expect(days[0]).toEqual(['日期', '营业额(元)', '订单', '新客户', '咨询', '客户消息', 'AI 回答', '转人工', 'AI 回答率']);
    expect(days.slice(1).map((r) => r[0])).toEqual(['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22']);
    expect(days[2]!.slice(0, 3)).toEqual(['2026-11-17', 25.5, 1]);
    expect(days[3]!.slice(4, 8)).toEqual([3, 0, 3, 1]);
    expect(sheet(book, '商品').rows[0]).toEqual(['类别', '商品', '件数']);
  });

  it('leaves the revenue column out for staff, in every sheet', async () => {
    const out = await api({ action: 'reports.export', kind: 'weekly', date: '2026-11-16' }, STAFF);
    const book = await readBook(out.base64);
    expect(sheet(book, '数字').rows[0]!.slice(0, 4)).toEqual(['日期', '说明', '订单', '新客户']);
    expect(JSON.stringify(book)).not.toContain('营业额');
    expect(JSON.stringify(book)).not.toContain('25.5');
  });

  it('writes the monthly health score with its parts and the three suggestions', async () => {
    const out = await api({ action: 'reports.export', kind: 'monthly', date: '2026-11-30' });
    expect(out.filename).toBe('茶小满-月报-2026-11.xlsx');
    const book = await readBook(out.base64);
    expect(book.map((s) => s.name)).toEqual(['数字', '每天', '健康分', '建议']);
    expect(sheet(book, '数字').rows[1]!.slice(0, 3)).toEqual(['2026-11', '本月', 25.5]);
    expect(sheet(book, '每天').rows).toHaveLength(31);
    const health = sheet(book, '健康分').rows;
    expect(health.map((r) => r[0])).toEqual(['项目', '增长', '回头客', '回复速度', 'AI 覆盖', '库存', '总分']);
    const parts = health.slice(1, 6).map((r) => r[1] as number);
    expect(health[6]).toEqual(['总分', Math.round(parts.reduce((a, b) => a + b, 0)), 100]);
    expect(
      sheet(book, '建议')
        .rows.slice(1)
        .map((r) => r[0]),
    ).toEqual([1, 2, 3]);
  });

  it('writes a day beside the day before and the same day last week', async () => {
    const book = await readBook((await api({ action: 'reports.export', kind: 'daily', date: '2026-11-17' })).base64);
    const rows = sheet(book, '数字').rows;
    expect(rows.map((r) => r.slice(0, 4))).toEqual([
      ['日期', '说明', '营业额(元)', '订单'],
      ['2026-11-17', '当天', 25.5, 1],
      ['2026-11-16', '前一天', 0, 0],
      ['2026-11-10', '上周同一天', 0, 0],
    ]);
    expect(book.map((s) => s.name)).toEqual(['数字', '卖得好的', 'AI 没答上来的', '库存偏低']);
  });

  it('refuses a period that has not begun, and says so where no xlsx writer runs', async () => {
    expect(await code(api({ action: 'reports.export', kind: 'weekly', date: '2026-12-30' }))).toBe('404 NOT_FOUND.REPORT');
    expect(await code(api({ action: 'reports.export', kind: 'daily', date: '2026-11-17' }, OWNER, null))).toBe('503 CONFIG.NO_EXPORT');
    expect(await code(api({ action: 'reports.export', kind: 'yearly', date: '2026-11-17' }))).toMatch(/^400 INPUT\./);
  });

  it('report export (CLI) writes the same workbook to a file', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'report-export-')), 'week.xlsx');
    const r = await runReportExport({ deps }, { merchant: 'shop', kind: 'weekly', date: '2026-11-16', out });
    expect(r.json).toEqual({ merchantId: 'shop', kind: 'weekly', out, sheets: ['数字', '每天', '商品'] });
    const book = await readBook(fs.readFileSync(out).toString('base64'));
    expect(sheet(book, '数字').rows[1]![2]).toBe(25.5);
  });
});
