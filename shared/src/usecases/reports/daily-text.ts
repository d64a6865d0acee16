import type { Day } from '../../domain/ids';
import { changeRatio } from '../../domain/report';
import { utf8Length } from '../channel-wecom/msgid';
import type { DailyDetails, DailyNumbers, DayTotals } from './daily';

/**
 * The daily report as an owner reads it: plain text (the app, the text push), WeCom markdown
 * and a WeCom text card, all from the same numbers. Pure; limits are WeCom's message/send ones.
 */

export interface DailyView {
  merchantName: string;
  day: Day;
  numbers: DailyNumbers;
  details: DailyDetails;
  /** Staff read the report without revenue (as on 今日). */
  showRevenue: boolean;
}

const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const MARKDOWN_MAX_BYTES = 2048;
const CARD_TITLE_MAX_BYTES = 128;
const CARD_DESCRIPTION_MAX_BYTES = 512;
export const NO_ORDERS_TEXT = '接入订单后这里显示营业额';

function weekdayOf(day: Day): string {
  const [y, m, d] = day.split('-').map(Number);
  return WEEKDAYS[new Date(Date.UTC(y!, m! - 1, d!)).getUTCDay()]!;
}

/** 11月22日 周六 */
export function dayLabel(day: Day): string {
  const [, m, d] = day.split('-').map(Number);
  return `${m}月${d}日 ${weekdayOf(day)}`;
}

/** ¥1,234.50 (whole yuan without decimals). */
export function yuan(fen: number): string {
  const abs = Math.abs(fen);
  const whole = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = abs % 100;
  return `${fen < 0 ? '-' : ''}¥${whole}${cents ? `.${String(cents).padStart(2, '0')}` : ''}`;
}

const percent = (r: number) => `${Math.round(Math.abs(r) * 100)}%`;

function versus(now: number, before: number, label: string): string | null {
  const r = changeRatio(now, before);
  // nothing the day before: a percentage would mean nothing
  if (r === null) return null;
  if (Math.abs(r) < 0.005) return `和${label}一样`;
  return `比${label}${r > 0 ? '多' : '少'} ${percent(r)}`;
}

/** （比前一天多 12%，比上周六少 3%）, or nothing when neither day had any. */
function changes(n: DailyNumbers, name: keyof DayTotals, day: Day): string {
  const parts = [versus(n[name], n.dayBefore[name], '前一天'), versus(n[name], n.weekBefore[name], `上${weekdayOf(day)}`)].filter(Boolean);
  return parts.length ? `（${parts.join('，')}）` : '';
}

export function duration(ms: number): string {
  if (ms < 60_000) return `${Math.max(1, Math.round(ms / 1000))} 秒`;
  if (ms < 3600_000) return `${Math.round(ms / 60_000)} 分钟`;
  return `${(ms / 3600_000).toFixed(1)} 小时`;
}

export function reportTitle(v: Pick<DailyView, 'merchantName' | 'day'>): string {
  return `${v.merchantName} ${dayLabel(v.day)} 日报`;
}

/** The numbers, one line each, in the order an owner looks for them. */
export function headlineLines(v: DailyView): string[] {
  const { numbers: n, day } = v;
  const out: string[] = [];
  if (v.showRevenue) out.push(n.hasOrders ? `营业额 ${yuan(n.revenueFen)}${changes(n, 'revenueFen', day)}` : `营业额：${NO_ORDERS_TEXT}`);
  if (n.hasOrders) out.push(`订单 ${n.orders} 单${n.refunds ? `，退款 ${n.refunds} 单` : ''}`);
  out.push(`新客户 ${n.newCustomers} 位${changes(n, 'newCustomers', day)}`);
  out.push(`来咨询的客户 ${n.consultations} 位，共 ${n.customerMessages} 条消息${changes(n, 'consultations', day)}`);
  const asked = n.aiAnswered + n.aiHandoffs;
  out.push(asked ? `AI 答了 ${n.aiAnswered} 个问题，转人工 ${n.aiHandoffs} 个，回答率 ${percent(n.aiAnswerRate ?? 0)}` : '没有要 AI 回答的问题');
  if (n.firstResponseAvgMs !== null) out.push(`平均第一次回复用了 ${duration(n.firstResponseAvgMs)}`);
  out.push(n.waitingHuman ? `还有 ${n.waitingHuman} 位客户在等人回复` : '没有客户在等人回复');
  return out;
}

