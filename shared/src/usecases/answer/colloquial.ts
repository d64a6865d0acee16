/**
 * Regional and spoken words customers type, rewritten to the standard words shops write their
 * FAQs in, before retrieval and the handoff rules see the question. Data only; order matters
 * (longer phrases first). Kept to words that mean the same everywhere they appear.
 */
export const COLLOQUIAL: readonly [string, string][] = [
  ['咋整', '怎么办'],
  ['咋办', '怎么办'],
  ['咋弄', '怎么弄'],
  ['咋个', '怎么'],
  ['咋样', '怎么样'],
  ['咋', '怎么'],
  ['啥子', '什么'],
  ['啥', '什么'],
  ['甚么', '什么'],
  ['好多钱', '多少钱'],
  ['几多钱', '多少钱'],
  ['没得', '没有'],
  ['莫得', '没有'],
  ['木有', '没有'],
  ['冇', '没有'],
  ['娃儿', '孩子'],
  ['娃娃', '孩子'],
  ['小娃', '孩子'],
  ['晓得', '知道'],
  ['中不中', '行不行'],
  ['礼拜天', '周日'],
  ['礼拜日', '周日'],
  ['星期天', '周日'],
  ['星期日', '周日'],
  ['礼拜', '周'],
  ['星期', '周'],
  ['钟头', '小时'],
];

export function standardize(text: string): string {
  let out = text;
  for (const [from, to] of COLLOQUIAL) if (out.includes(from)) out = out.split(from).join(to);
  return out;
}
