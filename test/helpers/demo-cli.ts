import { runCli } from '../../cloudfunctions/server/cli/main';
import { seedDemoShop } from '../../cloudfunctions/server/demo';
import { startTestHost, type TestHost } from './host';

/**
 * For a suite that checks something as a person would with `npm start` and the CLI: a host on a
 * fresh data folder with the demo shop seeded at wall-clock "now", and the CLI pointed at it
 * (DATA_DIR, PORT) until the suite ends. `use` receives the host once it is up.
 */
export function useDemoHostForCli(use: (h: TestHost) => void) {
  const saved = { DATA_DIR: process.env.DATA_DIR, PORT: process.env.PORT };
  let h: TestHost | undefined;
  beforeAll(async () => {
    h = await startTestHost();
    // the host's clock is wall-clock time here, as under `npm start`: the seed is "now"
    h.clock.set(Date.now());
    await seedDemoShop(h.rt.deps);
    process.env.DATA_DIR = h.dataDir;
    process.env.PORT = new URL(h.url).port;
    use(h);
  }, 120_000);
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    await h?.close();
  });
}

/** Runs the CLI with `--json`, expects exit 0 and returns what it printed. */
export async function cliJson(...args: string[]) {
  const out = await runCli([...args, '--json']);
  expect(out).toMatchObject({ code: 0 });
  return JSON.parse(out.stdout);
}
