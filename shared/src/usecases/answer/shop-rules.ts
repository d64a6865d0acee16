/** A shop's own answer rules (domain/answer-rules.ts) as the engines apply them before retrieval. */
import type { AnswerRules } from '../../domain/answer-rules';
import { normalize } from './tokenize';

/** The shop's own "a person, please" words: the first one the text contains, or null. */
export function shopHandoffWord(text: string, rules: AnswerRules | undefined): string | null {
  if (!rules?.handoffWords.length) return null;
  const t = normalize(text);
  return rules.handoffWords.find((w) => normalize(w) && t.includes(normalize(w))) ?? null;
}

/** Appends what the shop's own names mean ("招牌" → "杨枝甘露"), so retrieval sees both. */
export function expandAliases(text: string, rules: AnswerRules | undefined): string {
  if (!rules?.aliases.length) return text;
  const t = normalize(text);
  const add = rules.aliases.filter((a) => normalize(a.term) && t.includes(normalize(a.term))).map((a) => a.means);
  return add.length ? `${text} ${add.join(' ')}` : text;
}
