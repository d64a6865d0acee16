import { z } from 'zod';

const Word = z.string().trim().min(1).max(20);

/**
 * A shop's own additions to the answer engine's shipped rules (ARCHITECTURE §6): words that
 * always mean "a person, please", words the AI must never send (added to the shipped list), and
 * aliases — the shop's own names for things ("招牌" means "杨枝甘露").
 */
export const AnswerRules = z.object({
  handoffWords: z.array(Word).max(100).default([]),
  bannedWords: z.array(Word).max(200).default([]),
  aliases: z
    .array(z.object({ term: Word, means: z.string().trim().min(1).max(40) }))
    .max(200)
    .default([]),
});
export type AnswerRules = z.infer<typeof AnswerRules>;

export const NO_RULES: AnswerRules = { handoffWords: [], bannedWords: [], aliases: [] };

/** Stored merchants predating the rules have none. */
export const rulesOf = (m: { answerRules?: Partial<AnswerRules> }): AnswerRules => ({ ...NO_RULES, ...(m.answerRules ?? {}) });
