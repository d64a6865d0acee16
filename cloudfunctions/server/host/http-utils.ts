import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '@xiaoer/shared/domain/errors';

/** A bigger cap for some requests, decided from the first bytes of the body (never the whole of it). */
export interface BodyAllowance {
  limit: number;
  /** Sees at most the first {@link HEAD_BYTES} bytes once the body passes the normal limit. */
  when(head: Buffer): boolean;
}
export const HEAD_BYTES = 256;

const tooLarge = (limit: number) => new AppError('INPUT.TOO_LARGE', `内容太大（上限 ${limit} 字节）`, 413);

/**
 * Reads the body up to `limit` bytes (or `more.limit` when `more.when` accepts its first bytes);
 * past that it stops reading and throws INPUT.TOO_LARGE.
 */
export function readBody(req: IncomingMessage, limit: number, more?: BodyAllowance): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    let cap = limit;
    let decided = !more;
    if (declared > Math.max(limit, more?.limit ?? 0)) {
      req.resume();
      return reject(tooLarge(limit));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      chunks.push(c);
      if (size > cap && !decided) {
        decided = true;
        if (more!.when(Buffer.concat(chunks).subarray(0, HEAD_BYTES))) cap = more!.limit;
      }
      if (size > cap) {
        req.removeAllListeners('data');
        chunks.length = 0;
        req.resume();
        reject(tooLarge(cap));
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** One path segment, decoded; a malformed escape (`%E0%A4%A`) is the caller's mistake, not a 500. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AppError('INPUT.BAD_PATH', '地址格式不对', 400);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8') {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      out[k] = v;
    }
  }
  return out;
}

export function parseJson(buf: Buffer): unknown {
  if (buf.length === 0) return {};
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw new AppError('INPUT.BAD_JSON', '请求内容不是合法的 JSON', 400);
  }
}
