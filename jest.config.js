/**
 * Backend and domain tests (the app has its own jest config in miniprogram/, the browser tests
 * jest.e2e.config.js). Two projects, so scripts/test.mjs can run them at different times:
 *
 * - `unit`: unit tests and the storage contract suites on SQLite and the CloudBase double —
 *   nothing that starts a host (in this process or as a child), a browser, a build or a CLI
 *   child process. `npm run test:fast` runs these (via jest.fast.config.js).
 * - `integration`: the suites listed in INTEGRATION below, which do start one of those.
 *
 * A new backend suite lands in `unit` unless it is listed here: list it when it starts a host,
 * a browser, a build or spawns the CLI. `npx jest` (or `-c jest.config.js`) runs both projects.
 */
const INTEGRATION = [
  'test/bundles.test.ts', // builds the function bundles (scripts/build-functions.mjs) and runs them
  'test/deploy-plan.test.ts', // npm run deploy -- --dry-run as a child process (builds the bundles)
  'test/cloudbase-host.test.ts', // host and CLI child processes on the CloudBase wire double
  'test/crash.test.ts', // kill -9 of host processes
  'test/daily-report.test.ts', // in-process host with the demo shop; the CLI's jobs run-due / report show / sandbox sent against it
  'test/push-channels.test.ts', // in-process host with the demo shop: robot URL and test pushes through the api into the sandbox
  'test/weekly-report.test.ts', // in-process host with the demo shop; jobs run-due at next Monday 09:00 pushes the chart image and the weekly text
  'test/crash-burst.test.ts', // kill -9 of a host process three times during a burst of 1,000 customer messages (≈ 50 s)
  'test/fuzz.test.ts', // in-process hosts, property-based fuzzing of every input edge
  'test/fuzz-webhook.test.ts', // in-process host, property-based fuzzing of the order webhook
  'test/dependency-rules.test.ts', // runs depcruise and tsc as child processes (test:fast checks the rules directly)
  'test/host.test.ts', // in-process host
  'test/host-edges.test.ts', // in-process hosts (one with a cloudbase-mode sandbox)
  'test/kf-e2e.test.ts', // in-process host, the kf loop through the sandbox
  'test/kf-faults.test.ts', // in-process host, a fault per WeCom call (≈ 90 s, mostly waiting)
  'test/resume-ai-host.test.ts', // in-process host: the AI-resume timer through the host's scheduler jobs and the sandbox
  'test/kb-limits.test.ts', // in-process host polled while hostile knowledge-base files are parsed
  'test/order-webhook.test.ts', // in-process host: the signed order webhook, a CLI rotation, 1,000 randomized deliveries
  'test/secrets.test.ts', // in-process host
  'test/sessions.test.ts', // in-process host
  'test/wecom-callback.test.ts', // in-process host
  'test/wecom-sandbox.test.ts', // in-process host
  'test/wecom-sandbox-contact-way.test.ts', // in-process host: 联系我 endpoints, contact-way callbacks, tag concurrency
  'test/wecom-sandbox-groupmsg.test.ts', // in-process host: mass sends, their statuses, quota, remind and cancel, the CLI's sandbox sent
  'test/subscribe-sandbox.test.ts', // in-process host: the subscribe message through the sandbox, and the CLI's sandbox sent
  'test/tags-cli.test.ts', // in-process host with the demo shop: tags preview / apply from the CLI, mark_tag in the sandbox
  'test/campaigns-cli.test.ts', // in-process host with the demo shop: campaign plan / send from the CLI, confirmations in the sandbox
  'test/campaigns-25k.test.ts', // in-process host, demo shop + 25,000 customers: chunked tasks, exclusions, quiet hours, sandbox confirmations
  'test/doctor-cli.test.ts', // in-process host with the demo shop: the CLI's doctor against its sandbox, the demo shop and broken shops
];

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  moduleNameMapper: { '^@xiaoer/shared/(.*)$': '<rootDir>/shared/src/$1', '^@xiaoer/shared$': '<rootDir>/shared/src/index.ts' },
  // ECharts ships its tree-shakable modules as ES modules only (the chart renderer imports them)
  transformIgnorePatterns: ['/node_modules/(?!(echarts|zrender)/)'],
};
const escape = (p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

module.exports = {
  testTimeout: 30000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/shared', '<rootDir>/cloudfunctions', '<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...INTEGRATION.map((p) => `<rootDir>/${escape(p)}$`)],
    },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/test'],
      testMatch: INTEGRATION.map((p) => `<rootDir>/${p}`),
    },
  ],
};
