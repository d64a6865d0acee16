import { z } from 'zod';
import { AppError } from '@xiaoer/shared/domain/errors';
import { MerchantId } from '@xiaoer/shared/domain/ids';
import { parseInput } from '@xiaoer/shared/contracts/envelope';
import type { Deps } from '@xiaoer/shared/ports/deps';
import type { WecomApi } from '@xiaoer/shared/ports/wecom';
import { requireMerchant } from '@xiaoer/shared/usecases/shop/require-merchant';
import { parseRule } from '@xiaoer/shared/usecases/tags/rules';
import { SYNC_BATCH } from '@xiaoer/shared/usecases/tags/sync';
import { applyAllRules, BATCH_WRITES, previewRule, type ApplyResult, type PreviewSample } from '@xiaoer/shared/usecases/tags/run';

/**
 * `tags preview --merchant <id> --rule '<json>'`: how many customers the rule matches now and 10
 * of them (nothing saved; a bad tree is refused with INPUT.INVALID naming the part).
 * `tags apply --merchant <id>`: every enabled rule now, WeCom calls made before it returns.
 */

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2).replace(/\.00$/, '')}`;

export async function runTagsPreview(rt: { deps: Deps }, flags: Record<string, unknown>): Promise<{ json: { count: number; sample: PreviewSample[] }; text: string }> {
  const need = "要给 --rule '<规则 JSON>'";
  const a = parseInput(z.object({ merchant: MerchantId, rule: z.string({ required_error: need }).min(1, need) }), flags);
  let raw: unknown;
  try {
    raw = JSON.parse(a.rule);
  } catch (err) {
    throw new AppError('INPUT.INVALID', `--rule 不是合法的 JSON：${(err as Error).message}`, 400, [{ path: 'rule', message: 'JSON 格式不对' }]);
  }
  const rule = parseRule(raw);
  await requireMerchant(rt.deps, a.merchant);
  const r = await previewRule(rt.deps, a.merchant, rule);
  const lines = [`「${rule.name}」现在符合的客户：${r.count} 位`, ...r.sample.map((c) => `  ${c.name || c.externalUserId}  消费 ${yuan(c.totalSpentFen)}，${c.orderCount} 单`)];
  return { json: r, text: lines.join('\n') };
}

export async function runTagsApply(rt: { deps: Deps; wecom: WecomApi }, flags: Record<string, unknown>): Promise<{ json: ApplyResult; text: string }> {
  const a = parseInput(z.object({ merchant: MerchantId }), flags);
  await requireMerchant(rt.deps, a.merchant);
  const r = await applyAllRules(rt.deps, a.merchant, rt.wecom);
  const lines = [`看了 ${r.customers} 位客户：${r.changed} 位的标签变了（加上 ${r.added} 个，去掉 ${r.removed} 个）`, `企业微信调用 ${r.wecomCalls} 次`];
  if (r.continuing) lines.push(`客户比较多，这次先改了 ${r.changed} 位，剩下的在接下来几分钟里分批接着改（每次最多约 ${BATCH_WRITES} 位）`);
  if (r.wecomFailed) lines.push(`${r.wecomFailed} 位客户的企业微信标签这次没打上，稍后会自动重试`);
  if (r.wecomLater) lines.push(`还有 ${r.wecomLater} 位客户的企业微信标签会在接下来几分钟里分批打上（每分钟最多 ${SYNC_BATCH} 位）`);
  return { json: r, text: lines.join('\n') };
}
