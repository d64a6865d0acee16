import { z } from 'zod';
import { MerchantId } from '@xiaoer/shared/domain/ids';
import { parseInput } from '@xiaoer/shared/contracts/envelope';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { importStockTable, type StockImportResult } from '@xiaoer/shared/usecases/stock/import';
import { requireMerchant } from '@xiaoer/shared/usecases/shop/require-merchant';
import { readOrderFile } from '../orders/files';

/** `stock import --merchant <id> --file <stock.csv|.xlsx>`: counts and yellow/red marks by sku, read by the table worker. */
export async function runStockImport(
  rt: { deps: Deps },
  flags: Record<string, unknown>,
): Promise<{ json: StockImportResult & { merchantId: string; file: string }; text: string }> {
  const need = '要给 --file <stock.csv|.xlsx>';
  const a = parseInput(z.object({ merchant: MerchantId, file: z.string({ required_error: need }).min(1, need) }), flags);
  await requireMerchant(rt.deps, a.merchant);
  // the order reader is the generic table worker (csv/xlsx, limits, line numbers)
  const r = await importStockTable(rt.deps, a.merchant, await readOrderFile(a.file));
  const lines = [`已更新 ${a.merchant} 的 ${r.updated} 个商品的库存和提醒数量`];
  if (r.errors.length) lines.push('没导入的：', ...r.errors.slice(0, 50).map((e) => `  第 ${e.line} 行：${e.message}`));
  return { json: { merchantId: a.merchant, file: a.file, ...r }, text: lines.join('\n') };
}
