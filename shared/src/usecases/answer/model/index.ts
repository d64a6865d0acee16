export type { ChatModel, ChatMessage, ChatRequest, ChatResponse, ChatRole } from '../../../ports/chat-model';
export { buildPrompt, selectFaqs, rankFaqs, historyTurns, SYSTEM_RULES, FULL_KB_MAX, TOP_K, HISTORY_MAX, type Prompt } from './prompt';
export { createModelAnswerer, costFen, ModelReply, BUDGET_NS, type ModelAnswerer, type ModelAnswererOptions, type ModelDecision, type BudgetEntry } from './answerer';
