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
  /** `estimated`: the server reported no usage, so the adapter estimated tokens from the text (cost is never 0 for a real call). */
  usage: { promptTokens: number; completionTokens: number; estimated?: boolean };
}
export interface ChatModel {
  complete(req: ChatRequest): Promise<ChatResponse>;
}
