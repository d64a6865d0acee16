#!/usr/bin/env node
// `npm run build:functions`: bundles each cloud function into a self-contained upload under
// build/cloudfunctions/<fn>/ (index.js exporting `main`, package.json, config.json if any), the
// folder project.config.json's cloudfunctionRoot points at and `npm run deploy` uploads.
// A function is a folder of cloudfunctions/ with a main.ts. Fails if SQLite or local-host code
// slipped into a bundle. Writes build/meta.json (per function: size, dependencies, esbuild
// metafile), which `npm run deploy` reads for its plan.
import * as esbuild from 'esbuild';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FUNCTIONS = fs
  .readdirSync(path.join(root, 'cloudfunctions'))
  .filter((d) => fs.existsSync(path.join(root, 'cloudfunctions', d, 'main.ts')))
  .sort();
/**
 * Node 20 syntax: CloudBase's runtime (Node 24, cloudfunctions/server/deploy-settings.ts) runs it,
 * and so do the Node 20 machines that load these very bundles in test/bundles.test.ts.
 */
const TARGET = 'node20';
// XIAOER_FUNCTIONS_OUT: build elsewhere (a test's own folder), meta.json beside it
const OUT = path.resolve(root, process.env.XIAOER_FUNCTIONS_OUT || 'build/cloudfunctions');
const META = path.join(path.dirname(OUT), 'meta.json');
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

/**
 * resvg's Linux x64 (glibc) binary, whatever machine builds: the installed optional package on
 * Linux; elsewhere (npm installs only the host's platform package) the same version's npm tarball,
 * fetched once with `npm pack` into build/.native/ and unpacked with tar.
 */
function linuxResvgBinary(fn) {
  const req = createRequire(path.join(root, 'cloudfunctions/package.json'));
  try {
    // XIAOER_NATIVE_FROM_NPM=1: take the npm tarball path as a non-Linux machine would (tested that way)
    if (process.env.XIAOER_NATIVE_FROM_NPM === '1') throw new Error('from npm');
    return path.join(path.dirname(req.resolve('@resvg/resvg-js-linux-x64-gnu/package.json')), RESVG_NATIVE);
  } catch {
    const { version } = JSON.parse(fs.readFileSync(req.resolve('@resvg/resvg-js/package.json'), 'utf8'));
    const cache = path.join(root, 'build/.native', `resvg-js-linux-x64-gnu-${version}`);
    const file = path.join(cache, 'package', RESVG_NATIVE);
    if (!fs.existsSync(file)) {
      console.log(`${fn}: fetching resvg's Linux binary (@resvg/resvg-js-linux-x64-gnu@${version}) for the upload`);
      fs.mkdirSync(cache, { recursive: true });
      const tgz = execFileSync('npm', ['pack', `@resvg/resvg-js-linux-x64-gnu@${version}`, '--pack-destination', cache, '--silent'], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .pop();
      execFileSync('tar', ['-xzf', path.join(cache, tgz), '-C', cache]);
    }
    return file;
  }
}

/** An ELF x86-64 file (CloudBase runs Linux x64): the magic number and e_machine 0x3e. */
function assertLinuxX64(fn, file) {
  const head = fs.readFileSync(file).subarray(0, 20);
  const elf = head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF';
  if (!elf || head.readUInt16LE(18) !== 0x3e) throw new Error(`${fn}: ${file} is not a Linux x64 binary; the upload would not load it on CloudBase`);
}

/** What a bundle that draws charts needs beside index.js: resvg's Linux binary and the chart font (charts/renderer.ts). */
function copyChartAssets(fn, dir, inputs) {
  const copied = [];
  if (inputs.some((i) => i.includes('node_modules/@resvg/resvg-js/'))) {
    const binary = linuxResvgBinary(fn);
    assertLinuxX64(fn, binary);
    fs.copyFileSync(binary, path.join(dir, RESVG_NATIVE));
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
fs.rmSync(OUT, { recursive: true, force: true });

const meta = {};
for (const fn of FUNCTIONS) {
  const dir = path.join(OUT, fn);
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [`cloudfunctions/${fn}/main.ts`],
    outfile: path.join(dir, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs', // CloudBase loads index.js with require() and calls exports.main
    target: TARGET,
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
      target: TARGET,
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
  // CloudBase's own per-function file (timer trigger, cloud-call permissions) travels with the code
  const configFile = path.join(root, 'cloudfunctions', fn, 'config.json');
  if (fs.existsSync(configFile)) fs.copyFileSync(configFile, path.join(dir, 'config.json'));
  assert.deepEqual(dependencies, {}, `${fn}: a bundle must need nothing installed (deploys use installDependency: false)`);

  const bytes = fs.statSync(path.join(dir, 'index.js')).size;
  meta[fn] = { bytes, dependencies, assets, metafile: result.metafile };
  console.log(`${fn.padEnd(10)} ${(bytes / 1024).toFixed(0).padStart(6)} KB  ${path.relative(root, dir)}/index.js`);
}
fs.writeFileSync(META, JSON.stringify(meta));
