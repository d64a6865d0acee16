import path from 'node:path';
import { AppError } from '@xiaoer/shared/domain/errors';
import { OffsetClock } from '@xiaoer/shared/domain/time';
import { DEMO_MERCHANT_ID, seedDemoShop } from '../demo';
import { describeConfig, loadConfig } from '../config';
import { createHostRuntime } from '../runtime-host';
import { repoRoot } from '../root';
import { handleScheduler } from '../../scheduler';
import { recoverPendingCallbacks } from '@xiaoer/shared/usecases/channel-wecom/receive';
import { createHostServer } from './server';
import { readTimerTriggers, startTimers } from './timers';
import { ensureH5Built, h5Dir } from './h5-build';
import { baseUrlOf, makeLoginLink } from './login';
import { announceHost, withdrawHost } from './running';

/** `npm start`: the local host (ARCHITECTURE §5). */
async function main() {
  const root = repoRoot();
  const config = loadConfig();
  // one clock for the product and the sandbox; the sandbox's control route can move it
  const rt = await createHostRuntime({ config, clock: new OffsetClock() });
  let building = false;
  const server = createHostServer(rt, { h5Dir: h5Dir(root), isBuilding: () => building });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const base = baseUrlOf(rt, port);
  rt.setHostBaseUrl(base);
  console.log(`店小二 host listening on ${base} (GET /healthz)`);
  for (const line of describeConfig(config, base)) console.log(`  ${line}`);
  // the CLI finds this host through DATA_DIR, whatever PORT it listens on (running.ts)
  announceHost(config.dataDir, `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`);

  await recoverPendingCallbacks(rt.inbox);
  void warmAnswerIndexes(rt);
  const functions: Record<string, () => Promise<unknown>> = { scheduler: () => handleScheduler(rt) };
  const timers = startTimers(readTimerTriggers(path.join(root, 'cloudfunctions')), async (fn) => functions[fn]?.(), rt.logger);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    rt.logger.info({ signal }, 'shutting down');
    for (const t of timers) t.stop();
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 5000);
    await new Promise((r) => server.close(r));
    clearTimeout(force);
    await rt.close();
    withdrawHost(config.dataDir);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  building = true;
  const [build, seed] = await Promise.allSettled([
    ensureH5Built(root, rt.logger, (line) => console.log(`  ${line}`)).finally(() => (building = false)),
    config.seedDemo ? seedDemoShop(rt.deps) : Promise.resolve(null),
  ]);
  if (build.status === 'rejected') rt.logger.error({ err: build.reason }, 'H5 build failed: the app page will not load until `npm run build:h5 -w miniprogram` succeeds');
  if (seed.status === 'rejected') throw seed.reason;
  if (seed.value) {
    const demo = await rt.storage.merchants.get(DEMO_MERCHANT_ID);
    console.log(
      seed.value.created
        ? `  demo shop ${DEMO_MERCHANT_ID} (${demo?.name ?? ''}) seeded: products, customers and 30 days of chats, orders and reports`
        : `  demo shop ${DEMO_MERCHANT_ID} (${demo?.name ?? ''}) kept from an earlier start (${config.dataDir})`,
    );
  }

  const merchants = await rt.storage.merchants.listAll();
  const target = merchants.find((m) => m.id === DEMO_MERCHANT_ID) ?? merchants[0];
  // a login link only on stdout (never a structured log line), and never for cloud data: there
  // the operator asks the CLI for one (`login-link`), each single-use
  if (config.runtime === 'cloudbase') {
    console.log(`Owner app: ${base}/ (login links: npm run cli -- login-link --merchant <id>)`);
  } else if (target) {
    console.log(`Owner app: ${await makeLoginLink(rt, target.id, 'owner', base)}`);
    const env = config.dataDir === path.resolve(root, '.data') ? '' : `DATA_DIR=${config.dataDir} `;
    console.log('Next: open that link in a browser (a phone-sized window looks best), or write to the shop as a customer would:');
    console.log(`  ${env}npm run cli -- simulate --merchant ${target.id} --text "你们几点开门？"`);
  } else {
    console.log(`Owner app: ${base}/ (no shop yet: npm run cli -- merchant create …, then npm run cli -- login-link --merchant <id>)`);
  }
}

process.on('unhandledRejection', (err) => {
  console.error('unhandled rejection', err);
});

main().catch((err) => {
  const body = err instanceof AppError ? { ok: false, code: err.code, message: err.message } : { ok: false, code: 'INTERNAL.START_FAILED', message: String(err?.message ?? err) };
  console.error(JSON.stringify(body));
  process.exit(1);
});

/** Every shop's answer index, built in the background after start so no customer's first question waits for it. */
async function warmAnswerIndexes(rt: Awaited<ReturnType<typeof createHostRuntime>>): Promise<void> {
  try {
    for (const m of await rt.storage.merchants.listAll()) await rt.inbox.answerer.warm?.(m.id);
  } catch (err) {
    rt.logger.warn({ err }, 'warming the answer indexes failed; each shop builds its own at its first question');
  }
}
