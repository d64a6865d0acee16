#!/usr/bin/env node
// `npm run build:functions`: bundles each cloud function into a self-contained upload under
// build/cloudfunctions/<fn>/ (index.js exporting `main`, package.json, config.json if any), the
// folder project.config.json's cloudfunctionRoot and cloudbaserc.json's functionRoot point at.
// Fails if SQLite or local-host code slipped into a bundle, or if cloudbaserc.json disagrees
// with the functions. Writes build/meta.json (per function: size, dependencies, esbuild metafile).
import * as esbuild from 'esbuild';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FUNCTIONS = ['api', 'wecom', 'scheduler', 'webhook'];
const OUT = 'build/cloudfunctions';
/** Inputs that must never ship in a cloud function: SQLite, the local host and CLI, tests, the app. */
const FORBIDDEN = /libsql|better-sqlite3|storage\/sqlite|server\/host\/|server\/cli\/|\/test\/|\/e2e\/|miniprogram\//;
/**
 * @cloudbase/node-sdk reads its version from `__dirname/../../package.json` at load, which in a
 * bundle points outside the function folder ("unknow" in its User-Agent). Inline the version.
 */
const sdkVersion = {
  name: 'cloudbase-sdk-version',
  setup(build) {
    build.onLoad({ filter: /@cloudbase[\\/]node-sdk[\\/]dist[\\/]utils[\\/]version\.js$/ }, (args) => {
      const { version } = JSON.parse(fs.readFileSync(path.join(args.path, '../../../package.json'), 'utf8'));
      return { contents: `exports.version = ${JSON.stringify(version)};`, loader: 'js' };
    });
  },
};

/**
 * resvg (the chart renderer's rasteriser) is a native module: its loader picks a per-platform
 * package at run time, which a bundle cannot carry. CloudBase runs Linux x64 with glibc, so the
 * bundle requires that one binary from beside index.js, where copyChartAssets() puts it.
 */
const RESVG_NATIVE = 'resvgjs.linux-x64-gnu.node';
const resvgNative = {
  name: 'resvg-native',
  setup(build) {
    build.onLoad({ filter: /@resvg[\\/]resvg-js[\\/]js-binding\.js$/ }, () => ({ contents: `module.exports = require('./${RESVG_NATIVE}');`, loader: 'js' }));
    build.onResolve({ filter: /\.node$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/** What a bundle that draws charts needs beside index.js: resvg's Linux binary and the chart font (charts/renderer.ts). */
function copyChartAssets(fn, dir, inputs) {
  const copied = [];
  if (inputs.some((i) => i.includes('node_modules/@resvg/resvg-js/'))) {
    let pkgDir;
    try {
      pkgDir = path.dirname(createRequire(path.join(root, 'cloudfunctions/package.json')).resolve('@resvg/resvg-js-linux-x64-gnu/package.json'));
    } catch {
      throw new Error(`${fn}: @resvg/resvg-js-linux-x64-gnu is not installed; build the upload on Linux x64 (glibc) with optional dependencies (npm ci, never --no-optional)`);
    }
    fs.copyFileSync(path.join(pkgDir, RESVG_NATIVE), path.join(dir, RESVG_NATIVE));
    copied.push(RESVG_NATIVE);
  }
  if (inputs.includes('cloudfunctions/server/charts/renderer.ts')) {
    fs.mkdirSync(path.join(dir, 'fonts'));
    fs.copyFileSync(path.join(root, 'cloudfunctions/server/charts/fonts/wqy-microhei-chart.ttf'), path.join(dir, 'fonts/wqy-microhei-chart.ttf'));
    copied.push('fonts/wqy-microhei-chart.ttf');
  }
  return copied;
}

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const rc = JSON.parse(fs.readFileSync(path.join(root, 'cloudbaserc.json'), 'utf8'));
fs.rmSync(path.join(root, OUT), { recursive: true, force: true });

const meta = {};
for (const fn of FUNCTIONS) {
  const dir = path.join(root, OUT, fn);
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [`cloudfunctions/${fn}/main.ts`],
    outfile: path.join(dir, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs', // CloudBase loads index.js with require() and calls exports.main
    target: 'node18', // the runtime in cloudbaserc.json (Nodejs18.15)
    tsconfig: 'tsconfig.json', // its paths map @xiaoer/shared/* to shared/src/*
    plugins: [sdkVersion, resvgNative],
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });

  // api parses knowledge-base imports in a worker thread (cloudfunctions/server/kb/formats.ts looks for this file beside index.js)
  if (fn === 'api') {
    const worker = await esbuild.build({
      absWorkingDir: root,
      entryPoints: ['cloudfunctions/server/kb/parse-worker.ts'],
      outfile: path.join(dir, 'kb-parse-worker.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node18',
      tsconfig: 'tsconfig.json',
      metafile: true,
      legalComments: 'none',
      logLevel: 'warning',
    });
    for (const [k, v] of Object.entries(worker.metafile.inputs)) result.metafile.inputs[k] ??= v;
    Object.assign(result.metafile.outputs, worker.metafile.outputs);
  }

  const assets = copyChartAssets(fn, dir, Object.keys(result.metafile.inputs));
  const external = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  const bad = [...Object.keys(result.metafile.inputs), ...external].filter((input) => FORBIDDEN.test(`/${input}`));
  if (bad.length) throw new Error(`${fn}: the bundle contains code that must not ship to CloudBase:\n  ${bad.join('\n  ')}`);

  // Nothing is external: both SDKs and everything they use are in index.js and the only requires
  // left are Node built-ins and resvg's binary copied beside it (test/bundles.test.ts checks), so
  // there is nothing to install.
  const dependencies = {};
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: `xiaoer-${fn}`, version: pkg.version, private: true, main: 'index.js', dependencies }, null, 2)}\n`);
  const configFile = path.join(root, 'cloudfunctions', fn, 'config.json');
  const config = fs.existsSync(configFile) ? JSON.parse(fs.readFileSync(configFile, 'utf8')) : undefined;
  if (config) fs.copyFileSync(configFile, path.join(dir, 'config.json'));

  // cloudbaserc.json is what `tcb fn deploy` reads: it must describe exactly what was built
  const entry = rc.functions?.find((f) => f.name === fn);
  if (!entry) throw new Error(`cloudbaserc.json has no entry for function "${fn}"`);
  assert.deepEqual(entry.triggers ?? [], config?.triggers ?? [], `cloudbaserc.json triggers of "${fn}" differ from cloudfunctions/${fn}/config.json`);
  assert.equal(entry.installDependency, Object.keys(dependencies).length > 0, `cloudbaserc.json installDependency of "${fn}" must be ${Object.keys(dependencies).length > 0}`);

  const bytes = fs.statSync(path.join(dir, 'index.js')).size;
  meta[fn] = { bytes, dependencies, assets, metafile: result.metafile };
  console.log(`${fn.padEnd(10)} ${(bytes / 1024).toFixed(0).padStart(6)} KB  ${path.relative(root, dir)}/index.js`);
}
assert.equal(path.normalize(rc.functionRoot ?? ''), path.normalize(OUT), `cloudbaserc.json functionRoot must be "${OUT}"`);
assert.deepEqual(rc.functions.map((f) => f.name).sort(), [...FUNCTIONS].sort(), 'cloudbaserc.json must list exactly the built functions');
fs.writeFileSync(path.join(root, 'build/meta.json'), JSON.stringify(meta));
