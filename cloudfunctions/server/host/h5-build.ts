import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger';

export function h5Dir(root: string) {
  return path.join(root, 'miniprogram', 'dist', 'h5');
}

/** Builds the H5 app when it is missing (first start on a fresh clone takes ~40 s). */
export async function ensureH5Built(root: string, logger: Logger): Promise<'present' | 'built'> {
  if (fs.existsSync(path.join(h5Dir(root), 'index.html'))) return 'present';
  logger.info('H5 app not built yet: building it now (about 40 s)');
  await new Promise<void>((resolve, reject) => {
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
  return 'built';
}
