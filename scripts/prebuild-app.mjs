/**
 * `postinstall`: builds the owner app (H5) once at install time, so the first `npm start` on a
 * fresh clone reaches its login link in seconds instead of building for a minute or two first
 * (issue 14 §9). Skipped when the build is already there, on CI (`npm test` builds the app itself
 * from the current code), or with XIAOER_SKIP_APP_BUILD=1. A failed build does not fail the
 * install: `npm start` builds it then, and says so.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = fs.existsSync(path.join(root, 'miniprogram', 'dist', 'h5', 'index.html'));
const skip = process.env.CI || process.env.XIAOER_SKIP_APP_BUILD === '1';
if (built || skip) {
  console.log(built ? 'owner app already built' : 'owner app: not built at install (CI or XIAOER_SKIP_APP_BUILD); npm start builds it when needed');
  process.exit(0);
}
console.log('building the owner app once, so npm start is quick (about a minute)…');
const started = Date.now();
const ticker = setInterval(() => console.log(`still building the owner app… ${Math.round((Date.now() - started) / 1000)} s`), 15_000);
const child = spawn('npm', ['run', 'build:h5', '-w', 'miniprogram'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
child.on('exit', (code) => {
  clearInterval(ticker);
  const secs = Math.round((Date.now() - started) / 1000);
  console.log(code === 0 ? `owner app built in ${secs} s` : `owner app build failed (exit ${code}); npm start will try again`);
  process.exit(0);
});
