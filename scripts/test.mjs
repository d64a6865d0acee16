#!/usr/bin/env node
// The test command. Both lanes end with one plain closing line `N passed, N failed`.
//
// `npm test` (no flag) runs everything:
//   types (backend + app), the dependency rules (and their violating fixture, which must fail),
//   the H5 build and the release build (weapp + function bundles), the weapp 2 MB main-package gate, backend jest (jest.config.js: the
//   `unit` and `integration` projects), app jest (miniprogram/jest.config.js) and browser jest
//   (jest.e2e.config.js).
// `npm run test:fast` (`--fast`) is the inner loop, under 90 s:
//   types (backend + app), the dependency rules (and the violating fixture), and jest.fast.config.js
//   = the backend `unit` project + app jest: every jest suite that starts no host (in-process or
//   child), no browser, no build and no CLI child process.
//
// How suites are picked: jest.config.js has two projects; `integration` is an explicit list of the
// suites that start a host, a browser, a build or spawn the CLI, and every other backend suite is
// `unit`. jest.fast.config.js = `unit` + the app's config. Nothing else decides.
//
// Steps run concurrently where they don't depend on each other (2 cores here): each step's output
// is kept in .test-results/logs/ and printed as one block when the step ends. In `npm test`:
//   builds lane:  build h5 → build release (weapp + functions) → weapp size gate
//   checks lane:  tsc backend → tsc app → dependency rules → violating fixture → jest unit + app → eslint → prettier --check
//   host lane:    (after build h5: host processes look for miniprogram/dist/h5) jest integration
//   then browser jest, after the builds lane (it needs the H5 build and all the CPU it can get).
// tsc runs with --incremental (build info in node_modules/.cache/xiaoer-test/): the same
// diagnostics, but an unchanged program is re-checked in seconds instead of ~15 s.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fast = process.argv.includes('--fast');
const results = path.join(root, '.test-results');
const logs = path.join(results, 'logs');
const cache = path.join(root, 'node_modules', '.cache', 'xiaoer-test');
if (fast) {
  // the fast lane keeps the last full run's browser screenshots
  fs.rmSync(logs, { recursive: true, force: true });
  for (const f of fs.existsSync(results) ? fs.readdirSync(results) : []) if (f.endsWith('.json')) fs.rmSync(path.join(results, f));
} else {
  fs.rmSync(results, { recursive: true, force: true });
}
fs.mkdirSync(logs, { recursive: true });
fs.mkdirSync(cache, { recursive: true });

const bin = (p) => path.join(root, 'node_modules', p);
const TSC = bin('typescript/bin/tsc');
const DEPCRUISE = bin('dependency-cruiser/bin/dependency-cruise.mjs');
const ESLINT = bin('eslint/bin/eslint.js');
const PRETTIER = bin('prettier/bin/prettier.cjs');
const JEST = bin('jest/bin/jest.js');
const node = process.execPath;

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
const timings = [];
const running = new Set();
const t0 = Date.now();
const secs = (ms) => (ms / 1000).toFixed(1);

