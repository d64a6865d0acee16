import { z } from 'zod';
import { MerchantId } from '@xiaoer/shared/domain/ids';
import { parseInput } from '@xiaoer/shared/contracts/envelope';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { orderEventJsonSchema } from '@xiaoer/shared/domain/order-event';
import { importOrderTable, type OrderImportResult } from '@xiaoer/shared/usecases/orders/import';
import { rotateWebhookSecret } from '@xiaoer/shared/usecases/orders/webhook';
import { requireMerchant } from '@xiaoer/shared/usecases/shop/require-merchant';
import { readOrderFile } from './files';

type Flags = Record<string, unknown>;
interface OrdersRuntime {
  deps: Deps;
}

/** `webhook secret --merchant <id>`: creates or rotates the order webhook secret and prints it (this once). */
export async function runWebhookSecret(rt: OrdersRuntime, flags: Flags): Promise<{ json: { secret: string }; text: string }> {
  const a = parseInput(z.object({ merchant: MerchantId }), flags);
  const { secret } = await rotateWebhookSecret(rt.deps, a.merchant, 'cli');
  return {
    json: { secret },
    text: [
      `${a.merchant} 的订单回调密钥（只显示这一次，旧密钥已失效）：`,
      secret,
      `回调地址：POST <你的地址>/webhook/orders/${a.merchant}，头 X-Xiaoer-Timestamp（秒）和 X-Xiaoer-Signature（HMAC-SHA256，见 README）`,
    ].join('\n'),
  };
}

/** `orders import --merchant <id> --file <orders.csv|.xlsx>` */
export async function runOrdersImport(rt: OrdersRuntime, flags: Flags): Promise<{ json: OrderImportResult & { merchantId: string; file: string }; text: string }> {
  const a = parseInput(z.object({ merchant: MerchantId, file: z.string({ required_error: '要给 --file <orders.csv|.xlsx>' }).min(1, '要给 --file <orders.csv|.xlsx>') }), flags);
  await requireMerchant(rt.deps, a.merchant);
  const r = await importOrderTable(rt.deps, a.merchant, await readOrderFile(a.file));
  const lines = [`已导入到 ${a.merchant}：${r.imported} 条订单记录；${r.unchanged} 条以前导入过（没有重复计算）；${r.unmatched} 单没对上客户（可在小程序里关联）`];
  if (r.errors.length)
    lines.push(
      '没导入的：',
      ...r.errors.slice(0, 50).map((e) => `  第 ${e.line} 行：${e.message}`),
      ...(r.errors.length > 50 ? [`  ……共 ${r.errors.length} 处，用 --json 看全部`] : []),
    );
  if (r.warnings.length) lines.push('提醒：', ...r.warnings.slice(0, 20).map((w) => `  ${w.line ? `第 ${w.line} 行：` : ''}${w.message}`));
  return { json: { merchantId: a.merchant, file: a.file, ...r }, text: lines.join('\n') };
}

/** `webhook schema`: the JSON schema of an order event, generated from the zod schema (what the README shows). */
export async function runWebhookSchema(): Promise<{ json: Record<string, unknown>; text: string }> {
  const schema = orderEventJsonSchema();
  return { json: schema, text: JSON.stringify(schema, null, 2) };
}
