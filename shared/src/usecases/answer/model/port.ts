/** The model port: one chat completion that returns JSON text (ARCHITECTURE §1: one platform-wide OpenAI-compatible endpoint). */
export type ChatRole = 'user' | 'assistant';
export interface ChatMessage {
  role: ChatRole;
  content: string;
}
export interface ChatRequest {
  system: string;
  messages: ChatMessage[];
  timeoutMs: number;
}
export interface ChatResponse {
  content: string;
  usage: { promptTokens: number; completionTokens: number };
}
export interface ChatModel {
  complete(req: ChatRequest): Promise<ChatResponse>;
}
