import type { AnswerRules } from '../domain/answer-rules';
import type { Message } from '../domain/conversation';

/**
 * The answer engine as the channels see it: a question in, a decision out. The offline engine
 * (usecases/answer) and the model-backed one (usecases/answer/model) implement it.
 */
export interface AnswerInput {
  merchantId: string;
  externalUserId: string;
  /** The customer's question (fragments typed in quick succession already merged). */
  text: string;
  /** The conversation so far, oldest first (includes the question's own messages). */
  history: Message[];
  /** The shop's own handoff words, banned words and aliases. */
  rules?: AnswerRules;
  /** Who is answering: the shop's name and the AI persona its owner wrote. */
  shop?: { name: string; persona: string };
  /** Epoch ms by which an answer is needed (the invocation's time limit); the model gets what is left. */
  deadline?: number;
  /** Who is asking, for the model's context (never for prices or promises). */
  customer?: { name: string; tags: string[]; orderCount: number };
}

export interface AnswerDecision {
  /** What to send; null when there is nothing to say (then `handoff` decides). */
  reply: string | null;
  handoff: boolean;
  /** Short machine-readable why: `faq`, `no_match`, `asked_for_person`, `complaint`, … */
  reason: string;
  knowledgeIds: string[];
  /** 0–1. */
  confidence: number;
  /** For a clarifying question: the knowledge it asks about, so a "是的" next can be answered. */
  suggestedId?: string;
  /**
   * A handoff of a message with two requests: the answer to what the knowledge base covers
   * (`knowledgeIds` are its FAQs) and the `part` a person must handle, in the customer's words.
   */
  partial?: { answer: string; part: string };
  /**
   * Decided by the rules before any guess at the question (a handoff rule, a request for a
   * commitment, a sure handoff signal, a message with a part for a person, a confirmed guess, a
   * second miss): an answerer with a model returns it as it is, without calling the model.
   */
  settled?: boolean;
}

export interface Answerer {
  answer(input: AnswerInput): Promise<AnswerDecision>;
  /** Prepares a shop's index ahead of its first question (a host warms every shop at start). */
  warm?(merchantId: string): Promise<void>;
}
