import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';

/**
 * Lean hand-written Taro 4 config (see /work/shared/docs/taro-toolchain.md).
 * - outputs side by side: miniprogram/dist/weapp and miniprogram/dist/h5;
 * - H5 is served by the local host from '/', calls same-origin /fn/<name> (no gateway URL);
 * - the platform-free package @xiaoer/shared (TypeScript sources) and zod are compiled by babel.
 */
const sharedSrc = path.resolve(__dirname, '../../shared/src');
const zodDir = path.dirname(require.resolve('zod/package.json'));

/**
 * Taro only runs babel on its own sources (and node_modules paths containing "taro"): add the
 * shared contracts and zod (ES2020 syntax). On weapp babel lowers them to ES2017 (babel.config.js);
 * a dependency that ships newer syntax goes here too — e2e/weapp-syntax fails until it does.
 */
const compile = { include: [sharedSrc, zodDir] };

type Chain = {
  resolve: { alias: { set(key: string, value: string): unknown } };
  performance: { hints(value: false): unknown };
};
const aliasShared = (chain: Chain) => {
  chain.resolve.alias.set('@xiaoer/shared', sharedSrc);
};

export default defineConfig<'webpack5'>(async (merge) => {
  const baseConfig: UserConfigExport<'webpack5'> = {
    projectName: 'xiaoer-app',
    date: '2026-11-22',
    designWidth: 375,
    deviceRatio: { 375: 2, 640: 2.34 / 2, 750: 1, 828: 1.81 / 2 },
    sourceRoot: 'src',
    // XIAOER_APP_OUT lets parallel builds (tests, helpers) write somewhere else
    outputRoot: process.env.XIAOER_APP_OUT || `dist/${process.env.TARO_ENV}`,
    plugins: [],
    defineConstants: {
      // CloudBase environment id for Taro.cloud.init on weapp; empty = the default environment.
      CLOUD_ENV: JSON.stringify(process.env.TARO_APP_CLOUD_ENV || ''),
    },
    copy: { patterns: [], options: {} },
    framework: 'react',
    compiler: 'webpack5',
    cache: { enable: false },
    logger: { quiet: true, stats: false },
    mini: {
      compile,
      postcss: { pxtransform: { enable: true, config: {} }, cssModules: { enable: false } },
      webpackChain(chain) {
        aliasShared(chain);
        // ECharts (sub/trends only) passes webpack's 244 KiB hint; the size gate is weapp-size
        chain.performance.hints(false);
      },
    },
    h5: {
      compile,
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      devServer: { host: '127.0.0.1' },
      // [contenthash]: the template's [hash] prints a webpack DeprecationWarning on every build
      output: { filename: 'js/[name].[contenthash:8].js', chunkFilename: 'js/[name].[contenthash:8].js' },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[contenthash:8].css',
        chunkFilename: 'css/[name].[contenthash:8].css',
      },
      postcss: { autoprefixer: { enable: true, config: {} }, cssModules: { enable: false } },
      webpackChain(chain) {
        aliasShared(chain);
        // React + Taro's H5 runtime alone pass webpack's 244 KiB hint; the size gate is weapp-size.
        chain.performance.hints(false);
      },
    },
  };
  return merge({}, baseConfig);
});
