import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '@xiaoer/shared/domain/errors';
import type { Runtime } from '../composition';
import { parseJson, readBody, sendJson } from '../host/http-utils';
import { SandboxApi } from './api';
import { LIMITS, type SandboxRules } from './config';
import { contactWayQr } from './contact-way';
import { SandboxControl } from './control';
import { MerchantRegistry } from './registry';
import { SandboxStore } from './store';

export { DEFAULT_CONFIG, E as SANDBOX_ERRORS, RULE_NAMES, type RuleName, type SandboxConfig, type SandboxRules } from './config';
export { NS as SANDBOX_NS, type SentRecord } from './store';

export interface WecomSandboxOptions {
  /**
   * Where the product's callback URL lives (`<hostBaseUrl>/wecom/callback/<merchantId>`). By
   * default the server that received the control request, i.e. this host.
   */
  hostBaseUrl?: string | (() => string);
  /** Rule defaults for this process; the stored config (`/_control/config`) overrides them. */
  rules?: Partial<SandboxRules>;
  /**
   * Default: on in local mode (APP_RUNTIME=local), whatever WECOM_API_BASE says. Never on in
   * cloudbase mode: a host on real data has no clock or fault routes, whatever this says.
   */
  enabled?: boolean;
}

export interface WecomSandbox {
  readonly enabled: boolean;
  /** Handles `/sandbox` and everything under it. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
}

export const SANDBOX_PREFIX = '/sandbox';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** This server's own address, as seen by the connection that reached it. */
function selfBase(req: IncomingMessage): string {
  let addr = req.socket.localAddress ?? '127.0.0.1';
  if (addr.startsWith('::ffff:')) addr = addr.slice(7);
  if (addr === '::' || addr === '0.0.0.0') addr = '127.0.0.1';
  return `http://${addr.includes(':') ? `[${addr}]` : addr}:${req.socket.localPort}`;
}

/** How a faulty network looks from the client: no answer at all, a dropped connection, a gateway 503. */
function transportFault(req: IncomingMessage, res: ServerResponse, mode: 'timeout' | 'reset' | 'http5xx'): void {
  if (mode === 'reset') return void req.socket.destroy();
  if (mode === 'http5xx') {
    res.writeHead(503, { 'content-type': 'text/html' });
    return void res.end('<html><body>503 Service Temporarily Unavailable</body></html>');
  }
  // never answer; the client's own timeout ends it (bounded here so no socket is held forever)
  const drop = setTimeout(() => req.socket.destroy(), TIMEOUT_FAULT_HOLD_MS);
  req.socket.once('close', () => clearTimeout(drop));
}
const TIMEOUT_FAULT_HOLD_MS = 120_000;

/**
 * The WeCom sandbox: WeCom's server API (`/sandbox/cgi-bin/*`, so WECOM_API_BASE = `<host>/sandbox`)
 * with its rules and error codes on the shared clock, and control routes (`/sandbox/_control/*`)
 * that play WeCom's side: customer messages delivered as real encrypted callbacks, clock, faults.
 */
export function createWecomSandbox(rt: Runtime, opts: WecomSandboxOptions = {}): WecomSandbox {
  const store = new SandboxStore(rt.storage, () => rt.deps.clock.now());
  const registry = new MerchantRegistry(rt, store);
  const overrides = opts.rules ?? {};
  const api = new SandboxApi(rt, store, registry, overrides);
  const control = new SandboxControl(rt, store, registry, overrides);
  const enabled = rt.config.runtime === 'local' && (opts.enabled ?? true);

  return {
    enabled,
    async handle(req, res, url) {
      const sub = url.pathname.slice(SANDBOX_PREFIX.length) || '/';
      if (!enabled) throw new AppError('NOT_FOUND.SANDBOX', '企业微信沙箱只在本地模式（APP_RUNTIME=local）开启：这个店小二用的是云端数据', 404);
      const method = req.method ?? 'GET';

      if (sub.startsWith('/cgi-bin/')) {
        const body = method === 'POST' ? await readBody(req, LIMITS.bodyBytes) : Buffer.alloc(0);
        const out = await api.call({ api: sub.slice('/cgi-bin/'.length), method, query: url.searchParams, headers: req.headers, body });
        if (out.kind === 'json') return sendJson(res, out.status, out.body);
        if (out.kind === 'transport') return transportFault(req, res, out.mode);
        const ascii = out.fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
        res.writeHead(200, {
          'content-type': out.contentType,
          'content-length': out.bytes.length,
          'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(out.fileName)}`,
          'cache-control': 'no-store',
        });
        return void res.end(out.bytes);
      }

      // a 联系我 code's picture (the qr_code URL add_contact_way answers): public, like WeCom's image host
      const qr = method === 'GET' ? /^\/qr\/([^/]+)\/([0-9a-z]+)\.png$/.exec(sub) : null;
      if (qr) {
        const png = await contactWayQr(store, decodeURIComponent(qr[1]), qr[2]);
        if (!png) throw new AppError('NOT_FOUND.QR', '沙箱里没有这个二维码', 404);
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length, 'cache-control': 'no-store' });
        return void res.end(png);
      }

      if (sub === '/_control' || sub.startsWith('/_control/')) {
        // the control routes move the clock and fire callbacks: this machine only
        if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) throw new AppError('AUTH.FORBIDDEN', '沙箱控制接口只接受本机请求', 403);
        const body = method === 'POST' ? parseJson(await readBody(req, LIMITS.bodyBytes)) : {};
        const base = typeof opts.hostBaseUrl === 'function' ? opts.hostBaseUrl() : (opts.hostBaseUrl ?? selfBase(req));
        const data = await control.route(method, sub.slice('/_control'.length) || '/', url.searchParams, body, base.replace(/\/+$/, ''));
        return sendJson(res, 200, { ok: true, data });
      }

      if (sub === '/' && method === 'GET') {
        return sendJson(res, 200, {
          ok: true,
          data: { what: '企业微信沙箱：WECOM_API_BASE=<host>/sandbox', api: `${SANDBOX_PREFIX}/cgi-bin/<api>`, control: `${SANDBOX_PREFIX}/_control` },
        });
      }
      throw new AppError('NOT_FOUND.ROUTE', '沙箱没有这个地址', 404);
    },
  };
}
