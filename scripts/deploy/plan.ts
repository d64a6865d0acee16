/**
 * The deployment plan, built from the code: the functions are the folders of cloudfunctions/ with
 * a main.ts (settings in their deploy.ts, trigger and permissions in their config.json), the
 * scheduler's jobs come from its job list, the collections and indexes from the CloudBase
 * adapter, the environment variables from the config schema. Nothing here lists any of them, so
 * a new function, job, collection or setting shows up in the plan by itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import { allJobs, type JobsEnv } from '../../shared/src/usecases/scheduling/jobs';
import { COLLECTIONS, INDEXES } from '../../cloudfunctions/server/storage/cloudbase/collections';
import { ENV_SOURCES, REQUIRED_CLOUD_ENV, SECRET_ENV } from '../../cloudfunctions/server/config';
import { RUNTIME, type FunctionDeploy } from '../../cloudfunctions/server/deploy-settings';
import { diffPlans, type PlanChange } from './diff';

/**
 * Code-package limits. The upload goes through COS (the direct zip upload is capped at 1.5 MB by
 * @cloudbase/manager-node, lib/function/index.js); the function itself may hold 500 MB before
 * compression (SCF quota page, https://cloud.tencent.com/document/product/583/11637, 2025-03-24)
 * and a zip of at most 50 MB (SCF API `Code` struct: "zip包大小上限为 50MB"; older text says 20 MB).
 */
export const PACKAGE_LIMITS = {
  zipBytes: 50 * 1024 * 1024,
  unzippedBytes: 500 * 1024 * 1024,
  source: 'https://cloud.tencent.com/document/product/583/11637 (2025-03-24: 500 MB before compression); SCF API Code.ZipFile: zip ≤ 50 MB',
};

export interface EnvEntry {
  name: string;
  /** deploy: set by the deploy; environment: from the deploying shell, else the console value is kept; platform: CloudBase's role keys. */
  source: 'deploy' | 'environment' | 'platform';
  secret: boolean;
  required: boolean;
  /** Set in the deploying shell now (the value itself never appears in a plan). */
  set: boolean;
}

export interface FunctionPlan {
  name: string;
  role: string;
  runtime: string;
  handler: 'index.main';
  /** MB */
  memory: number;
  /** seconds */
  timeout: number;
  /** The upload's size in bytes, unzipped (files and zipped size in `bundle`). */
  size: number;
  /** CloudBase's one timer trigger; its cron is read in UTC+8 (the jobs compute dates in each shop's zone). */
  trigger: { name: string; type: 'timer'; cron: string; timeZone: 'UTC+8' } | null;
  /** What the trigger runs, for the scheduler. */
  jobs: { kind: string; when: string }[];
  httpPath: string | null;
  fixedEgressIp: boolean;
  permissions: { openapi: string[] };
  installDependency: false;
  bundle: { files: { path: string; bytes: number }[]; bytes: number; zipBytes: number };
  env: EnvEntry[];
}

export interface CollectionPlan {
  name: string;
  indexes: { name: string; fields: string[] }[];
}

export interface DeployPlan {
  plan: 'xiaoer-deploy';
  version: 1;
  envId: string | null;
  runtime: string;
  upload: 'cos';
  limits: typeof PACKAGE_LIMITS;
  functions: FunctionPlan[];
  collections: CollectionPlan[];
  /** Steps the deploy tooling cannot do, for a person in a console. */
  manual: string[];
  warnings: string[];
  /** Anything here fails the plan (and the deploy). */
  problems: string[];
  /** Against the previous plan file, when there is one. */
  changes: PlanChange[] | null;
  ok: boolean;
}

export interface PlanOptions {
  root: string;
  env: NodeJS.ProcessEnv;
  previous?: DeployPlan | null;
  /** A stricter zip limit of the caller's own (MB); CloudBase's stays the ceiling. */
  maxZipMB?: number;
}

/** CloudBase's own per-function file: its one timer trigger and its cloud-call permissions. */
function readConfig(file: string): { triggers?: { name: string; type: string; config: string }[]; permissions?: { openapi?: string[] } } {
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
}

/** Folders of cloudfunctions/ with a main.ts: what scripts/build-functions.mjs bundles. */
export function functionNames(root: string): string[] {
  return fs
    .readdirSync(path.join(root, 'cloudfunctions'))
    .filter((d) => fs.existsSync(path.join(root, 'cloudfunctions', d, 'main.ts')))
    .sort();
}

/** The scheduler's jobs, kind and schedule only: the definitions' dependencies are never called here. */
export function scheduledJobs(): { kind: string; when: string }[] {
  const unused = new Proxy({}, { get: () => () => undefined }) as never;
  const env = { deps: unused, wecom: unused, answerer: unused, media: unused, parseXml: unused, appUrl: unused, subscribe: unused, tokens: unused } as unknown as JobsEnv;
  return allJobs(env).map((j) => ({ kind: j.kind, when: j.when }));
}

export function indexName(fields: string[]): string {
  return `idx_${fields.join('_')}`;
}

function envEntries(env: NodeJS.ProcessEnv): EnvEntry[] {
  return Object.entries(ENV_SOURCES)
    .filter((e): e is [string, EnvEntry['source']] => e[1] !== 'local')
    .map(([name, source]) => ({
      name,
      source,
      secret: SECRET_ENV.has(name),
      required: REQUIRED_CLOUD_ENV.includes(name),
      set: source === 'deploy' ? true : typeof env[name] === 'string' && env[name]!.trim() !== '',
    }));
}

