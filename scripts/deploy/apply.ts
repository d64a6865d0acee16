/**
 * Carries a plan out with CloudBase's management API (@cloudbase/manager-node). Only the calls
 * below are used, so a recording fake of them (test/helpers/deploy-recorder.ts) shows exactly
 * what a deploy would do. Nothing is ever deleted: collections and indexes are created when
 * missing, functions created or updated in place.
 */
import path from 'node:path';
import type { DeployPlan, FunctionPlan } from './plan';
import { indexName } from './plan';

type Variables = { Key: string; Value: string }[];
export interface FunctionDetail {
  Runtime?: string;
  Environment?: { Variables?: Variables };
  PublicNetConfig?: { EipConfig?: { EipAddress?: string[] } };
}
export interface CloudFunctionSpec {
  name: string;
  handler: string;
  runtime: string;
  timeout: number;
  memorySize: number;
  installDependency: boolean;
  envVariables: Record<string, string>;
  triggers: { name: string; type: string; config: string }[];
  /** manager-node binds this HTTP access path after creating or updating the function. */
  path?: string;
  publicNetConfig?: { PublicNetStatus: 'ENABLE'; EipConfig: { EipStatus: 'ENABLE' } };
}

/** The subset of @cloudbase/manager-node's CloudBase instance a deploy uses (names and shapes as in its types). */
export interface DeployTarget {
  functions: {
    getFunctionDetail(name: string): Promise<FunctionDetail>;
    createFunction(p: { func: CloudFunctionSpec; functionRootPath: string; force: boolean; deployMode: 'cos' }): Promise<unknown>;
  };
  database: {
    createCollectionIfNotExists(name: string): Promise<{ IsCreated: boolean }>;
    describeCollection(name: string): Promise<{ Indexes?: { Name: string }[] }>;
    updateCollection(
      name: string,
      info: { CreateIndexes: { IndexName: string; MgoKeySchema: { MgoIndexKeys: { Name: string; Direction: string }[]; MgoIsUnique: boolean } }[] },
    ): Promise<unknown>;
  };
}

export interface DeployReport {
  functions: { name: string; action: 'created' | 'updated'; runtime: string; note?: string }[];
  collections: { name: string; created: boolean; indexesCreated: string[] }[];
  /** The fixed egress IPs to put in 企业可信IP, as CloudBase reports them after the deploy. */
  egressIps: string[];
  /** Names only: which variables came from this shell and which kept their console value. */
  env: { fromShell: string[]; keptFromConsole: string[] };
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  return /ResourceNotFound/i.test(code) || /not\s*found|不存在/i.test(String((err as Error)?.message ?? ''));
}

