import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { functionNames, scheduledJobs, type DeployPlan } from '../scripts/deploy/plan';
import { RUNTIME } from '../cloudfunctions/server/deploy-settings';
import { COLLECTIONS, INDEXES } from '../cloudfunctions/server/storage/cloudbase/collections';
import { ENV_SOURCES } from '../cloudfunctions/server/config';
import { allJobs } from '../shared/src/usecases/scheduling/jobs';

/**
 * `npm run deploy -- --dry-run --json` as a person runs it on a fresh clone: it builds the bundles
 * and prints the plan offline. Checked against the code itself — the function folders, their
 * config.json, the scheduler's job list, the CloudBase adapter's collections and the config
 * schema — so a new job or collection must show up without anyone editing the deploy script.
 * It runs in a copy of the sources (no build folder, node_modules linked), as a fresh clone has
 * them, so its build cannot trip over test/bundles.test.ts building at the same time.
 */
const repo = path.resolve(__dirname, '..');
let root: string;
function freshCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-clone-'));
  const skip = /(^|\/)(node_modules|build|dist|\.data)(\/|$)/;
  for (const entry of ['cloudfunctions', 'shared', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.base.json']) {
    fs.cpSync(path.join(repo, entry), path.join(dir, entry), { recursive: true, filter: (src) => !skip.test(path.relative(repo, src)) });
  }
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}
const SECRETS = { APP_MASTER_KEY: 'cd'.repeat(32), LLM_API_KEY: 'sk-live-0123456789abcdef', TENCENTCLOUD_SECRETKEY: 'tc-secret-key-xyz', TENCENTCLOUD_SECRETID: 'AKIDtestid' };

function deploy(args: string[], env: NodeJS.ProcessEnv = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !(k in ENV_SOURCES)));
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/deploy/main.ts', ...args], { cwd: root, env: { ...clean, ...env }, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let plan: DeployPlan;
let raw: string;
let tmp: string;
beforeAll(() => {
  root = freshCopy();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-plan-'));
  // XIAOER_NATIVE_FROM_NPM: resvg's Linux binary comes from its npm tarball, as on a Mac or Windows machine
  const r = deploy(['--dry-run', '--json'], { ...SECRETS, CLOUDBASE_ENV_ID: 'xiaoer-test-env', PUBLIC_URL: 'https://xiaoer.example.cn', XIAOER_NATIVE_FROM_NPM: '1' });
  if (r.code !== 0) throw new Error(`dry run failed (${r.code}): ${r.stderr}`);
  raw = r.stdout;
  plan = JSON.parse(raw);
}, 240_000);
afterAll(() => {
  for (const d of [tmp, root]) fs.rmSync(d, { recursive: true, force: true });
});

