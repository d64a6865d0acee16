import fs from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import { sendText } from './http-utils';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** Serves the built H5 app; unknown paths fall back to index.html (hash routing needs only that). */
export function serveStatic(root: string, urlPath: string, res: ServerResponse, building: boolean) {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return sendText(res, 400, 'bad path');
  }
  const file = path.normalize(path.join(root, rel));
  if (!file.startsWith(path.normalize(root + path.sep)) && file !== path.normalize(root)) return sendText(res, 403, 'forbidden');
  let target = file;
  if (!fs.existsSync(target) || fs.statSync(target).isDirectory()) target = path.join(root, 'index.html');
  if (!fs.existsSync(target)) {
    const msg = building ? '店小二正在准备页面（第一次启动要构建一下，约半分钟），稍后刷新。' : '页面还没构建：请运行 npm run build:h5 -w miniprogram';
    return sendText(res, 503, `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="5"><p>${msg}</p>`, 'text/html; charset=utf-8');
  }
  const ext = path.extname(target);
  const body = fs.readFileSync(target);
  res.writeHead(200, {
    'content-type': TYPES[ext] ?? 'application/octet-stream',
    'content-length': body.length,
    // hashed assets can be cached; index.html must not be, or a rebuild would not show up
    'cache-control': ext === '.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
  });
  res.end(body);
}
