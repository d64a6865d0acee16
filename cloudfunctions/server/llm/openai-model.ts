import OpenAI from 'openai';
import type { ChatModel, ChatRequest, ChatResponse } from '@xiaoer/shared/ports/chat-model';

export interface OpenAIChatModelOptions {
  apiKey: string;
  /** e.g. https://api.deepseek.com/v1 — always passed explicitly (never OPENAI_* env vars). */
  baseURL: string;
  model: string;
  maxRetries?: number;
  /** Ask for a server-sent-event stream (LLM_STREAM); the timeout then covers the whole stream. */
  stream?: boolean;
}

/** Rough token count for servers that report no usage: ~1.5 characters per token (Chinese-heavy text), at least 1. */
export function estimateTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 1.5));
}

function promptChars(req: ChatRequest): number {
  return req.system.length + req.messages.reduce((n, m) => n + m.content.length, 0);
}

/** Thrown when the whole-call deadline runs out; the engine reads "timed out" as fallback 'timeout'. */
class ModelTimeoutError extends Error {
  override name = 'TimeoutError';
}

type Usage = { prompt_tokens?: number; completion_tokens?: number } | null | undefined;
interface Delta {
  content?: string | null;
  tool_calls?: Array<{ function?: { name?: string; arguments?: string } }>;
}
interface Chunk {
  choices?: Array<{ delta?: Delta; finish_reason?: string | null }>;
  usage?: Usage;
}

/** Folds stream chunks into one response; usage from the chunk that carries it, else estimated. */
function accumulator(req: ChatRequest) {
  let content = '';
  let toolChars = 0;
  let toolCalls = false;
  let finished = false;
  let usage: Usage;
  return {
    add(chunk: Chunk) {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (!choice) return;
      if (typeof choice.delta?.content === 'string') content += choice.delta.content;
      for (const t of choice.delta?.tool_calls ?? []) {
        toolCalls = true;
        toolChars += (t.function?.name?.length ?? 0) + (t.function?.arguments?.length ?? 0);
      }
      if (choice.finish_reason) finished = true;
    },
    result(): ChatResponse {
      if (!finished) throw new Error('model stream ended before a finish_reason (cut off)');
      // we offer no tools: a tool call is no answer; return '' so the engine falls back as 'invalid' (cost still recorded)
      if (!content && !toolCalls) throw new Error('model stream ended without content');
      return toResponse(toolCalls && !content.trim() ? '' : content, usage, req, content.length + toolChars);
    },
  };
}

function toResponse(content: string, usage: Usage, req: ChatRequest, completionChars: number): ChatResponse {
  const promptTokens = usage?.prompt_tokens ?? 0;
  const completionTokens = usage?.completion_tokens ?? 0;
  if (usage && promptTokens + completionTokens > 0) return { content, usage: { promptTokens, completionTokens } };
  return { content, usage: { promptTokens: estimateTokens(promptChars(req)), completionTokens: estimateTokens(completionChars), estimated: true } };
}

/** A non-stream request answered with `text/event-stream` anyway: the SDK hands back the raw text. */
function parseSseText(text: string, req: ChatRequest): ChatResponse {
  const acc = accumulator(req);
  let events = 0;
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (!data || data === '[DONE]') continue;
    acc.add(JSON.parse(data) as Chunk);
    events++;
  }
  if (!events) throw new Error('model replied with neither JSON nor an event stream');
  return acc.result();
}

/** The ChatModel port over one OpenAI-compatible endpoint (ARCHITECTURE §1), JSON mode, per-call timeout. */
export function createOpenAIChatModel(opts: OpenAIChatModelOptions): ChatModel {
  const client = new OpenAI({ apiKey: opts.apiKey, baseURL: opts.baseURL, maxRetries: opts.maxRetries ?? 1 });
  const messages = (req: ChatRequest) => [{ role: 'system' as const, content: req.system }, ...req.messages.map((m) => ({ role: m.role, content: m.content }))];

  async function completeOnce(req: ChatRequest): Promise<ChatResponse> {
    const res = (await client.chat.completions.create(
      { model: opts.model, messages: messages(req), response_format: { type: 'json_object' } },
      { timeout: req.timeoutMs },
    )) as unknown;
    if (typeof res === 'string') return parseSseText(res, req);
    const r = res as OpenAI.Chat.Completions.ChatCompletion;
    const message = r.choices?.[0]?.message;
    // a tool call (we offer none) or no message at all → '' and the engine falls back as 'invalid'
    const content = message?.content ?? '';
    const completionChars =
      content.length + (message?.tool_calls ?? []).reduce((n, t) => n + ('function' in t ? (t.function.name?.length ?? 0) + (t.function.arguments?.length ?? 0) : 0), 0);
    return toResponse(content, r.usage, req, completionChars);
  }

  async function completeStream(req: ChatRequest): Promise<ChatResponse> {
    // the SDK's `timeout` stops at the response headers; this deadline covers the whole stream
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), req.timeoutMs);
    const timedOut = () => new ModelTimeoutError(`model stream timed out after ${req.timeoutMs} ms`);
    try {
      const stream = await client.chat.completions.create(
        {
          model: opts.model,
          messages: messages(req),
          response_format: { type: 'json_object' },
          stream: true,
          stream_options: { include_usage: true },
        },
        { timeout: req.timeoutMs, signal: deadline.signal },
      );
      const acc = accumulator(req);
      for await (const chunk of stream) {
        acc.add(chunk as Chunk);
        if (deadline.signal.aborted) break;
      }
      // the SDK ends an aborted stream quietly: make it a timeout
      if (deadline.signal.aborted) throw timedOut();
      return acc.result();
    } catch (error) {
      if (deadline.signal.aborted) throw timedOut();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    complete: (req) => (opts.stream ? completeStream(req) : completeOnce(req)),
  };
}
