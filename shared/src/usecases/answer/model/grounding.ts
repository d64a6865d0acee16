/**
 * Checks a model answer against what it cites before it is sent (issue 13 §4): a model may cite a
 * real FAQ and still add a time, a price or a promise that is not in it, refuse in words while
 * claiming an answer, or ramble. Each of these goes to the offline engine instead. Pure.
 */

/** Refusals and AI self-talk dressed as an answer. */
const REFUSAL =
  /无法回答|不能回答|没法回答|无法提供|不能提供|作为(一个)?(AI|ai|人工智能|语言模型|助手)|我是(一个)?(AI|人工智能|语言模型)|我不知道|我不清楚|不太清楚|无法确定|抱歉.{0,8}(无法|不能|没办法)/;

const CN_DIGIT: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** 十 → 10, 二十五 → 25, 一百二十八 → 128, 三 → 3 (up to 9,999); anything else as it is. */
function cnNumber(run: string): string {
  let total = 0;
  let cur = 0;
  for (const ch of run) {
    if (ch in CN_DIGIT) cur = CN_DIGIT[ch]!;
    else {
      const unit = ch === '十' ? 10 : ch === '百' ? 100 : ch === '千' ? 1000 : 0;
      if (!unit) return run;
      total += (cur || 1) * unit;
      cur = 0;
    }
  }
  return String(total + cur);
}

const ascii = (text: string) => text.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
/** A Chinese numeral is a quantity only before a unit ("十点", "三公里"); "一下", "一直" are words. */
const UNIT = '点|元|块|号|天|分|小时|个|公里|米|斤|杯|份|件|人|位|折|岁|月|年|周|次|寸|克|毫升|倍|成|盒|箱|桌|间|张|单|瓶|袋|家';
const CN_QUANTITY = new RegExp(`([零〇一二两三四五六七八九十百千]+)(?=${UNIT})`, 'g');

/** The numbers a text states: ASCII and full-width digits, and Chinese numerals before a unit (十点 → 10). */
export function numbersIn(text: string, opts: { anyCn?: boolean } = {}): Set<string> {
  const t = ascii(text);
  const out = new Set(t.match(/\d+(?:\.\d+)?/g) ?? []);
  const cn = opts.anyCn ? /[零〇一二两三四五六七八九十百千]+/g : CN_QUANTITY;
  for (const m of t.matchAll(cn)) out.add(cnNumber(m[0]));
  return out;
}

function cjkBigrams(text: string): string[] {
  const t = text.replace(/[^\u4e00-\u9fff]/g, '');
  const out: string[] = [];
  for (let i = 0; i + 1 < t.length; i++) out.push(t.slice(i, i + 2));
  return out;
}

/** Below this share of the answer's character pairs found in its sources, it says something they don't. */
export const MIN_OVERLAP = 0.25;
/** An answer this much longer than what it cites is rambling (and the more it says, the more it may invent). */
export const RAMBLE_FACTOR = 2.5;
export const RAMBLE_MIN = 200;

export type GroundingProblem = 'refused' | 'ramble' | 'invented_number' | 'unsupported';

/** What is wrong with `answer` given the texts it cites, or null when it stays within them. */
export function groundingProblem(answer: string, cited: readonly string[]): GroundingProblem | null {
  const source = cited.join('\n');
  if (REFUSAL.test(answer)) return 'refused';
  if (answer.length > Math.max(RAMBLE_MIN, RAMBLE_FACTOR * source.length)) return 'ramble';
  // the sources count every numeral they hold, so "十点" there covers "10点" here
  const known = numbersIn(source, { anyCn: true });
  for (const n of numbersIn(answer)) if (!known.has(n)) return 'invented_number';
  const pairs = cjkBigrams(answer);
  if (pairs.length >= 6) {
    const src = new Set(cjkBigrams(source));
    const found = pairs.filter((p) => src.has(p)).length;
    if (found / pairs.length < MIN_OVERLAP) return 'unsupported';
  }
  return null;
}