async function detailOf(t: DeployTarget, name: string): Promise<FunctionDetail | null> {
  try {
    return await t.functions.getFunctionDetail(name);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/**
 * The variables a function gets: everything already in its console settings (a deploy replaces
 * the whole set, so anything not sent would be lost), then what this shell sets, then what the
 * deploy itself sets. Values never leave this function except in the API call.
 */
export function mergeEnv(fn: FunctionPlan, existing: Variables | undefined, shell: NodeJS.ProcessEnv, envId: string) {
  const vars: Record<string, string> = Object.fromEntries((existing ?? []).map((v) => [v.Key, v.Value]));
  const fromShell: string[] = [];
  const kept: string[] = [];
  for (const e of fn.env) {
    if (e.source === 'deploy') continue;
    if (e.source === 'environment' && e.set && shell[e.name]?.trim()) {
      vars[e.name] = shell[e.name]!;
      fromShell.push(e.name);
    } else if (vars[e.name] !== undefined) kept.push(e.name);
  }
  vars.APP_RUNTIME = 'cloudbase';
  vars.CLOUDBASE_ENV_ID = envId;
  const missing = fn.env.filter((e) => e.required && !vars[e.name]).map((e) => e.name);
  return { vars, fromShell, kept, missing };
}

export async function applyPlan(plan: DeployPlan, t: DeployTarget, o: { root: string; shell: NodeJS.ProcessEnv; log?: (line: string) => void }): Promise<DeployReport> {
  const log = o.log ?? (() => undefined);
  if (!plan.ok) throw new Error(`the plan has problems, nothing deployed:\n  ${plan.problems.join('\n  ')}`);
  if (!plan.envId) throw new Error('CLOUDBASE_ENV_ID is not set: which CloudBase environment should this go to?');
  const envId = plan.envId;

  // read every function first: a required variable missing anywhere stops the deploy before any change
  const details = new Map<string, FunctionDetail | null>();
  for (const fn of plan.functions) details.set(fn.name, await detailOf(t, fn.name));
  const envs = new Map(plan.functions.map((fn) => [fn.name, mergeEnv(fn, details.get(fn.name)?.Environment?.Variables, o.shell, envId)]));
  const missing = [...new Set([...envs.values()].flatMap((e) => e.missing))];
  if (missing.length) throw new Error(`set ${missing.join(', ')} in this shell (they are not in the CloudBase console either); nothing deployed`);

  const report: DeployReport = { functions: [], collections: [], egressIps: [], env: { fromShell: [], keptFromConsole: [] } };
  for (const fn of plan.functions) {
    const before = details.get(fn.name) ?? null;
    const env = envs.get(fn.name)!;
    const func: CloudFunctionSpec = {
      name: fn.name,
      handler: fn.handler,
      runtime: fn.runtime,
      timeout: fn.timeout,
      memorySize: fn.memory,
      installDependency: false,
      envVariables: env.vars,
      triggers: fn.trigger ? [{ name: fn.trigger.name, type: fn.trigger.type, config: fn.trigger.cron }] : [],
      ...(fn.httpPath ? { path: fn.httpPath } : {}),
      ...(fn.fixedEgressIp ? { publicNetConfig: { PublicNetStatus: 'ENABLE', EipConfig: { EipStatus: 'ENABLE' } } as const } : {}),
    };
    log(`${before ? 'updating' : 'creating'} ${fn.name} (${fn.memory} MB, ${fn.timeout} s${fn.httpPath ? `, ${fn.httpPath}` : ''}${fn.trigger ? `, ${fn.trigger.cron}` : ''})`);
    await t.functions.createFunction({ func, functionRootPath: path.join(o.root, 'build/cloudfunctions'), force: true, deployMode: 'cos' });
    const kept = before?.Runtime && before.Runtime !== fn.runtime ? before.Runtime : null;
    report.functions.push({
      name: fn.name,
      action: before ? 'updated' : 'created',
      runtime: kept ?? fn.runtime,
      ...(kept ? { note: `keeps ${kept}: a runtime cannot change after creation (delete the function in the console and deploy again to move to ${fn.runtime})` } : {}),
    });
    report.env.fromShell.push(...env.fromShell.filter((n) => !report.env.fromShell.includes(n)));
    report.env.keptFromConsole.push(...env.kept.filter((n) => !report.env.keptFromConsole.includes(n)));
    if (fn.fixedEgressIp) {
      const after = await detailOf(t, fn.name);
      for (const ip of after?.PublicNetConfig?.EipConfig?.EipAddress ?? []) if (!report.egressIps.includes(ip)) report.egressIps.push(ip);
    }
  }

  for (const c of plan.collections) {
    const { IsCreated } = await t.database.createCollectionIfNotExists(c.name);
    const have = new Set(((await t.database.describeCollection(c.name)).Indexes ?? []).map((i) => i.Name));
    const wanted = c.indexes.filter((i) => !have.has(i.name));
    if (wanted.length) {
      log(`indexes on ${c.name}: ${wanted.map((i) => i.name).join(', ')}`);
      await t.database.updateCollection(c.name, {
        CreateIndexes: wanted.map((i) => ({
          IndexName: indexName(i.fields),
          MgoKeySchema: { MgoIndexKeys: i.fields.map((f) => ({ Name: f, Direction: '1' })), MgoIsUnique: false },
        })),
      });
    }
    report.collections.push({ name: c.name, created: IsCreated, indexesCreated: wanted.map((i) => i.name) });
  }
  return report;
}
