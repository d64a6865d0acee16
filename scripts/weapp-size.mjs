#!/usr/bin/env node
// Size gate for the WeChat mini-program build (miniprogram/dist/weapp).
// Main package = every file outside the subPackages roots declared in dist/weapp/app.json;
// each subpackage = the files under its root. Prints one JSON line
//   {"mainBytes":…,"subpackages":{"<root>":…},"totalBytes":…}
// and exits 1 if the build is missing or the main package is over WeChat's 2 MB limit.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LIMIT = 2 * 1024 * 1024;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// XIAOER_APP_OUT: a weapp build written elsewhere (see miniprogram/config/index.ts)
const dist = process.env.XIAOER_APP_OUT ? path.resolve(process.env.XIAOER_APP_OUT) : path.join(root, 'miniprogram', 'dist', 'weapp');
const appJsonPath = path.join(dist, 'app.json');

if (!existsSync(appJsonPath)) {
  console.error(`weapp-size: no weapp build at ${path.relative(root, dist)} (app.json missing); run \`npm run build:weapp -w miniprogram\` first`);
  process.exit(1);
}

const appJson = JSON.parse(readFileSync(appJsonPath, 'utf8'));
const roots = [...(appJson.subPackages ?? []), ...(appJson.subpackages ?? [])].map((p) => String(p.root ?? '').replace(/^\/+|\/+$/g, '')).filter(Boolean);

const subpackages = Object.fromEntries(roots.map((r) => [r, 0]));
let mainBytes = 0;

function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      walk(full);
      continue;
    }
    if (!entry.isFile()) continue;
    const rel = path.relative(dist, full).split(path.sep).join('/');
    const size = statSync(full).size;
    const owner = roots.find((r) => rel === r || rel.startsWith(`${r}/`));
    if (owner) subpackages[owner] += size;
    else mainBytes += size;
  }
}
walk(dist);

const totalBytes = mainBytes + Object.values(subpackages).reduce((a, b) => a + b, 0);
console.log(JSON.stringify({ mainBytes, subpackages, totalBytes }));

if (mainBytes > LIMIT) {
  const mb = (n) => (n / 1024 / 1024).toFixed(2);
  console.error(`weapp-size: main package is ${mb(mainBytes)} MB (${mainBytes} bytes), over WeChat's 2 MB limit (${LIMIT} bytes); move pages into subPackages`);
  process.exit(1);
}
