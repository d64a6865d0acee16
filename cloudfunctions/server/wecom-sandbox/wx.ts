/** What every API handler shares: the request, WeCom's answer and error shapes, parameter checks. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Merchant, SecretKind } from '@xiaoer/shared/domain/merchant';
import type { Runtime } from '../composition';
import { E, type ErrName, type SandboxConfig, type SandboxRules } from './config';
import type { MerchantRegistry } from './registry';
import type { Fault, FaultMode, SandboxStore, SentRecord } from './store';
import { byteLength } from './util';

export interface ApiRequest {
  /** The path after /cgi-bin/, e.g. `kf/send_msg`. */
  api: string;
  method: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type ApiAnswer =
  | { kind: 'json'; status: number; body: Record<string, unknown> }
  /** An injected transport fault: the HTTP layer hangs, drops the connection or answers 503. */
  | { kind: 'transport'; mode: Exclude<FaultMode, 'errcode' | 'lost'> }
  | { kind: 'file'; bytes: Buffer; contentType: string; fileName: string };

/** What the handlers work with. */
export interface SandboxEnv {
  rt: Runtime;
  store: SandboxStore;
  registry: MerchantRegistry;
}

/** One call of an access_token API, after the token, faults and rate limit passed. */
export interface Ctx {
  api: string;
  merchant: Merchant;
  kind: SecretKind;
  now: number;
  cfg: SandboxConfig;
  rules: SandboxRules;
  body: Record<string, unknown>;
  req: ApiRequest;
  /** What goes into the sent list for send APIs; handlers fill in what the request alone does not say. */
  rec: Omit<SentRecord, 'at' | 'errcode'>;
}

/** An API: which tokens may call it and how; a plain object answer is wrapped in `{errcode: 0, errmsg: 'ok', …}`. */
export type Handler = { kinds: SecretKind[]; method: 'GET' | 'POST'; run(ctx: Ctx): Promise<Record<string, unknown> | ApiAnswer> };
export type Handlers = Record<string, Handler>;

/** Which secrets' tokens an API takes (the self-built app's token works everywhere it does in WeCom). */
export const KF: SecretKind[] = ['kf', 'app'];
export const CONTACT: SecretKind[] = ['contact', 'app'];
export const ANY: SecretKind[] = ['app', 'contact', 'kf'];
export const MEDIA_TYPES = new Set(['image', 'voice', 'video', 'file']);

/** An injected fault that is not an errcode, thrown inside handlers. */
export class TransportFault extends Error {
  constructor(readonly mode: Exclude<FaultMode, 'errcode' | 'lost'>) {
    super(`sandbox: injected ${mode}`);
  }
}

/** A WeCom error answer, thrown inside handlers. */
export class WxError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(errmsg);
  }
}

/** A fault that stops the call (`lost` lets the api router carry it out first; anywhere else it is a timeout). */
export function raise(fault: Fault): never {
  if (fault.mode && fault.mode !== 'errcode') throw new TransportFault(fault.mode === 'lost' ? 'timeout' : fault.mode);
  throw new WxError(fault.errcode, `sandbox: injected fault ${fault.errcode}`);
}

export function fail(name: ErrName, detail?: string): never {
  const [code, msg] = E[name];
  throw new WxError(code, detail ? `${msg}, hint: [sandbox] ${detail}` : msg);
}

export const answer = (body: Record<string, unknown>, status = 200): ApiAnswer => ({ kind: 'json', status, body });
export const okBody = (rest: Record<string, unknown> = {}) => ({ errcode: 0, errmsg: 'ok', ...rest });

export function need(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (typeof v !== 'string' || !v) fail('invalidParam', `${field} is required`);
  return v;
}

export function intIn(v: unknown, lo: number, hi: number, dflt: number, field: string): number {
  if (v === undefined || v === null || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo || n > hi) fail('invalidParam', `${field} must be ${lo}..${hi}`);
  return n;
}

/** Paging cursor: an opaque base64url of the offset / sequence. */
export const encCursor = (n: number) => Buffer.from(`c${n}`).toString('base64url');
export function decCursor(c: unknown): number {
  if (c === undefined || c === null || c === '') return 0;
  if (typeof c !== 'string' && typeof c !== 'number') fail('invalidParam', 'invalid cursor');
  const m = /^c(\d{1,15})$/.exec(Buffer.from(String(c), 'base64url').toString('utf8'));
  if (!m) fail('invalidParam', 'invalid cursor');
  return Number(m[1]);
}

/** One page of rows at an offset cursor, under the given list name. */
export function pageOf(name: string, rows: Record<string, unknown>[], offset: number, limit: number): Record<string, unknown> {
  return { [name]: rows.slice(offset, offset + limit), next_cursor: offset + limit < rows.length ? encCursor(offset + limit) : '' };
}

export function checkText(rules: SandboxRules, content: string, limit: number) {
  if (!content) fail('emptyContent');
  const n = byteLength(content);
  if (rules.textLength && n > limit) fail('contentTooLong', `${n} bytes > ${limit}`);
}

export function parseBody(buf: Buffer): Record<string, unknown> {
  if (!buf.length) return {};
  let v: unknown;
  try {
    v = JSON.parse(buf.toString('utf8'));
  } catch {
    fail('dataFormat');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail('dataFormat');
  return v as Record<string, unknown>;
}
