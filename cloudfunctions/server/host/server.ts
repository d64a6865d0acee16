import crypto from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { AppError } from '@xiaoer/shared/domain/errors';
import { errorEnvelope } from '@xiaoer/shared/api/dispatch';
import type { Runtime } from '../composition';
import { handleApi } from '../../api';
import { handleWecomCallback, MAX_CALLBACK_BYTES } from '../../wecom';
import { handleOrderWebhook, WEBHOOK_MAX_BYTES } from '../../webhook';
import { decodeSegment, parseCookies, parseJson, readBody, sendJson, sendText } from './http-utils';
import { serveStatic } from './static';
import { endSessionOf, redeemLoginLink, SESSION_COOKIE, sessionCaller } from './login';
import { badLoginLinkPage } from './login-page';
import { createWecomSandbox, type WecomSandbox } from '../wecom-sandbox';

export interface HostOptions {
  h5Dir: string;
  /** True while the H5 app is being built (the page says so instead of 404). */
  isBuilding?: () => boolean;
  /** The WeCom sandbox mounted under /sandbox; by default one built from `rt`. */
  sandbox?: WecomSandbox;
}

/** Functions the owner app may call through `POST /fn/:name`. */
const APP_FUNCTIONS = new Set(['api']);

/** Body cap of an api call; only a knowledge-base import gets `config.bodyLimitBytes` (a file, base64). */
export const API_BODY_BYTES = 64 * 1024;
const BIG_ACTIONS = new Set(['kb.import', 'orders.import']);
/** The app sends `action` first (the contract's key order), so the first bytes say whether it is an import. */
const IMPORT_HEAD = /^\s*\{\s*"action"\s*:\s*"(kb|orders)\.import"/;

/** RATE.LIMITED carries its wait in the envelope; HTTP clients also get it as Retry-After. */
function retryAfter(status: number, body: unknown): Record<string, string> {
  const retry = (body as { details?: { retryAfterS?: unknown } }).details?.retryAfterS;
  return status === 429 && typeof retry === 'number' ? { 'retry-after': String(retry) } : {};
}

/**
 * The local host: the same function handlers CloudBase runs, over HTTP. Every route answers
 * with the error envelope on failure and nothing it receives can crash the process.
 */
export function createHostServer(rt: Runtime, opts: HostOptions) {
  const log = rt.logger;
  const sandbox = opts.sandbox ?? createWecomSandbox(rt);

  function tokenOf(req: IncomingMessage): string | undefined {
    const auth = req.headers.authorization;
    return auth?.startsWith('Bearer ') ? auth.slice(7) : parseCookies(req.headers.cookie)[SESSION_COOKIE];
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL) {
    const p = url.pathname;
    if (p === '/healthz') return sendJson(res, 200, { ok: true });

    if (p === '/login' && req.method === 'GET') {
      const session = await redeemLoginLink(rt, url.searchParams.get('token') ?? undefined);
      if (!session) {
        const message = '登录链接无效、已经用过或者过期了（每个链接只能打开一次），请让老板重新生成一个。';
        // a browser gets a page it can show; anything else gets the envelope
        if (req.headers.accept?.includes('text/html')) return sendText(res, 401, badLoginLinkPage(message), 'text/html; charset=utf-8');
        return sendJson(res, 401, { ok: false, code: 'AUTH.BAD_LOGIN_LINK', message });
      }
      res.writeHead(302, {
        location: '/',
        'set-cookie': `${SESSION_COOKIE}=${session.token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${session.maxAgeS}`,
        'cache-control': 'no-store',
      });
      return res.end();
    }

    if (p === '/logout' && req.method === 'POST') {
      await endSessionOf(rt, tokenOf(req));
      return sendJson(res, 200, { ok: true, data: null }, { 'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` });
    }

    const fn = /^\/fn\/([^/]+)$/.exec(p);
    if (fn) {
      if (req.method !== 'POST') throw new AppError('INPUT.METHOD', '请用 POST', 405);
      if (!APP_FUNCTIONS.has(fn[1])) throw new AppError('NOT_FOUND.FUNCTION', `没有 ${fn[1]} 这个接口`, 404);
      // who is calling before a byte of the body is read: a stranger's 3 MiB is never buffered
      const caller = await sessionCaller(rt, tokenOf(req));
      if (!caller) throw new AppError('AUTH.UNAUTHENTICATED', '登录已过期，请向老板要一个新的登录链接');
      const importing = BIG_ACTIONS.has(url.searchParams.get('action') ?? '');
      const raw = await readBody(req, API_BODY_BYTES, { limit: rt.config.bodyLimitBytes, when: (head) => importing || IMPORT_HEAD.test(head.toString('latin1')) });
      const body = parseJson(raw);
      // the head is only a hint (JSON keeps the last of two "action" keys): the parsed action decides
      if (raw.length > API_BODY_BYTES && !BIG_ACTIONS.has(String((body as { action?: unknown }).action)))
        throw new AppError('INPUT.TOO_LARGE', `内容太大（上限 ${API_BODY_BYTES} 字节；只有导入知识库和订单表可以更大）`, 413);
      const out = await handleApi(rt, { openid: caller.openid }, body);
      return sendJson(res, out.status, out.body, retryAfter(out.status, out.body));
    }

    const cb = /^\/wecom\/callback\/([^/]+)$/.exec(p);
    if (cb) {
      const body = req.method === 'POST' ? (await readBody(req, MAX_CALLBACK_BYTES)).toString('utf8') : '';
      const out = await handleWecomCallback(rt, {
        method: req.method ?? 'GET',
        merchantId: decodeSegment(cb[1]),
        query: Object.fromEntries(url.searchParams),
        body,
      });
      return sendText(res, out.status, out.body, out.contentType);
    }

    const wh = /^\/webhook\/orders\/([^/]+)$/.exec(p);
    if (wh) {
      // refused before a byte is read: wrong method, or a declared or actual body past the cap
      if (req.method !== 'POST') throw new AppError('INPUT.METHOD', '订单回调只接受 POST', 405);
      const body = await readBody(req, WEBHOOK_MAX_BYTES);
      const out = await handleOrderWebhook(rt, { method: 'POST', merchantId: decodeSegment(wh[1]), headers: req.headers, body });
      return sendJson(res, out.status, out.body);
    }

    // the WeCom sandbox: WECOM_API_BASE=<host>/sandbox (ARCHITECTURE §1, §7)
    if (p === '/sandbox' || p.startsWith('/sandbox/')) return sandbox.handle(req, res, url);

    if (req.method === 'GET' || req.method === 'HEAD') return serveStatic(opts.h5Dir, p, res, opts.isBuilding?.() ?? false);
    throw new AppError('NOT_FOUND.ROUTE', '没有这个地址', 404);
  }

  const server = http.createServer((req, res) => {
    const reqId = (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) || crypto.randomUUID();
    res.setHeader('x-request-id', reqId);
    const started = performance.now();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://host');
    } catch {
      return sendJson(res, 400, { ok: false, code: 'INPUT.BAD_URL', message: '地址格式不对' });
    }
    route(req, res, url)
      .catch((err) => {
        const { status, body } = errorEnvelope(err, (e) => log.error({ err: e, reqId, path: url.pathname }, 'request failed'));
        if (status < 500) log.warn({ reqId, path: url.pathname, code: body.ok ? undefined : body.code }, 'request rejected');
        if (res.headersSent) return res.end();
        const headers = retryAfter(status, body);
        // a body we refused without reading (no session, too large) must not keep the connection busy
        if (!req.complete) headers.connection = 'close';
        sendJson(res, status, body, headers);
      })
      .finally(() => {
        if (url.pathname !== '/healthz')
          log.debug({ reqId, method: req.method, path: url.pathname, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request');
      });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  // Node's 5 s default races clients that reuse an idle socket at about that age (a request then
  // meets ECONNRESET); idle sockets are closed at once on shutdown (main.ts), so longer costs nothing there
  server.keepAliveTimeout = 30_000;
  // a request Node cannot parse (e.g. a URL past its 16 KiB header limit) still gets the envelope and a stable code
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const big = err.code === 'HPE_HEADER_OVERFLOW';
    const text = JSON.stringify({ ok: false, code: big ? 'INPUT.HEADERS_TOO_LARGE' : 'INPUT.BAD_REQUEST', message: big ? '地址或请求头太长' : '请求格式不对' });
    const status = big ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  });
  return server;
}
