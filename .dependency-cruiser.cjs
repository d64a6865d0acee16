/**
 * Architecture boundaries (ARCHITECTURE §2):
 * - shared/ is platform-free: no Node built-ins, no server adapters, no SDKs, no app code;
 * - the owner app never imports server code (cloudfunctions/);
 * - function entries and adapters never import the app.
 * test/fixtures/depcruise-violation/ breaks each rule on purpose; the test command checks it fails.
 */
module.exports = {
  forbidden: [
    {
      name: 'shared-is-platform-free',
      comment: 'Domain code in shared/ must not import Node built-ins, platform SDKs or adapters.',
      severity: 'error',
      from: { path: '(^|/)shared/src/', pathNot: '\\.test\\.ts$' },
      to: {
        dependencyTypes: ['core'],
      },
    },
    {
      name: 'shared-imports-no-platform-packages',
      severity: 'error',
      from: { path: '(^|/)shared/src/', pathNot: '\\.test\\.ts$' },
      to: { path: 'node_modules/(libsql|better-sqlite3|@cloudbase|wx-server-sdk|openai|pino|croner|fast-xml-parser|@wecom|@tarojs|react)' },
    },
    {
      name: 'shared-imports-no-adapters-or-app',
      severity: 'error',
      from: { path: '(^|/)shared/src/', pathNot: '\\.test\\.ts$' },
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
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(node_modules|/dist/|\\.swc)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js', '.json'] },
  },
};
