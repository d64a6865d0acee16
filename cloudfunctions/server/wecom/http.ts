import { AppError } from '@xiaoer/shared/domain/errors';
import { WecomApiError } from '@xiaoer/shared/ports/wecom';

/**
 * The one HTTP exchange the WeCom adapters share (api-client.ts, token-store.ts): a timeout per
 * request, network trouble and non-JSON answers as AppErrors, non-zero errcodes as WecomApiError.
 * URLs carry the access token or the secret, so no error message, detail or log line here ever
 * contains a URL, a query or a request body.
 */

export type FetchLike = typeof fetch;

/** A base URL, or a function giving it (the local host learns its own port only after listening). */
export type BaseUrl = string | (() => string);

export const DEFAULT_TIMEOUT_MS = 10_000;

export interface HttpOptions {
  baseUrl: BaseUrl;
  fetch?: FetchLike;
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  contentType: string;
  contentDisposition: string | null;
  bytes: Uint8Array;
}

export interface WecomHttp {
  /** `path` starts with `/cgi-bin/`; undefined query values are left out. */
  exchange(
    api: string,
    path: string,
    query: Record<string, string | number | undefined>,
    init: { method: 'GET' | 'POST'; body?: RequestInit['body']; headers?: Record<string, string> },
  ): Promise<RawResponse>;
}

export function resolveBase(baseUrl: BaseUrl): string {
  const base = (typeof baseUrl === 'function' ? baseUrl() : baseUrl).trim().replace(/\/+$/, '');
  if (!base) throw new AppError('CONFIG.WECOM_API_BASE', '没有配置企业微信接口地址（WECOM_API_BASE；本地应指向内置沙箱 <host>/sandbox）');
  return base;
}

export function createWecomHttp(opts: HttpOptions): WecomHttp {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof opts.baseUrl === 'string') resolveBase(opts.baseUrl); // fail at construction, not on the first customer message
  return {
    async exchange(api, path, query, init) {
      const url = new URL(resolveBase(opts.baseUrl) + path);
      for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
      try {
        // the signal also bounds reading the body
        const res = await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
        const bytes = new Uint8Array(await res.arrayBuffer());
        return { status: res.status, contentType: res.headers.get('content-type') ?? '', contentDisposition: res.headers.get('content-disposition'), bytes };
      } catch (err) {
        if (err instanceof AppError) throw err;
        // duck-typed: fetch's DOMException may come from another realm (jest's vm), failing instanceof
        const name = (err as { name?: unknown } | null)?.name;
        if (name === 'TimeoutError' || name === 'AbortError') {
          throw new AppError('WECOM.TIMEOUT', `企业微信接口 ${api} 超时：${Math.round(timeoutMs / 100) / 10} 秒内没有响应，请稍后再试`, 504, { api, timeoutMs });
        }
        // err.message/cause name a host and port at most, never the URL; keep only the code
        const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
        const code = typeof cause?.code === 'string' ? cause.code : undefined;
        throw new AppError('WECOM.NETWORK', `连不上企业微信接口 ${api}${code ? `（${code}）` : ''}，请检查网络后再试`, 502, { api, code });
      }
    },
  };
}

const decoder = new TextDecoder();

function tryJson(raw: RawResponse): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(decoder.decode(raw.bytes));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Throws WecomApiError when the body is a WeCom error object (`errcode` ≠ 0). */
export function throwIfErrcode(api: string, body: Record<string, unknown> | null): void {
  if (body && typeof body.errcode === 'number' && body.errcode !== 0) {
    throw new WecomApiError(api, body.errcode, typeof body.errmsg === 'string' ? body.errmsg : '');
  }
}

/** WeCom's gateway answered 5xx (overloaded, restarting): transient, retried with backoff. */
function upstream(api: string, raw: RawResponse): AppError {
  return new AppError('WECOM.UPSTREAM', `企业微信接口 ${api} 暂时不可用（HTTP ${raw.status}），稍后会自动重试`, 502, { api, status: raw.status });
}

/** A JSON answer without `errcode`/`errmsg`; a missing errcode on HTTP 2xx counts as 0. */
export function okJson(api: string, raw: RawResponse): Record<string, unknown> {
  const body = tryJson(raw);
  throwIfErrcode(api, body);
  if (raw.status >= 500) throw upstream(api, raw);
  if (!body || raw.status < 200 || raw.status >= 300) {
    throw new AppError('WECOM.BAD_RESPONSE', `企业微信接口 ${api} 返回了看不懂的内容（HTTP ${raw.status}）`, 502, { api, status: raw.status, contentType: raw.contentType });
  }
  const { errcode: _c, errmsg: _m, ...rest } = body;
  return rest;
}

/** media/get answers with the file, or with a JSON error object (told apart by content-type). */
export function mediaBody(api: string, raw: RawResponse): { bytes: Uint8Array; contentType: string; fileName?: string } {
  if (/json|text\/plain/i.test(raw.contentType)) throwIfErrcode(api, tryJson(raw));
  if (raw.status >= 500) throw upstream(api, raw);
  if (raw.status < 200 || raw.status >= 300) {
    throw new AppError('WECOM.BAD_RESPONSE', `企业微信接口 ${api} 返回了看不懂的内容（HTTP ${raw.status}）`, 502, { api, status: raw.status, contentType: raw.contentType });
  }
  return { bytes: raw.bytes, contentType: raw.contentType || 'application/octet-stream', fileName: fileNameOf(raw.contentDisposition) };
}

/** `attachment; filename="a.jpg"` or RFC 5987 `filename*=UTF-8''%E5%9B%BE.jpg`. */
export function fileNameOf(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall through to the plain form */
    }
  }
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/.exec(disposition);
  const name = (plain?.[1] ?? plain?.[2])?.trim();
  return name || undefined;
}
