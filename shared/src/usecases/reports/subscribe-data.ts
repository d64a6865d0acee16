import dayjs from 'dayjs';
import { invalid } from '../../domain/errors';
import type { Merchant } from '../../domain/merchant';
import type { Report } from '../../domain/report';
import { dayOf } from '../../domain/time';
import type { SubscribeSender } from '../../ports/subscribe';

/**
 * What a subscribe message carries and how it fits its template (protocol doc §8). A template
 * is chosen by the platform in the mini-program's console, so its id and its keywords come from
 * configuration (WX_SUBSCRIBE_TEMPLATE_REPORT, WX_SUBSCRIBE_REPORT_FIELDS): each keyword
 * (`thing1`, `time2`, …) is mapped to one slot of {@link SubscribeSummary}, and its value is cut
 * to WeChat's limit for the keyword's type, read from its name. NOT verified against WeChat.
 */
export const SUBSCRIBE_SLOTS = ['title', 'summary', 'time', 'amount', 'count', 'shop'] as const;
export type SubscribeSlot = (typeof SUBSCRIBE_SLOTS)[number];

export interface SubscribeEnv {
  sender: SubscribeSender;
  /** The report template's id; absent: the channel is not set up on this deployment. */
  templateId?: string;
  /** Template keyword → slot. */
  fields: Record<string, SubscribeSlot>;
  miniprogramState?: 'developer' | 'trial' | 'formal';
}

/** A push as a subscribe message: a few short facts and the page it opens. */
export interface SubscribeSummary {
  /** e.g. 小麦面包坊日报. */
  title: string;
  /** One short sentence (a `thing` keyword keeps 20 characters). */
  summary: string;
  /** When it happened (epoch ms); default: now. */
  at?: number;
  amountFen?: number;
  count?: number;
  /** Mini-program page and query, e.g. `sub/report/index?merchant=…&kind=daily&date=…`. */
  page: string;
}

/** `thing1:title,time2:time` → {thing1: 'title', time2: 'time'}; a bad entry is a configuration error. */
export function parseSubscribeFields(spec: string): Record<string, SubscribeSlot> {
  const out: Record<string, SubscribeSlot> = {};
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [key, slot] = part.split(':').map((s) => s.trim());
    if (!key || !/^[a-z_]+\d+$/.test(key) || !(SUBSCRIBE_SLOTS as readonly string[]).includes(slot ?? '')) {
      throw invalid(`订阅消息字段配置不对：${part}（要写成 thing1:title，可用的有 ${SUBSCRIBE_SLOTS.join('、')}）`);
    }
    out[key] = slot as SubscribeSlot;
  }
  return out;
}

const chars = (s: string) => Array.from(s);
/** At most `max` characters, the last one an ellipsis when cut. */
export function cut(s: string, max: number): string {
  const all = chars(s.replace(/\s+/g, ' ').trim());
  return all.length <= max ? all.join('') : `${all.slice(0, max - 1).join('')}…`;
}

const yuan = (fen: number) => (fen / 100).toFixed(fen % 100 === 0 ? 0 : 2);

/** The keyword's type: its name without the trailing number (`character_string12` → character_string). */
const typeOf = (key: string) => key.replace(/\d+$/, '');

/**
 * The value of one keyword, within WeChat's limits for its type: thing ≤ 20 characters,
 * number/letter/character_string ≤ 32, phrase ≤ 5, name ≤ 10, amount a currency sign and at
 * most 10 digits, time `YYYY-MM-DD HH:mm`, date `YYYY-MM-DD`. Undefined: nothing fits.
 */
export function fieldValue(key: string, slot: SubscribeSlot, s: SubscribeSummary, shopName: string, tz: string, now: number): string | undefined {
  const type = typeOf(key);
  const at = s.at ?? now;
  if (type === 'time') return dayjs(at).tz(tz).format('YYYY-MM-DD HH:mm');
  if (type === 'date') return dayOf(at, tz);
  if (type === 'amount') {
    if (s.amountFen === undefined) return undefined;
    const v = yuan(s.amountFen);
    return v.replace('.', '').length > 10 ? undefined : `¥${v}`;
  }
  if (type === 'number') return s.count === undefined ? undefined : String(s.count).slice(0, 32);
  const text =
    slot === 'title' ? s.title : slot === 'summary' ? s.summary : slot === 'shop' ? shopName : slot === 'count' ? (s.count === undefined ? undefined : `${s.count}`) : undefined;
  if (text === undefined || !text.trim()) return undefined;
  if (type === 'thing') return cut(text, 20);
  if (type === 'phrase') return cut(text, 5);
  if (type === 'name') return cut(text, 10);
  if (type === 'character_string' || type === 'letter') return text.replace(/[^\x21-\x7e]/g, '').slice(0, 32) || undefined;
  return cut(text, 20);
}

/** The template's `data`: every configured keyword that has a value. */
export function templateData(
  env: Pick<SubscribeEnv, 'fields'>,
  s: SubscribeSummary,
  merchant: Pick<Merchant, 'name' | 'timezone'>,
  now: number,
): Record<string, { value: string }> {
  const data: Record<string, { value: string }> = {};
  for (const [key, slot] of Object.entries(env.fields)) {
    const value = fieldValue(key, slot, s, merchant.name, merchant.timezone, now);
    if (value !== undefined) data[key] = { value };
  }
  return data;
}

/** The mini-program page of a report (the same route the app message links to in H5). */
export const reportPage = (merchantId: string, kind: Report['kind'], date: string) => `sub/report/index?merchant=${encodeURIComponent(merchantId)}&kind=${kind}&date=${date}`;
export const alertsPage = (merchantId: string) => `sub/alerts/index?merchant=${encodeURIComponent(merchantId)}`;

const KIND_NAME: Record<Report['kind'], string> = { daily: '日报', weekly: '周报', monthly: '月报' };

/** A report as a subscribe message: its name, revenue, orders and consultations (revenue and orders only once the shop has orders), the page that opens it. */
export function reportSummary(report: Report, merchant: Pick<Merchant, 'id' | 'name'>, now: number): SubscribeSummary {
  const n = report.numbers as Record<string, unknown>;
  // a shop that never sent an order has no revenue to speak of, not a revenue of ¥0
  const num = (k: string) => (typeof n[k] === 'number' && (n.hasOrders !== false || !['orders', 'revenueFen'].includes(k)) ? (n[k] as number) : undefined);
  const orders = num('orders');
  const consultations = num('consultations');
  const parts = [orders !== undefined ? `订单${orders}单` : '', consultations !== undefined ? `咨询${consultations}次` : ''].filter(Boolean);
  return {
    title: `${merchant.name}${KIND_NAME[report.kind]}`,
    summary: parts.length ? `${parts.join('，')}，点开看详情` : '点开看完整报表',
    at: now,
    ...(num('revenueFen') !== undefined ? { amountFen: num('revenueFen') } : {}),
    ...(orders !== undefined ? { count: orders } : {}),
    page: reportPage(merchant.id, report.kind, report.date),
  };
}
