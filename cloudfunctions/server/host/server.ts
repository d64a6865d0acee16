import crypto from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { AppError } from '@xiaoer/shared/domain/errors';
import { errorEnvelope } from '@xiaoer/shared/api/dispatch';
import type { Runtime } from '../composition';
import { handleApi } from '../../api';
import { handleWecomCallback, MAX_CALLBACK_BYTES } from '../../wecom';
import { parseCookies, parseJson, readBody, sendJson, sendText } from './http-utils';
import { serveStatic } from './static';
import { SESSION_COOKIE, SESSION_TTL_MS } from './login';
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

/**
 * The local host: the same function handlers CloudBase runs, over HTTP. Every route answers
 * with the error envelope on failure and nothing it receives can crash the process.
 */
export function createHostServer(rt: Runtime, opts: HostOptions) {
  const log = rt.logger;
  const sandbox = opts.sandbox ?? createWecomSandbox(rt);

  function callerOf(req: IncomingMessage): { openid: string } | null {
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : parseCookies(req.headers.cookie)[SESSION_COOKIE];
    const claims = rt.sessions.verify(token, 'session', rt.deps.clock.now());
    return claims ? { openid: claims.sub } : null;
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL) {
    const p = url.pathname;
    if (p === '/healthz') return sendJson(res, 200, { ok: true });

    if (p === '/login' && req.method === 'GET') {
      const claims = rt.sessions.verify(url.searchParams.get('token') ?? undefined, 'login', rt.deps.clock.now());
      if (!claims) {
        const message = '登录链接无效或已经过期，请让老板重新生成一个。';
        // a browser gets a page it can show; anything else gets the envelope
        if (req.headers.accept?.includes('text/html')) return sendText(res, 401, `<!doctype html><meta charset="utf-8"><p>${message}</p>`, 'text/html; charset=utf-8');
        return sendJson(res, 401, { ok: false, code: 'AUTH.BAD_LOGIN_LINK', message });
      }
      const session = rt.sessions.sign({ sub: claims.sub, typ: 'session', exp: rt.deps.clock.now() + SESSION_TTL_MS });
      res.writeHead(302, {
        location: '/',
        'set-cookie': `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_MS / 1000}`,
        'cache-control': 'no-store',
      });
      return res.end();
    }

    if (p === '/logout' && req.method === 'POST') {
      return sendJson(res, 200, { ok: true, data: null }, { 'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` });
    }

    const fn = /^\/fn\/([^/]+)$/.exec(p);
    if (fn) {
      if (req.method !== 'POST') throw new AppError('INPUT.METHOD', '请用 POST', 405);
      if (!APP_FUNCTIONS.has(fn[1])) throw new AppError('NOT_FOUND.FUNCTION', `没有 ${fn[1]} 这个接口`, 404);
      const caller = callerOf(req);
      const body = parseJson(await readBody(req, rt.config.bodyLimitBytes));
      if (!caller) throw new AppError('AUTH.UNAUTHENTICATED', '登录已过期，请向老板要一个新的登录链接');
      const out = await handleApi(rt, caller, body);
      return sendJson(res, out.status, out.body);
    }

    const cb = /^\/wecom\/callback\/([^/]+)$/.exec(p);
    if (cb) {
      const body = req.method === 'POST' ? (await readBody(req, MAX_CALLBACK_BYTES)).toString('utf8') : '';
      const out = await handleWecomCallback(rt, {
        method: req.method ?? 'GET',
        merchantId: decodeURIComponent(cb[1]),
        query: Object.fromEntries(url.searchParams),
        body,
      });
      return sendText(res, out.status, out.body, out.contentType);
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
        sendJson(res, status, body);
      })
      .finally(() => {
        if (url.pathname !== '/healthz') log.debug({ reqId, method: req.method, path: url.pathname, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request');
      });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  return server;
}