/** The lists, each a heading line and its items; the first to go when a push must be shorter. */
export function listBlocks(v: DailyView): string[][] {
  const d = v.details;
  const blocks: string[][] = [];
  if (d.unanswered.length) blocks.push(['AI 没答上来的问题：', ...d.unanswered.map((q, i) => `${i + 1}. ${q.question}${q.count > 1 ? `（${q.count} 位客户问过）` : ''}`)]);
  if (v.numbers.hasOrders && d.topSellers.length) {
    const items = d.topSellers.map((s) => `${s.name} ${s.qty} 份`).join('、');
    blocks.push([`卖得最好：${items}`]);
  }
  if (d.lowStock.length) blocks.push([`库存不多了：${d.lowStock.map((p) => (p.stock > 0 ? `${p.name} 剩 ${p.stock}` : `${p.name} 卖完了`)).join('、')}`]);
  return blocks;
}

export const adviceLine = (v: DailyView) => `明天：${v.details.advice}`;

/** The whole report as plain text: what the app shows and a text push carries. */
export function dailyText(v: DailyView): string {
  return [`【店小二】${reportTitle(v)}`, ...headlineLines(v), ...listBlocks(v).flat(), adviceLine(v)].join('\n');
}

/** WeCom markdown (≤ 2048 bytes): lists are dropped from the end until it fits. */
export function dailyMarkdown(v: DailyView, url: string | undefined): string {
  const blocks = listBlocks(v);
  const render = (bs: string[][]) =>
    [
      `**${reportTitle(v)}**`,
      ...headlineLines(v).map((l) => `> ${l}`),
      ...bs.flat(),
      `**明天：**${v.details.advice}`,
      url ? `[看完整报表](${url})` : '完整报表：打开店小二小程序查看',
    ]
      .join('\n')
      .trim();
  let text = render(blocks);
  while (utf8Length(text) > MARKDOWN_MAX_BYTES && blocks.length) {
    blocks.pop();
    text = render(blocks);
  }
  while (utf8Length(text) > MARKDOWN_MAX_BYTES) text = text.slice(0, -10);
  return text;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A WeCom text card (description ≤ 512 bytes): the key numbers and tomorrow's advice; its button opens the report page. */
export function dailyCard(v: DailyView, url: string): { title: string; description: string; url: string; btntxt: string } {
  const n = v.numbers;
  let title = reportTitle(v);
  while (utf8Length(title) > CARD_TITLE_MAX_BYTES) title = title.slice(0, -2);
  const first = v.showRevenue ? headlineLines(v)[0]! : `来咨询的客户 ${n.consultations} 位${changes(n, 'consultations', v.day)}`;
  const stats = [
    n.hasOrders ? `订单 ${n.orders} 单` : null,
    `新客户 ${n.newCustomers} 位`,
    v.showRevenue ? `咨询 ${n.consultations} 位` : null,
    n.aiAnswerRate !== null ? `AI 回答率 ${percent(n.aiAnswerRate)}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
  const waiting = n.waitingHuman ? `还有 ${n.waitingHuman} 位客户在等人回复` : '没有客户在等人回复';
  const div = (cls: string, s: string) => `<div class="${cls}">${escapeHtml(s)}</div>`;
  let advice = adviceLine(v);
  const render = () => [div('gray', dayLabel(v.day)), div('highlight', first), div('normal', stats), div('normal', waiting), div('normal', advice)].join('');
  let description = render();
  // the advice is the free text: it gives way first
  while (utf8Length(description) > CARD_DESCRIPTION_MAX_BYTES && advice.length > 8) {
    advice = `${advice.slice(0, -2).replace(/…$/, '')}…`;
    description = render();
  }
  return { title, description, url, btntxt: '看完整报表' };
}
