import OpenAI from 'openai';
import type { ChatModel } from '@xiaoer/shared/usecases/answer/model/port';

export interface OpenAIChatModelOptions {
  apiKey: string;
  /** e.g. https://api.deepseek.com/v1 — always passed explicitly (never OPENAI_* env vars). */
  baseURL: string;
  model: string;
  maxRetries?: number;
}

/** The ChatModel port over one OpenAI-compatible endpoint (ARCHITECTURE §1), JSON mode, per-call timeout. */
export function createOpenAIChatModel(opts: OpenAIChatModelOptions): ChatModel {
  const client = new OpenAI({ apiKey: opts.apiKey, baseURL: opts.baseURL, maxRetries: opts.maxRetries ?? 1 });
  return {
    async complete(req) {
      const res = await client.chat.completions.create(
        {
          model: opts.model,
          messages: [{ role: 'system', content: req.system }, ...req.messages.map((m) => ({ role: m.role, content: m.content }))],
          response_format: { type: 'json_object' },
        },
        { timeout: req.timeoutMs },
      );
      return {
        content: res.choices[0]?.message?.content ?? '',
        usage: { promptTokens: res.usage?.prompt_tokens ?? 0, completionTokens: res.usage?.completion_tokens ?? 0 },
      };
    },
  };
}
