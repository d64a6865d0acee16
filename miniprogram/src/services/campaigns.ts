import type { CampaignView } from '@xiaoer/shared/contracts/campaigns';
import { formatTime } from '../pages/conversations/format';

/** Words for a 群发 shared by the 营销 tab and the 群发 pages (sub/campaign, sub/campaign-edit). */

export const STATUS_TEXT: Record<CampaignView['status'], string> = {
  draft: '草稿',
  scheduled: '已安排',
  sending: '发送中',
  sent: '已发完',
  cancelled: '已取消',
};

/** What every send screen says, because the owner's tap alone does not reach anyone (WeCom's rule). */
export const CONFIRM_NOTE = '发出后，店员要在企业微信里点确认，客户才会收到。';

const pad = (n: number) => String(n).padStart(2, '0');

/** A time that may be ahead: "明天 09:00" as well as formatTime's "14:05", "昨天 14:05", "11月20日 14:05". */
export function whenText(at: number, now: number = Date.now()): string {
  const d = new Date(at);
  const tomorrow = new Date(now);
  tomorrow.setDate(tomorrow.getDate() + 1);
  const isTomorrow = d.getFullYear() === tomorrow.getFullYear() && d.getMonth() === tomorrow.getMonth() && d.getDate() === tomorrow.getDate();
  return isTomorrow ? `明天 ${pad(d.getHours())}:${pad(d.getMinutes())}` : formatTime(at, now);
}

/** The send time as the list and the detail say it: "定在 明天 09:00 发", "11月20日 14:05 发的". */
export function sendTimeText(c: Pick<CampaignView, 'status' | 'sendAt' | 'updatedAt'>, now: number = Date.now()): string {
  if (c.status === 'draft') return `草稿，${formatTime(c.updatedAt, now)} 改过`;
  if (c.sendAt === null) return '';
  const at = whenText(c.sendAt, now);
  if (c.status === 'scheduled') return c.sendAt > now ? `定在 ${at} 发` : `${at} 开始发`;
  if (c.status === 'sending') return `${at} 开始发`;
  if (c.status === 'sent') return `${at} 发的`;
  return `原定 ${at} 发`;
}

/** The field an INPUT.INVALID refusal names (`details` is `[{path}]`, zod's `[{path, message}]`, or an older `{path}`), with its own message when zod gave one. */
export function refusedField(details: unknown): { path: string; message?: string } | null {
  const first: unknown = Array.isArray(details) ? (details as unknown[])[0] : details;
  if (!first || typeof first !== 'object') return null;
  const { path, message } = first as { path?: unknown; message?: unknown };
  if (typeof path !== 'string') return null;
  return typeof message === 'string' && Array.isArray(details) ? { path, message } : { path };
}
