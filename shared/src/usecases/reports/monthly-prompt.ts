import { z } from 'zod';
import { changeRatio } from '../../domain/report';
import { duration } from './daily-text';
import type { HealthPart, MonthlyNumbers } from './monthly';

/**
 * The model's side of the monthly suggestions, pure: what the model is told (the month's
 * aggregate numbers and health-score parts, never a customer) and the strict check of what it
 * wrote. Anything the check refuses sends the rule-based suggestions instead (monthly-model.ts).
 */

/** A suggestion is one sentence an owner reads on a phone: longer means rambling. */
export const SUGGESTION_MAX_CHARS = 60;
export const SUGGESTION_MIN_CHARS = 6;

export const MONTHLY_SYSTEM = [
  '你是小店经营顾问“店小二”。店主开一家小店，不懂专业术语。',
  '根据【本月数据】给店主写下个月可以做的 3 条具体建议：',
  '1. 每条一句话，不超过 60 个字，用大白话，说清楚做什么、为什么；',
  '2. 先写得分最低的部分；',
  '3. 只能用【本月数据】里出现过的数字，不要自己算新的数字，不要编数字；',
  '4. 不要用 Markdown、不要编号、不要表情符号。',
  '只输出一个严格的 JSON 对象，不要输出其他任何文字：{"suggestions": ["建议一", "建议二", "建议三"]}',
].join('\n');

const PART_NAMES: Record<HealthPart, string> = { growth: '增长', retention: '回头客', responsiveness: '回复速度', aiCoverage: 'AI 覆盖', stockHealth: '库存' };
const pct = (r: number) => `${Math.round(r * 100)}%`;
const change = (now: number, before: number) => {
  const r = changeRatio(now, before);
  return r === null ? '上月没有可比的数' : `比上月${r >= 0 ? '多' : '少'} ${pct(Math.abs(r))}`;
};

/**
 * The month as lines of plain facts. Revenue goes in as a change only, never an amount: the
 * suggestions are shown to staff too, who do not see revenue (period-show.ts).
 */
export function monthlyFacts(n: MonthlyNumbers): string[] {
  const parts = (Object.keys(PART_NAMES) as HealthPart[]).map((p) => `${PART_NAMES[p]} ${n.health.parts[p]}`).join('，');
  const lines = [`经营健康分 ${n.health.score}（满分 100）；各部分（每项满分 20）：${parts}`];
  if (n.hasOrders) lines.push(`营业额${change(n.revenueFen, n.monthBefore.revenueFen)}；订单 ${n.orders} 笔（上月 ${n.monthBefore.orders} 笔），退款 ${n.refunds} 笔`);
  else lines.push('还没接入订单，看不到营业额');
  lines.push(`咨询 ${n.consultations} 人次（${change(n.consultations, n.monthBefore.consultations)}），新客户 ${n.newCustomers} 位，流失客户 ${n.lostCustomers} 位`);
  if (n.buyers && n.buyers.repurchaseRate !== null)
    lines.push(`下单客户 ${n.buyers.buyers} 位，其中新客 ${n.buyers.newBuyers} 位、老客 ${n.buyers.returningBuyers} 位，复购率 ${pct(n.buyers.repurchaseRate)}`);
  lines.push(n.aiAnswerRate !== null ? `AI 回答率 ${pct(n.aiAnswerRate)}，转人工 ${n.aiHandoffs} 次` : '这个月 AI 没接到问题');
  if (n.firstResponseAvgMs !== null) lines.push(`转人工后客户平均等 ${duration(n.firstResponseAvgMs)}才有第一条回复`);
  lines.push(n.products > 0 ? `商品 ${n.products} 个，其中 ${n.lowStockProducts} 个库存偏低` : '还没录商品库存');
  return lines;
}

/** The user turn: the facts, then the rule-based suggestions as a hint of what is useful. */
export function monthlyUserPrompt(n: MonthlyNumbers, ruleSuggestions: string[]): string {
  return [`【本月数据】（${n.month}）`, ...monthlyFacts(n), '', '【参考思路】', ...ruleSuggestions].join('\n');
}

const Reply = z.object({ suggestions: z.array(z.string()).length(3) }).strict();

/** Digits as numbers compare: full-width folded, thousands commas dropped, `12.0` = `12`. */
export function numbersIn(text: string): Set<string> {
  const folded = text.normalize('NFKC').replace(/(\d),(?=\d{3})/g, '$1');
  return new Set([...folded.matchAll(/\d+(?:\.\d+)?/g)].map((m) => String(Number(m[0]))));
}

// markdown and list debris, emoji; a line break means more than one sentence
const JUNK = /[*#`|>_~[\]]|^\s*(?:[-•·]|\d+[.、）)])|\n|\p{Extended_Pictographic}/u;
const REFUSAL = /抱歉|对不起|我(?:无法|不能|没办法)|作为(?:一个)?\s*(?:AI|人工智能|语言模型)|I can(?:'|no)t|sorry/iu;

export type SuggestionCheck = { ok: true; suggestions: string[] } | { ok: false; why: 'invalid' | 'refusal' | 'invented_numbers'; detail: string };

/**
 * Exactly three distinct sentences of SUGGESTION_MIN_CHARS–SUGGESTION_MAX_CHARS characters, no
 * markdown or numbering, no refusal, and every number in them present in `input` (what the model
 * was given): a number it made up is worse than no suggestion from the model.
 */
export function checkSuggestions(content: string, input: string): SuggestionCheck {
  let items: string[];
  try {
    items = Reply.parse(JSON.parse(content)).suggestions.map((s) => s.trim());
  } catch {
    return { ok: false, why: REFUSAL.test(content) ? 'refusal' : 'invalid', detail: 'not {"suggestions": [3 strings]}' };
  }
  if (items.some((s) => REFUSAL.test(s))) return { ok: false, why: 'refusal', detail: 'a suggestion refuses' };
  for (const s of items) {
    const len = [...s].length;
    if (len < SUGGESTION_MIN_CHARS || len > SUGGESTION_MAX_CHARS) return { ok: false, why: 'invalid', detail: `length ${len}` };
    if (JUNK.test(s)) return { ok: false, why: 'invalid', detail: 'markdown or numbering' };
  }
  if (new Set(items).size !== items.length) return { ok: false, why: 'invalid', detail: 'repeated suggestion' };
  const known = numbersIn(input);
  const invented = items.flatMap((s) => [...numbersIn(s)].filter((x) => !known.has(x)));
  if (invented.length) return { ok: false, why: 'invented_numbers', detail: invented.join(',') };
  return { ok: true, suggestions: items };
}