describe('npm run deploy -- --dry-run --json', () => {
  it('lists every function folder with runtime, memory, timeout, trigger, HTTP path and bundle size', () => {
    expect(plan).toMatchObject({ plan: 'xiaoer-deploy', ok: true, envId: 'xiaoer-test-env', runtime: RUNTIME, upload: 'cos', problems: [] });
    expect(plan.functions.map((f) => f.name)).toEqual(functionNames(repo));
    for (const f of plan.functions) {
      expect(f.runtime).toBe(RUNTIME);
      expect(f.timeout).toBeGreaterThan(3); // never CloudBase's 3 s default
      expect(f.timeout).toBeLessThanOrEqual(60);
      expect(f.memory).toBeGreaterThanOrEqual(128);
      expect(f.size).toBe(f.bundle.bytes);
      expect(f.bundle.bytes).toBe(
        fs.statSync(path.join(root, 'build/cloudfunctions', f.name, 'index.js')).size + f.bundle.files.filter((x) => x.path !== 'index.js').reduce((n, x) => n + x.bytes, 0),
      );
      expect(f.bundle.zipBytes).toBeGreaterThan(0);
      expect(f.bundle.zipBytes).toBeLessThan(f.bundle.bytes);
      const config = path.join(repo, 'cloudfunctions', f.name, 'config.json');
      const c = fs.existsSync(config) ? JSON.parse(fs.readFileSync(config, 'utf8')) : {};
      expect(f.trigger ? [{ name: f.trigger.name, type: f.trigger.type, config: f.trigger.cron }] : []).toEqual(c.triggers ?? []);
      expect(f.permissions.openapi).toEqual(c.permissions?.openapi ?? []);
    }
    const by = Object.fromEntries(plan.functions.map((f) => [f.name, f]));
    expect(by.wecom).toMatchObject({ httpPath: '/wecom/callback', timeout: 60 });
    expect(by.webhook).toMatchObject({ httpPath: '/webhook/orders' });
    // the functions that send subscribe messages: the scheduler (report pushes), api (test pushes)
    expect(by.scheduler!.permissions.openapi).toContain('subscribeMessage.send');
    expect(by.api!.permissions.openapi).toContain('subscribeMessage.send');
    // the resvg binary ships inside the scheduler's upload (Linux build, whatever machine deploys):
    // fetched from npm here, byte for byte the Linux package this machine has installed
    expect(by.scheduler!.bundle.files.map((x) => x.path)).toEqual(expect.arrayContaining(['resvgjs.linux-x64-gnu.node', 'fonts/wqy-microhei-chart.ttf', 'config.json']));
    const shipped = fs.readFileSync(path.join(root, 'build/cloudfunctions/scheduler/resvgjs.linux-x64-gnu.node'));
    const installed = fs.readFileSync(path.join(path.dirname(require.resolve('@resvg/resvg-js-linux-x64-gnu/package.json')), 'resvgjs.linux-x64-gnu.node'));
    expect(shipped.equals(installed)).toBe(true);
    expect(fs.existsSync(path.join(root, 'build/.native'))).toBe(true);
  });

  it('lists every scheduled job under the scheduler, from the job list itself', () => {
    const scheduler = plan.functions.find((f) => f.trigger)!;
    expect(scheduler.name).toBe('scheduler');
    expect(scheduler.trigger).toMatchObject({ cron: '0 * * * * * *', timeZone: 'UTC+8' });
    expect(scheduler.jobs).toEqual(scheduledJobs());
    const unused = new Proxy({}, { get: () => () => undefined }) as never;
    expect(scheduler.jobs.map((j) => j.kind).sort()).toEqual(
      allJobs(unused)
        .map((j) => j.kind)
        .sort(),
    );
    expect(scheduler.jobs.every((j) => j.when.length > 0)).toBe(true);
  });

  it('lists every collection with its indexes, from the CloudBase adapter', () => {
    expect(plan.collections.map((c) => c.name)).toEqual([...COLLECTIONS]);
    for (const c of plan.collections) expect(c.indexes.map((i) => i.fields)).toEqual(INDEXES[c.name as (typeof COLLECTIONS)[number]]);
  });

  it('names the environment variables but never carries a value', () => {
    for (const v of Object.values(SECRETS)) expect(raw).not.toContain(v);
    expect(raw).not.toContain('https://xiaoer.example.cn');
    const env = plan.functions[0]!.env;
    expect(env.map((e) => e.name).sort()).toEqual(
      Object.entries(ENV_SOURCES)
        .filter(([, s]) => s !== 'local')
        .map(([k]) => k)
        .sort(),
    );
    expect(env.find((e) => e.name === 'APP_MASTER_KEY')).toEqual({ name: 'APP_MASTER_KEY', source: 'environment', secret: true, required: true, set: true });
    expect(env.find((e) => e.name === 'LLM_MODEL')).toMatchObject({ secret: false, set: false });
    expect(env.some((e) => ['HOST', 'PORT', 'DATA_DIR'].includes(e.name))).toBe(false);
  });

  it('a plan over the size limit fails but still prints its whole JSON, and stdout carries nothing else', () => {
    const r = deploy(['--dry-run', '--json', '--skip-build', '--max-zip-mb', '1']);
    expect(r.code).toBe(1);
    const failed = JSON.parse(r.stdout) as DeployPlan;
    expect(failed.ok).toBe(false);
    expect(failed.functions.map((f) => f.name)).toEqual(plan.functions.map((f) => f.name));
    const big = plan.functions.filter((f) => f.bundle.zipBytes > 1024 * 1024).map((f) => f.name);
    expect(big.length).toBeGreaterThan(0);
    expect(failed.problems).toEqual(big.map((n) => expect.stringContaining(`${n}: the code package zips to`)));
  });

  it('says what would change against a previous plan file', () => {
    const prev = structuredClone(plan);
    prev.collections = prev.collections.filter((c) => c.name !== 'campaigns');
    const kv = prev.collections.find((c) => c.name === 'kv')!;
    kv.indexes = kv.indexes.slice(1);
    prev.collections.push({ name: 'old_things', indexes: [] });
    prev.functions.find((f) => f.name === 'wecom')!.timeout = 3;
    const sched = prev.functions.find((f) => f.name === 'scheduler')!;
    sched.jobs = sched.jobs.filter((j) => j.kind !== 'followups.daily');
    const file = path.join(tmp, 'prev.json');
    fs.writeFileSync(file, JSON.stringify(prev));
    const r = deploy(['--dry-run', '--json', '--skip-build', '--previous', file]);
    expect(r.code).toBe(0);
    const changes = (JSON.parse(r.stdout) as DeployPlan).changes!;
    expect(changes).toEqual(
      expect.arrayContaining([
        { kind: 'collection', name: 'campaigns', change: 'added', detail: expect.any(String) },
        { kind: 'index', name: 'kv.idx_merchantId_ns_key', change: 'added', detail: 'on merchantId, ns, key' },
        { kind: 'collection', name: 'old_things', change: 'removed', detail: expect.stringContaining('never dropped') },
        { kind: 'function', name: 'wecom', change: 'changed', detail: expect.stringContaining('timeout: 3 → 60') },
        { kind: 'function', name: 'scheduler', change: 'changed', detail: expect.stringContaining('jobs added: followups.daily') },
      ]),
    );
  });

  it('a real deploy without an API key refuses and says what it needs', () => {
    const r = deploy(['--skip-build'], { CLOUDBASE_ENV_ID: 'xiaoer-test-env', APP_MASTER_KEY: SECRETS.APP_MASTER_KEY });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('TENCENTCLOUD_SECRETID');
    expect(r.stdout).toContain('plan ok');
    expect(r.stdout + r.stderr).not.toContain(SECRETS.APP_MASTER_KEY);
  });
});
