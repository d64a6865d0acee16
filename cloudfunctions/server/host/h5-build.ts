import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger';

/**
 * Where the H5 app is served from and built to: miniprogram/dist/h5, or XIAOER_APP_OUT (the
 * app build's own output switch, miniprogram/config/index.ts; relative to miniprogram/ as there)
 * — the bench's cold first start builds into an empty folder without touching the shared build.
 */
export function h5Dir(root: string) {
  const out = process.env.XIAOER_APP_OUT;
  return out ? path.resolve(root, 'miniprogram', out) : path.join(root, 'miniprogram', 'dist', 'h5');
}

/** How often the first start says the build is still going. */
const PROGRESS_EVERY_MS = 10_000;

/**
 * Builds the H5 app when it is missing (the first start on a fresh clone: 40–70 s on 2 cores),
 * saying so on `say` when it starts, every 10 s while it runs, and when it is done.
 */
export async function ensureH5Built(root: string, logger: Logger, say: (line: string) => void = () => {}): Promise<'present' | 'built'> {
  if (fs.existsSync(path.join(h5Dir(root), 'index.html'))) return 'present';
  logger.info('H5 app not built yet: building it now');
  say('building the owner app (first start only, about a minute)…');
  const started = Date.now();
  const secs = () => Math.round((Date.now() - started) / 1000);
  const ticker = setInterval(() => say(`still building the owner app… ${secs()} s`), PROGRESS_EVERY_MS);
  try {
    await build(root);
  } finally {
    clearInterval(ticker);
  }
  say(`owner app built in ${secs()} s`);
  return 'built';
}

function build(root: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn('npm', ['run', 'build:h5', '-w', 'miniprogram'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (b: Buffer) => {
      tail = (tail + b.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`H5 build failed (exit ${code}):\n${tail}`))));
  });
}
