// One ESLint setup for shared/, cloudfunctions/, miniprogram/ and the root scripts and tests.
// Formatting belongs to prettier (.prettierrc.json): eslint-config-prettier, last, turns off every
// stylistic rule. What is left finds bugs. `npm run lint` checks both; `npm run format` fixes both.
// TypeScript files are linted with type information, each against the tsconfig.json that owns it
// (shared/src production code against shared/tsconfig.json, tests against the root one): about 55 s
// of CPU for the whole repo, well under 2 minutes on 2 cores.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const TESTS = ['**/*.test.{ts,tsx}', 'test/**', 'e2e/**', 'shared/src/testing/**', 'miniprogram/test/**'];

export default defineConfig(
  // Build output, caches and fixtures (the same list as .prettierignore; eslint does not read .gitignore)
  globalIgnores([
    '**/node_modules/',
    '**/dist/', // miniprogram/dist/{weapp,h5} from `npm run build:app`
    'build/', // build/cloudfunctions/<fn>/ and build/meta.json from `npm run build:functions`
    '**/coverage/',
    '**/.swc/', // @swc/jest's plugin cache (miniprogram/.swc)
    '.bench/',
    '.data/', // the local host's SQLite files and keys
    '.test-results/', // npm test's jest reports and e2e screenshots
    'test-results/',
    'test/fixtures/depcruise-violation/', // breaks the dependency rules on purpose; `npm test` expects depcruise to fail on it
    'test/fixtures/shared-globals/', // uses Node/DOM globals on purpose; a test expects shared/'s tsconfig to reject it
    'test/fixtures/heldout*/', // eval data (JSON and a Python checker)
    'test/fixtures/samples/',
  ]),

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    name: 'xiaoer/type-info',
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: path.dirname(fileURLToPath(import.meta.url)) } },
  },
  // Plain JS (configs, build scripts) is in no tsconfig: syntax rules only.
  { name: 'xiaoer/js', files: ['**/*.{js,cjs,mjs}'], extends: [tseslint.configs.disableTypeChecked] },

  {
    name: 'xiaoer/rules',
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_x` marks a deliberately unused parameter, binding or caught error.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // `==` coerces; `== null` (null or undefined) stays allowed.
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    name: 'xiaoer/typed-rules',
    files: ['**/*.{ts,tsx}'],
    rules: {
      // Repositories and handlers are `async` to honour Promise-returning ports even when they do not
      // await: a throw then becomes a rejection, which is what callers expect.
      '@typescript-eslint/require-await': 'off',
      // Mostly `rows[i]!`: with noUncheckedIndexedAccess off the `!` changes no type, but it documents
      // the index is in range and is needed the day that option is turned on; --fix would strip them.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // The defaults, plus Node's URL and URLSearchParams (these tsconfigs have no DOM lib): they print as text.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allow: [
            { from: 'lib', name: ['Error', 'URL', 'URLSearchParams'] },
            { from: 'package', package: 'url', name: ['URL', 'URLSearchParams'] },
          ],
        },
      ],
    },
  },
  {
    // `any` is the type of the CloudBase SDK's documents and of JSON in tests: the no-unsafe-* rules
    // stay on where `any` must not leak (shared/src and the app), not at those edges.
    name: 'xiaoer/any-at-the-edges',
    files: ['cloudfunctions/**', 'scripts/**', ...TESTS],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    name: 'xiaoer/tests',
    files: TESTS,
    languageOptions: { globals: { ...globals.jest } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off', // API responses and fakes
      '@typescript-eslint/unbound-method': 'off', // expect(obj.method).toHaveBeenCalled…
    },
  },

  // Per folder: which runtime the code runs in (matters for .js files; tsc checks the .ts ones).
  {
    name: 'xiaoer/shared', // platform-free domain code: no Node, no DOM (dependency-cruiser enforces the imports)
    files: ['shared/src/**'],
    languageOptions: { globals: { ...globals.es2022 } },
  },
  {
    name: 'xiaoer/node', // cloud functions, the local host and CLI, scripts, tests, tool configs
    files: ['cloudfunctions/**', 'scripts/**', 'test/**', 'e2e/**', 'miniprogram/config/**', '*.{js,cjs,mjs,ts}', 'miniprogram/*.{js,cjs,mjs,ts}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    name: 'xiaoer/commonjs', // package.json has no "type": plain .js is CommonJS
    files: ['**/*.{js,cjs}'],
    ignores: ['miniprogram/test/**'],
    // globalReturn: top-level bindings are module-scoped (typescript-eslint's parser needs telling)
    languageOptions: { sourceType: 'commonjs', parserOptions: { ecmaFeatures: { globalReturn: true } } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    name: 'xiaoer/app', // the Taro app: weapp and H5 (browser-like); CLOUD_ENV comes from defineConstants
    files: ['miniprogram/src/**'],
    languageOptions: { globals: { ...globals.browser, CLOUD_ENV: 'readonly' } },
  },
  {
    name: 'xiaoer/app-tests', // jest under jsdom; babel compiles both import and module.exports
    files: ['miniprogram/test/**', 'miniprogram/src/**/*.test.{ts,tsx}'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser, ...globals.node, ...globals.jest } },
  },

  {
    name: 'xiaoer/react-hooks',
    files: ['miniprogram/src/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    // The two classic rules. The plugin's React Compiler rules (refs, set-state-in-effect…) are left
    // out: this is React 18 without the compiler, and they only flag the "latest value in a ref" idiom.
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },

  prettier,
);
