/**
 * The app's own jest (root jest is separate). Pages and components run in their H5 form under
 * jsdom: @tarojs/components → Stencil web components, @tarojs/taro → test/taro-h5.js (the H5
 * API layer plus the React hooks plugin-framework-react normally injects).
 */
const path = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'jsdom',
  testEnvironmentOptions: { url: 'http://localhost/', customExportConditions: ['node', 'node-addons'] },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'jsx', 'mjs', 'cjs', 'json'],
  testMatch: ['<rootDir>/src/**/*.test.{ts,tsx}'],
  setupFiles: ['<rootDir>/test/setup.js'],
  transform: {
    '^.+\\.m?[jt]sx?$': [
      'babel-jest',
      {
        configFile: false,
        babelrc: false,
        presets: [['@babel/preset-env', { targets: { node: 'current' }, modules: 'commonjs' }], ['@babel/preset-react', { runtime: 'automatic' }], '@babel/preset-typescript'],
      },
    ],
  },
  // Taro, Stencil, query-string, swiper… ship ESM only: transform node_modules except these CJS ones.
  transformIgnorePatterns: ['/node_modules/(react|react-dom|scheduler|@babel/runtime|jsdom|zod)/'],
  moduleNameMapper: {
    '^@tarojs/components$': '@tarojs/components/lib/react',
    '^@tarojs/taro$': '<rootDir>/test/taro-h5.js',
    '\\.(css|scss|sass|less)$': '<rootDir>/test/style-mock.js',
    '^@xiaoer/shared/(.*)$': path.join(__dirname, '../shared/src/$1'),
  },
  globals: {
    CLOUD_ENV: '',
    ENABLE_INNER_HTML: true,
    ENABLE_ADJACENT_HTML: true,
    ENABLE_SIZE_APIS: true,
    ENABLE_TEMPLATE_CONTENT: true,
    ENABLE_MUTATION_OBSERVER: true,
    ENABLE_CLONE_NODE: true,
    ENABLE_CONTAINS: true,
    DEPRECATED_ADAPTER_COMPONENT: false,
    __TARO_FRAMEWORK__: 'react',
  },
};
