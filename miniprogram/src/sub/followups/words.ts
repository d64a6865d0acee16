import type { FollowupKind } from '@xiaoer/shared/domain/followup';
import { weekdayOf } from '../../pages/today/format';

/** 自动跟进 in the owner's words: what each one does, its setting's choices, the days it falls on. */

/** The text variables the backend fills in per customer (shared/src/usecases/campaigns/variables.ts). */
export const VARIABLES = ['称呼', '上次买的', '多少天没来'] as const;

export const WHAT_IT_DOES: Record<FollowupKind, string> = {
  dormant: '老客户好久没来买了，发一句问候，请他们回来看看。',
  birthday: '客户生日时发一句祝福（客户资料里记了生日的才会收到）。',
  aftercare: '客户买完东西过几天，问一声用得怎么样。',
  repurchase: '客户常买的东西差不多用完时，提醒一声该补货了。',
};

/** 多少天没来买算沉睡: the usual choices; a stored value that is not among them is offered too. */
export const DORMANT_CHOICES = [15, 30, 45, 60, 90, 120, 180];
export const BIRTHDAY_CHOICES = [0, 1, 2, 3, 4, 5, 6, 7];
export const AFTERCARE_CHOICES = [1, 3, 7, 14, 30];
/** WeCom's patience and the customer's: at most three check-ins after one order. */
export const AFTERCARE_MAX = 3;

export const birthdayChoiceText = (n: number) => (n === 0 ? '生日当天' : `提前 ${n} 天`);

const pad = (n: number) => String(n).padStart(2, '0');
const dayOfDate = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

/** "2026-11-24" → "今天" / "明天" / "11月26日 周四" (days are the shop's calendar days, this week's). */
export function dayText(day: string, now: number = Date.now()): string {
  const today = new Date(now);
  if (day === dayOfDate(today)) return '今天';
  const tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
  if (day === dayOfDate(tomorrow)) return '明天';
  return `${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日 周${weekdayOf(day)}`;
}

export const SEND_RULE = '打开后，每天上午 10 点会按这段话发给符合条件的客户，每人每段时间只发一次。';

/** The words of the confirm dialog: exactly the text(s) that will go out. */
export function confirmText(texts: string[], lead: string): string {
  const quoted = texts.length > 1 ? `A 版：「${texts[0]}」\nB 版：「${texts[1]}」\n两版各发一半客户，看哪版效果好。` : `「${texts[0]}」`;
  return `${lead}\n\n${quoted}`;
}
