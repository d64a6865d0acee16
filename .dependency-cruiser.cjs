/**
 * Architecture boundaries (ARCHITECTURE §2, docs/ARCHITECTURE.md):
 * - shared/ is platform-free: no Node built-ins, no server adapters, no SDKs, no app code;
 * - inside shared/src: domain → nothing else; ports → domain; use cases → ports + domain (+ other
 *   use cases, without cycles); the api router → contracts, ports, domain and use cases;
 * - the owner app imports shared contracts and domain only, never server code (cloudfunctions/);
 * - function entries and adapters never import the app; the sandbox never imports the demo shop;
 * - production code never imports tests, test helpers or fakes; no circular imports, type-only ones included.
 * test/fixtures/depcruise-violation/ breaks every rule on purpose; test/dependency-rules.test.ts
 * checks that each rule catches its violation.
 */
const TEST_CODE = ['\\.test\\.tsx?$', '(^|/)shared/src/testing/', '^test/(?!fixtures/depcruise-violation/)', '^e2e/', '(^|/)cloudfunctions/server/storage/contract/'];
const notTest = (path) => ({ path, pathNot: TEST_CODE });

module.exports = {
  forbidden: [
    {
      name: 'shared-is-platform-free',
      comment: 'Domain code in shared/ must not import Node built-ins, platform SDKs or adapters.',
      severity: 'error',
      from: notTest('(^|/)shared/src/'),
      to: {
        dependencyTypes: ['core'],
      },
    },
    {
      name: 'shared-imports-no-platform-packages',
      severity: 'error',
      from: notTest('(^|/)shared/src/'),
      to: { path: 'node_modules/(libsql|better-sqlite3|@cloudbase|wx-server-sdk|openai|pino|croner|fast-xml-parser|@wecom|@tarojs|react)' },
    },
    {
      name: 'shared-imports-no-adapters-or-app',
      severity: 'error',
      from: notTest('(^|/)shared/src/'),
      to: { path: '(^|/)(cloudfunctions|miniprogram)/' },
    },
    {
      name: 'app-imports-no-server-code',
      comment: 'The mini-program may import shared/ contracts, never functions, adapters or server packages.',
      severity: 'error',
      from: { path: '(^|/)miniprogram/src/' },
      to: { path: ['(^|/)cloudfunctions/', 'node_modules/(libsql|better-sqlite3|@cloudbase/node-sdk|wx-server-sdk|openai|pino|croner|fast-xml-parser|@wecom)'] },
    },
    {
      name: 'app-imports-no-node-builtins',
      severity: 'error',
      from: { path: '(^|/)miniprogram/src/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'server-imports-no-app',
      severity: 'error',
      from: { path: '(^|/)cloudfunctions/' },
      to: { path: '(^|/)miniprogram/' },
    },
    {
      name: 'domain-imports-only-domain',
      comment: 'Entities and state machines depend on nothing else in the product.',
      severity: 'error',
      from: notTest('(^|/)shared/src/domain/'),
      to: { path: '(^|/)shared/src/', pathNot: '(^|/)shared/src/domain/' },
    },
    {
      name: 'ports-import-only-domain',
      severity: 'error',
      from: notTest('(^|/)shared/src/ports/'),
      to: { path: '(^|/)shared/src/', pathNot: '(^|/)shared/src/(domain|ports)/' },
    },
    {
      name: 'usecases-import-ports-and-domain',
      comment: 'Use cases see ports and domain (and other use cases); never the api router, contracts or fakes.',
      severity: 'error',
      from: notTest('(^|/)shared/src/usecases/'),
      to: { path: '(^|/)shared/src/', pathNot: '(^|/)shared/src/(domain|ports|usecases)/' },
    },
    {
      name: 'app-imports-contracts-and-domain',
      comment: 'The mini-program shares only what crosses the wire (contracts) and plain domain types.',
      severity: 'error',
      from: { path: '(^|/)miniprogram/src/' },
      to: { path: '(^|/)shared/src/', pathNot: '(^|/)shared/src/(contracts|domain)/' },
    },
    {
      name: 'sandbox-imports-no-demo',
      comment: 'The WeCom sandbox plays WeCom for any shop; it must not know the demo shop.',
      severity: 'error',
      from: { path: '(^|/)cloudfunctions/server/wecom-sandbox/' },
      to: { path: '(^|/)cloudfunctions/server/demo/' },
    },
    {
      name: 'production-imports-no-tests-or-fakes',
      severity: 'error',
      from: notTest('(^|/)(shared|cloudfunctions|miniprogram)/'),
      to: { path: TEST_CODE },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles, type-only imports included (tsPreCompilationDeps).',
      severity: 'error',
      from: { path: '(^|/)(shared|cloudfunctions|miniprogram)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(/dist/|\\.swc)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js', '.json'] },
  },
};