/** Runs one command with its output captured; prints it as one block when it ends. */
function run(label, cmd, args, opts = {}) {
  const started = Date.now();
  const logFile = path.join(logs, `${label.replace(/\W+/g, '-')}.log`);
  console.log(`▶ ${label} (at ${secs(started - t0)} s)`);
  return new Promise((resolve) => {
    const out = fs.openSync(logFile, 'w');
    const child = spawn(cmd, args, { cwd: opts.cwd ?? root, stdio: ['ignore', out, out], env: { ...process.env, ...opts.env } });
    running.add(child);
    const done = (code) => {
      running.delete(child);
      fs.closeSync(out);
      const ms = Date.now() - started;
      timings.push({ label, start: started - t0, ms, code });
      const text = fs.readFileSync(logFile, 'utf8').trimEnd();
      console.log(`\n── ${label} ${'─'.repeat(Math.max(0, 70 - label.length))}\n${text}${text ? '\n' : ''}◀ ${label}: exit ${code} (${secs(ms)} s)`);
      resolve(code);
    };
    child.on('error', (err) => {
      fs.writeSync(out, `\n${err.stack ?? err}\n`);
      done(1);
    });
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

/** A step that is one check: it passes or fails as a whole. */
async function check(label, cmd, args, { expectFailure = false, ...opts } = {}) {
  const code = await run(label, cmd, args, opts);
  const ok = expectFailure ? code !== 0 : code === 0;
  if (ok) passed++;
  else {
    failed++;
    failures.push(label);
  }
  return ok;
}

/** A jest run: its own counts, read from its JSON report. */
async function jest(label, args) {
  const report = path.join(results, `${label.replace(/\W+/g, '-')}.json`);
  const code = await run(label, node, [JEST, ...args, '--json', `--outputFile=${report}`]);
  try {
    const rep = JSON.parse(fs.readFileSync(report, 'utf8'));
    passed += rep.numPassedTests;
    failed += rep.numFailedTests;
    skipped += rep.numPendingTests + rep.numTodoTests;
    // a suite that failed to load has no failing test in the count: count it
    const broken = rep.testResults.filter((s) => s.status === 'failed' && s.assertionResults.every((a) => a.status !== 'failed')).length;
    failed += broken;
    if (rep.numFailedTests || broken) failures.push(label);
    if (code !== 0 && !rep.numFailedTests && !broken) {
      failed++;
      failures.push(`${label} (exit ${code})`);
    }
  } catch {
    failed++;
    failures.push(`${label} (no report)`);
  }
}

/** Types, dependency rules and the fast jest suites: the whole of `test:fast`, part of `npm test`. */
async function checksLane() {
  await check('typecheck: backend and shared', node, [TSC, '--noEmit', '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', path.join(cache, 'backend.tsbuildinfo')]);
  await check('typecheck: app', node, [TSC, '--noEmit', '-p', 'miniprogram/tsconfig.json', '--incremental', '--tsBuildInfoFile', path.join(cache, 'app.tsbuildinfo')]);
  await check('dependency rules hold', node, [DEPCRUISE, '--config', '.dependency-cruiser.cjs', 'shared/src', 'cloudfunctions', 'miniprogram/src']);
  await check('dependency rules catch the violating fixture', node, [DEPCRUISE, '--config', '.dependency-cruiser.cjs', 'test/fixtures/depcruise-violation'], {
    expectFailure: true,
  });
}

const stopAll = (signal) => {
  for (const child of running) child.kill(signal);
  process.exit(130);
};
process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));

if (fast) {
  // the type checks and depcruise (one core) next to jest's two workers
  await Promise.all([checksLane(), jest('jest unit + app', ['--config', 'jest.fast.config.js', '--maxWorkers=2'])]);
} else {
  const h5 = check('build: h5', 'npm', ['run', 'build:h5', '-w', 'miniprogram']);
  const builds = (async () => {
    await h5;
    // the release build for a test environment: the weapp bound to it and the function bundles,
    // checked as build:release checks a real one (the browser tests then read this weapp)
    await check('build: release (weapp + functions for a test environment)', 'npm', ['run', 'build:release'], { env: { CLOUDBASE_ENV_ID: 'xiaoer-ci-release', WX_APPID: '' } });
    await check('weapp main package under 2 MB', node, ['scripts/weapp-size.mjs']);
  })();
  const checks = (async () => {
    await checksLane();
    await jest('jest unit + app', ['--config', 'jest.fast.config.js', '--maxWorkers=2']);
    // npm run lint, as two checks (the fast lane leaves it out: eslint alone takes about a minute)
    await check('lint: eslint', node, [ESLINT, '.']);
    await check('lint: prettier --check', node, [PRETTIER, '--check', '.']);
  })();
  // most of these wait (sandbox faults, retries, kill -9 rounds): three workers on two cores
  const host = (async () => {
    await h5;
    await jest('jest backend integration', ['--config', 'jest.config.js', '--selectProjects', 'integration', '--maxWorkers=3']);
  })();
  await builds;
  await jest('jest browser', ['--config', 'jest.e2e.config.js', '--maxWorkers=2']);
  await Promise.all([checks, host]);
}

console.log(`\nsteps (start → duration, seconds):`);
for (const t of timings.sort((a, b) => a.start - b.start))
  console.log(`  ${secs(t.start).padStart(6)} → ${secs(t.ms).padStart(6)}  ${t.label}${t.code ? ` (exit ${t.code})` : ''}`);
console.log(`  total ${secs(Date.now() - t0)} s`);
if (failures.length) console.log(`\nFailed: ${failures.join('; ')}`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed ? 1 : 0);
