import { DEFAULT_TEXTS, FOLLOWUP_NAME, type FollowupKind } from '../../domain/followup';
import type { MeteredModel } from '../answer/model/metered';
import { numbersIn } from '../answer/model/grounding';
import { checkVariables, VARIABLES } from '../campaigns/variables';

/**
 * A follow-up's text drafted by the model when one is configured (issue 16 §4). It is only a
 * draft: the owner reads it and approves it by turning the follow-up on; nothing is sent before.
 * A draft that breaks the rules (a variable we do not have, a number, a price, too long) is
 * dropped for the shop's hand-written default.
 */
export interface FollowupDrafter {
  draft(merchant: { id: string; name: string; industry: string; timezone: string }, kind: FollowupKind): Promise<{ text: string; by: 'model' | 'template'; why?: string }>;
}

const PURPOSE: Record<FollowupKind, string> = {
  dormant: '问候一位很久没来买东西的老顾客，请他回来看看',
  birthday: '祝顾客生日快乐',
  aftercare: '顾客买完东西几天后，问问用得怎么样、有没有问题',
  repurchase: '提醒顾客常买的东西差不多该补了',
};

export const DRAFT_SYSTEM = [
  '你替一家小店写发给顾客的微信消息。要求：',
  '1. 口语、亲切、像店员本人发的，不超过 60 个字，一段话，可以有一个表情。',
  `2. 只能用这些占位符：${Object.keys(VARIABLES)
    .map((v) => `{${v}}`)
    .join('、')}，别的大括号都不要写。`,
  '3. 不写任何数字、价格、折扣、日期、赠品或承诺（店主没给的都不能编）。',
  '4. 只输出消息正文，不要引号、不要解释。',
].join('\n');

const MAX_CHARS = 120;

export function createFollowupDrafter(metered: MeteredModel): FollowupDrafter {
  return {
    async draft(merchant, kind) {
      const fallback = (why: string) => ({ text: DEFAULT_TEXTS[kind], by: 'template' as const, why });
      const user = `店名：${merchant.name}${merchant.industry ? `（${merchant.industry}）` : ''}\n这条消息的用处：${FOLLOWUP_NAME[kind]}，${PURPOSE[kind]}。`;
      const res = await metered.complete(merchant, { system: DRAFT_SYSTEM, user });
      if (!res.ok) return fallback(res.why);
      const text = res.content
        .trim()
        .replace(/^["“「]|["”」]$/g, '')
        .trim();
      if (!text || text.length > MAX_CHARS) return fallback('length');
      try {
        checkVariables(text, 'text');
      } catch {
        return fallback('variables');
      }
      if (numbersIn(text).size > 0) return fallback('numbers');
      return { text, by: 'model' };
    },
  };
}