function bundleOf(dir: string): FunctionPlan['bundle'] {
  const files: { path: string; bytes: number }[] = [];
  const contents: Record<string, Uint8Array> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else {
        const rel = path.relative(dir, full).split(path.sep).join('/');
        const data = fs.readFileSync(full);
        files.push({ path: rel, bytes: data.length });
        contents[rel] = data;
      }
    }
  };
  walk(dir);
  // the zip the upload makes (archiver's default deflate), measured rather than guessed
  const zipBytes = zipSync(contents, { level: 6, mtime: new Date('2026-01-01T00:00:00Z') }).length;
  return { files, bytes: files.reduce((n, f) => n + f.bytes, 0), zipBytes };
}

export async function buildPlan(o: PlanOptions): Promise<DeployPlan> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const manual: string[] = [];
  const env = envEntries(o.env);
  const zipLimit = Math.min(PACKAGE_LIMITS.zipBytes, (o.maxZipMB ?? Infinity) * 1024 * 1024);
  const functions: FunctionPlan[] = [];
  for (const name of functionNames(o.root)) {
    const { DEPLOY } = (await import(path.join(o.root, 'cloudfunctions', name, 'deploy.ts'))) as { DEPLOY: FunctionDeploy };
    const config = readConfig(path.join(o.root, 'cloudfunctions', name, 'config.json'));
    const triggers = config.triggers ?? [];
    if (triggers.length > 1) problems.push(`${name}: CloudBase allows one timer trigger per function (config.json has ${triggers.length})`);
    const t = triggers[0];
    if (t && t.config.trim().split(/\s+/).length !== 7) problems.push(`${name}: the trigger's cron must have 7 fields (second minute hour day month week year): "${t.config}"`);
    if (DEPLOY.timeoutS > 60 || DEPLOY.timeoutS < 1) problems.push(`${name}: timeout ${DEPLOY.timeoutS} s is outside 1–60 s`);
    const dir = path.join(o.root, 'build/cloudfunctions', name);
    let bundle: FunctionPlan['bundle'] = { files: [], bytes: 0, zipBytes: 0 };
    if (!fs.existsSync(path.join(dir, 'index.js'))) problems.push(`${name}: no bundle at build/cloudfunctions/${name}/index.js (run npm run build:functions)`);
    else bundle = bundleOf(dir);
    if (bundle.zipBytes > zipLimit)
      problems.push(
        `${name}: the code package zips to ${mb(bundle.zipBytes)}, over the ${mb(zipLimit)} limit${zipLimit < PACKAGE_LIMITS.zipBytes ? ' set with --max-zip-mb' : ' CloudBase allows'}`,
      );
    if (bundle.bytes > PACKAGE_LIMITS.unzippedBytes)
      problems.push(`${name}: the code package is ${mb(bundle.bytes)} unzipped, over CloudBase's ${mb(PACKAGE_LIMITS.unzippedBytes)}`);
    const openapi = config.permissions?.openapi ?? [];
    functions.push({
      name,
      role: DEPLOY.role,
      runtime: RUNTIME,
      handler: 'index.main',
      memory: DEPLOY.memoryMB,
      timeout: DEPLOY.timeoutS,
      size: bundle.bytes,
      trigger: t ? { name: t.name, type: 'timer', cron: t.config, timeZone: 'UTC+8' } : null,
      jobs: t ? scheduledJobs() : [],
      httpPath: DEPLOY.httpPath,
      fixedEgressIp: DEPLOY.callsWecom,
      permissions: { openapi },
      installDependency: false,
      bundle,
      env,
    });
    if (openapi.length)
      manual.push(
        `${name}: 云调用权限 ${openapi.join(', ')} 只在用微信开发者工具上传时生效 — 部署后在开发者工具里右键 build/cloudfunctions/${name} → 上传并部署：所有文件，再在小程序 店铺设置 → 推送方式 点「发一条测试报表给我」确认`,
      );
  }
  const missing = env.filter((e) => e.required && !e.set).map((e) => e.name);
  if (missing.length) warnings.push(`not set in this shell: ${missing.join(', ')} — the deploy keeps the values already in the CloudBase console, and stops if there are none`);
  if (!o.env.CLOUDBASE_ENV_ID) warnings.push('CLOUDBASE_ENV_ID is not set: the plan is for no particular environment (a deploy needs it)');
  if (functions.some((f) => f.fixedEgressIp)) manual.push('企业微信 → 应用管理 → 自建应用 → 企业可信IP：填上部署后打印的固定出口 IP（所有开了固定出口 IP 的函数共用一个）');
  if (functions.some((f) => f.httpPath)) manual.push('企业微信要求回调地址的域名备案主体和企业一致：在 CloudBase → HTTP 访问服务 绑定你自己备案的域名，PUBLIC_URL 填这个域名');

  const collections: CollectionPlan[] = COLLECTIONS.map((name) => ({ name, indexes: INDEXES[name].map((fields) => ({ name: indexName(fields), fields })) }));
  const plan: DeployPlan = {
    plan: 'xiaoer-deploy',
    version: 1,
    envId: o.env.CLOUDBASE_ENV_ID?.trim() || null,
    runtime: RUNTIME,
    upload: 'cos',
    limits: PACKAGE_LIMITS,
    functions,
    collections,
    manual,
    warnings,
    problems,
    changes: null,
    ok: problems.length === 0,
  };
  if (o.previous) plan.changes = diffPlans(o.previous, plan);
  return plan;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
