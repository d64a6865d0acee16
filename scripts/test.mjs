#!/usr/bin/env node
// The one test command (`npm test`): types, dependency rules, both app builds, every jest
// suite (backend, app, browser), then one plain closing line `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, '.test-results');
fs.rmSync(results, { recursive: true, force: true });
fs.mkdirSync(results, { recursive: true });

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];

function run(label, cmd, args, opts = {}) {
  const started = Date.now();
  console.log(`\n▶ ${label}`);
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? root, stdio: 'inherit', env: { ...process.env, ...opts.env } });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`◀ ${label}: exit ${r.status} (${secs} s)`);
  return r.status ?? 1;
}

/** A step that is one check: it passes or fails as a whole. */
function check(label, cmd, args, { expectFailure = false, ...opts } = {}) {
  const code = run(label, cmd, args, opts);
  const ok = expectFailure ? code !== 0 : code === 0;
  if (ok) passed++;
  else {
    failed++;
    failures.push(label);
  }
}

/** A jest run: its own counts, read from its JSON report. */
function jest(label, configArgs, cwd = root) {
  const out = path.join(results, `${label.replace(/\W+/g, '-')}.json`);
  const code = run(label, 'npx', ['jest', ...configArgs, '--json', `--outputFile=${out}`], { cwd });
  try {
    const rep = JSON.parse(fs.readFileSync(out, 'utf8'));
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

check('typecheck: backend and shared', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
check('typecheck: app', 'npm', ['run', 'typecheck', '-w', 'miniprogram']);
check('dependency rules hold', 'npx', ['depcruise', '--config', '.dependency-cruiser.cjs', 'shared/src', 'cloudfunctions', 'miniprogram/src']);
check('dependency rules catch the violating fixture', 'npx', ['depcruise', '--config', '.dependency-cruiser.cjs', 'test/fixtures/depcruise-violation'], { expectFailure: true });
check('build: h5', 'npm', ['run', 'build:h5', '-w', 'miniprogram']);
check('build: weapp', 'npm', ['run', 'build:weapp', '-w', 'miniprogram']);
check('weapp main package under 2 MB', 'node', ['scripts/weapp-size.mjs']);
jest('jest backend', ['--config', 'jest.config.js']);
jest('jest app', ['--config', 'jest.config.js'], path.join(root, 'miniprogram'));
jest('jest browser', ['--config', 'jest.e2e.config.js']);

if (failures.length) console.log(`\nFailed: ${failures.join('; ')}`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed ? 1 : 0);
