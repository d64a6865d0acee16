/**
 * The first start of `npm run bench` (issue 14 §9): `npm start`'s entry on a fresh clone's
 * terms — no DATA_DIR yet (the demo shop is seeded) and no H5 build (the host builds it, into an
 * empty folder through XIAOER_APP_OUT, so the shared miniprogram/dist/h5 is left alone) — timed
 * from the spawn to the `Owner app:` login link. The cold build takes about a minute on 2 cores,
 * so only the full run measures it; the quick run stays under a minute.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHost } from '../e2e/helpers';
import type { BenchEntry } from './bench-reports';

/** One start: the seconds until the login link, and the host's own word on the build time. */
async function timeToLink(env: Record<string, string>): Promise<{ seconds: number; built: string | null }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-bench-start-'));
  const t0 = performance.now();
  // SEED_DEMO on, as on a fresh clone; the link is printed after the build and the seed
  const host = await startHost({ LOG_LEVEL: 'warn', ...env }, dataDir);
  try {
    await host.waitFor(/Owner app: \S+/, 600_000);
    const seconds = Number(((performance.now() - t0) / 1000).toFixed(1));
    return { seconds, built: host.output().match(/owner app built in (\d+) s/)?.[1] ?? null };
  } finally {
    await host.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function firstStartBench(quick: boolean, machine: Record<string, unknown>): Promise<BenchEntry[]> {
  if (quick) return [];
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-bench-h5-'));
  try {
    const load = os.loadavg()[0]!.toFixed(1);
    const cold = await timeToLink({ XIAOER_APP_OUT: out });
    // the same again with the app built: what every later start on a fresh DATA_DIR costs
    const warm = await timeToLink({ XIAOER_APP_OUT: out });
    return [
      {
        name: 'host.first_start_s',
        unit: 's',
        value: warm.seconds,
        conditions: {
          what: 'the first `npm start` after `npm ci` (which builds the H5 app, scripts/prebuild-app.mjs): spawn with no DATA_DIR until the Owner app: line, demo seed included',
          target_s: 60,
          ...machine,
        },
      },
      {
        name: 'host.first_start_unbuilt_s',
        unit: 's',
        value: cold.seconds,
        conditions: {
          what: 'the same when the install-time build was skipped (CI, XIAOER_SKIP_APP_BUILD): the host builds the H5 app first (build and demo seed side by side)',
          h5_build_s: cold.built === null ? null : Number(cold.built),
          load_average_1m: Number(load),
          ...machine,
        },
      },
    ];
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}
