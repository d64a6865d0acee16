import { z } from 'zod';
import { AppError } from '@xiaoer/shared/domain/errors';
import { MerchantId } from '@xiaoer/shared/domain/ids';
import { localIso, localMinute } from '@xiaoer/shared/domain/time';
import { EXCLUSION_TEXT } from '@xiaoer/shared/domain/marketing';
import { parseInput } from '@xiaoer/shared/contracts/envelope';
import type { Deps } from '@xiaoer/shared/ports/deps';
import type { WecomApi } from '@xiaoer/shared/ports/wecom';
import { requireMerchant } from '@xiaoer/shared/usecases/shop/require-merchant';
import { planDraft } from '@xiaoer/shared/usecases/campaigns/plan';
import { scheduleCampaign } from '@xiaoer/shared/usecases/campaigns/lifecycle';
import { sendCampaign } from '@xiaoer/shared/usecases/campaigns/send';
import { loadCampaign } from '@xiaoer/shared/usecases/campaigns/store';
import { previewFollowups } from '@xiaoer/shared/usecases/followups/preview';

/**
 * `campaign plan --merchant <id> --audience '<tag expression>' [--at <ISO>] [--exclude-messaged-days N]
 * [--text T] [--text-b T2] [--name N]`: the plan, stored as a draft campaign.
 * `campaign send --merchant <id> --campaign <id> [--text T]`: books it; when its time has come
 * (quiet hours considered) its WeCom tasks are created now, otherwise the scheduler makes them then.
 */

function jsonFlag(name: string, raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    // a bare tag name is an expression too: --audience 会员
    if (!/^[[{"]/.test(raw.trim())) return raw;
    throw new AppError('INPUT.INVALID', `--${name} 不是合法的 JSON`, 400, [{ path: name, message: 'JSON 格式不对' }]);
  }
}

const PlanFlags = z.object({
  merchant: MerchantId,
  audience: z.string({ required_error: "要给 --audience '<标签表达式>'" }).min(1),
  at: z.string().optional(),
  'exclude-messaged-days': z.coerce.number().int().min(1).max(90).optional(),
  text: z.string().optional(),
  'text-b': z.string().optional(),
  name: z.string().optional(),
});

export async function runCampaignPlan(rt: { deps: Deps }, flags: Record<string, unknown>) {
  const a = parseInput(PlanFlags, flags);
  const merchant = await requireMerchant(rt.deps, a.merchant);
  const at = a.at === undefined ? undefined : Date.parse(a.at);
  if (at !== undefined && Number.isNaN(at)) throw new AppError('INPUT.INVALID', '--at 要写成 2026-12-12T10:00:00+08:00 这样', 400, [{ path: 'at' }]);
  const texts = [a.text, a['text-b']].filter((t): t is string => !!t);
  const p = await planDraft(rt.deps, merchant, {
    audience: jsonFlag('audience', a.audience),
    texts,
    ...(a.name ? { name: a.name } : {}),
    ...(at !== undefined ? { sendAt: at } : {}),
    ...(a['exclude-messaged-days'] ? { excludeMessagedDays: a['exclude-messaged-days'] } : {}),
  });
  const json = { campaignId: p.campaignId, recipients: p.recipients, bySender: p.bySender, excluded: p.excluded, sendAt: localIso(p.sendAt, merchant.timezone) };
  const lines = [
    `能收到：${p.recipients} 人（草稿 ${p.campaignId}）`,
    ...p.bySender.map((s) => `  ${s.userid}：${s.count} 人，要确认 ${s.chunks} 次`),
    ...p.excluded.map((e) => `  收不到 ${e.count} 人：${EXCLUSION_TEXT[e.reason]}`),
    `发送时间：${localMinute(p.sendAt, merchant.timezone)}${p.sendAt !== p.askedAt ? '（避开了不打扰时段）' : ''}`,
  ];
  return { json, text: lines.join('\n') };
}

export async function runCampaignSend(rt: { deps: Deps; wecom: WecomApi }, flags: Record<string, unknown>) {
  const a = parseInput(z.object({ merchant: MerchantId, campaign: z.string({ required_error: '要给 --campaign <草稿编号>' }).min(1), text: z.string().optional() }), flags);
  const merchant = await requireMerchant(rt.deps, a.merchant);
  if (a.text) {
    const c = await loadCampaign(rt.deps, merchant.id, a.campaign);
    await planDraft(rt.deps, merchant, {
      id: c.id,
      name: c.name,
      audience: c.audience,
      texts: [a.text],
      attachments: c.content.attachments,
      ...(c.excludeMessagedDays ? { excludeMessagedDays: c.excludeMessagedDays } : {}),
    });
  }
  const scheduled = await scheduleCampaign(rt.deps, merchant, a.campaign);
  const sendAt = scheduled.plan!.sendAt;
  const due = sendAt <= rt.deps.clock.now();
  const sent = due ? await sendCampaign({ deps: rt.deps, wecom: rt.wecom }, merchant.id, a.campaign) : { tasks: 0, created: 0, recipients: 0 };
  const after = await loadCampaign(rt.deps, merchant.id, a.campaign);
  const json = {
    campaignId: after.id,
    status: after.status,
    sendAt: localIso(sendAt, merchant.timezone),
    tasks: after.tasks.map((t) => ({ sender: t.sender, count: t.count, state: t.state, msgid: t.msgid ?? null })),
    created: sent.created,
  };
  const text = due ? `已经建好 ${sent.created} 条群发，发给 ${sent.recipients} 人；店员在企业微信里确认后客户才会收到` : `已安排在 ${localMinute(sendAt, merchant.timezone)} 发送`;
  return { json, text };
}

/** `followups preview --merchant <id>`: every follow-up, on or off, and who it would message this week. */
export async function runFollowupsPreview(rt: { deps: Deps }, flags: Record<string, unknown>) {
  const a = parseInput(z.object({ merchant: MerchantId }), flags);
  await requireMerchant(rt.deps, a.merchant);
  const previews = await previewFollowups(rt.deps, a.merchant);
  const lines = previews.map(
    (p) =>
      `${p.name}（${p.enabled ? '开着' : '没开'}）：这周会发给 ${p.count} 人${
        p.sample.length
          ? `，比如 ${p.sample
              .map((s) => s.name || s.externalUserId)
              .slice(0, 5)
              .join('、')}`
          : ''
      }`,
  );
  return { json: { followups: previews }, text: lines.join('\n') };
}
