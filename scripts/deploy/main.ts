/**
 * `npm run deploy [-- --dry-run] [--json] [--previous <plan.json>] [--max-zip-mb <n>] [--skip-build]`
 *
 * Builds every function bundle, prints the plan (what would be deployed, offline), and — without
 * --dry-run — deploys it to the CloudBase environment CLOUDBASE_ENV_ID with the API keys
 * TENCENTCLOUD_SECRETID / TENCENTCLOUD_SECRETKEY. With --json, stdout carries only the plan (and
 * for a deploy, the plan with its report), whatever happens; a failing plan exits 1.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildPlan, type DeployPlan } from './plan';
import { applyPlan, type DeployTarget } from './apply';
import { describePlan } from './describe';

const root = path.resolve(__dirname, '../..');
const { values: flags } = parseArgs({
  options: {
    'dry-run': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    previous: { type: 'string' },
    'max-zip-mb': { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
  },
});
const err = (line: string) => process.stderr.write(`${line}\n`);
const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

/** The last plan deployed to this environment, kept beside the data folder (never committed). */
function lastPlanFile(envId: string | null) {
  return path.join(root, '.deploy', `last-plan-${envId ?? 'none'}.json`);
}

function readPrevious(envId: string | null): DeployPlan | null {
  const file = flags.previous ? path.resolve(flags.previous) : lastPlanFile(envId);
  if (!fs.existsSync(file)) {
    if (flags.previous) throw new Error(`no plan file at ${file}`);
    return null;
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as DeployPlan;
}

async function main(): Promise<number> {
  if (!flags['skip-build']) {
    err('building the function bundles…');
    // its listing goes to stderr: with --json, stdout is the plan alone
    const b = spawnSync(process.execPath, ['scripts/build-functions.mjs'], { cwd: root, stdio: ['ignore', 2, 2] });
    if (b.status !== 0) {
      err('the build failed; nothing planned or deployed');
      return 1;
    }
  }
  const maxZipMB = flags['max-zip-mb'] === undefined ? undefined : Number(flags['max-zip-mb']);
  if (maxZipMB !== undefined && !(maxZipMB > 0)) throw new Error('--max-zip-mb takes a positive number of MB');
  const envId = process.env.CLOUDBASE_ENV_ID?.trim() || null;
  const plan = await buildPlan({ root, env: process.env, previous: readPrevious(envId), ...(maxZipMB ? { maxZipMB } : {}) });

  if (flags['dry-run'] || !plan.ok) {
    if (flags.json) out(JSON.stringify(plan, null, 2));
    else out(describePlan(plan));
    if (!plan.ok && !flags['dry-run']) err('the plan has problems: nothing deployed');
    return plan.ok ? 0 : 1;
  }

  if (!flags.json) out(describePlan(plan));
  if (!envId || !process.env.TENCENTCLOUD_SECRETID || !process.env.TENCENTCLOUD_SECRETKEY) {
    if (flags.json) out(JSON.stringify(plan, null, 2));
    err(
      'a deploy needs CLOUDBASE_ENV_ID, TENCENTCLOUD_SECRETID and TENCENTCLOUD_SECRETKEY (an API key of the Tencent Cloud account); nothing deployed. `npm run deploy -- --dry-run` shows the plan without them.',
    );
    return 1;
  }
  const { default: CloudBase } = (await import('@cloudbase/manager-node')) as unknown as {
    default: new (c: { secretId: string; secretKey: string; token?: string; envId: string }) => DeployTarget;
  };
  const target = new CloudBase({
    secretId: process.env.TENCENTCLOUD_SECRETID,
    secretKey: process.env.TENCENTCLOUD_SECRETKEY,
    ...(process.env.TENCENTCLOUD_SESSIONTOKEN ? { token: process.env.TENCENTCLOUD_SESSIONTOKEN } : {}),
    envId,
  });
  const report = await applyPlan(plan, target, { root, shell: process.env, log: err });
  fs.mkdirSync(path.dirname(lastPlanFile(envId)), { recursive: true });
  fs.writeFileSync(lastPlanFile(envId), `${JSON.stringify(plan, null, 2)}\n`);
  if (flags.json) out(JSON.stringify({ ...plan, report }, null, 2));
  else {
    out(`deployed to ${envId}: ${report.functions.map((f) => `${f.name} (${f.action})`).join(', ')}`);
    for (const f of report.functions) if (f.note) out(`  ${f.name}: ${f.note}`);
    out(`collections: ${report.collections.filter((c) => c.created).length} created, ${report.collections.reduce((n, c) => n + c.indexesCreated.length, 0)} indexes added`);
    out(`env variables from this shell: ${report.env.fromShell.join(', ') || 'none'}; kept from the console: ${report.env.keptFromConsole.join(', ') || 'none'}`);
    out(
      report.egressIps.length
        ? `fixed egress IP for 企业可信IP: ${report.egressIps.join(', ')}`
        : 'no fixed egress IP reported yet: check 云函数 → 函数配置 → 固定出口 IP in the console',
    );
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    err(`deploy failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
