import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeDbError, FakeEngine, type EngineOptions } from './engine';

/**
 * The fake engine behind CloudBase's HTTP wire protocol: `@cloudbase/node-sdk` initialised with
 * `serviceUrl` POSTs `{ action, collectionName, query, ... }` here and reads `{ data, requestId }`
 * or `{ code, message }` (which the SDK throws).
 */
export async function startFakeCloudbase(opts: EngineOptions & { port?: number; onRequest?: (body: Record<string, unknown>) => void } = {}) {
  const engine = new FakeEngine(opts);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let out: unknown;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        opts.onRequest?.(body);
        out = engine.handle(typeof body.action === 'string' ? body.action : '', body);
      } catch (err) {
        out = err instanceof FakeDbError ? { code: err.code, message: err.message } : { code: 'DATABASE_REQUEST_FAILED', message: String(err) };
      }
      const text = JSON.stringify(out);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`;
  return {
    url,
    engine,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
