import type { DeployPlan, FunctionPlan } from './plan';

/** One difference from the previous plan, in words a person checks before deploying. */
export interface PlanChange {
  kind: 'function' | 'collection' | 'index';
  name: string;
  change: 'added' | 'removed' | 'changed';
  detail: string;
}

const SETTINGS: (keyof FunctionPlan)[] = ['runtime', 'memory', 'timeout', 'httpPath', 'fixedEgressIp'];

function fnChanges(a: FunctionPlan, b: FunctionPlan): string[] {
  const out: string[] = [];
  for (const k of SETTINGS) {
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out.push(`${k}: ${JSON.stringify(a[k])} → ${JSON.stringify(b[k])}`);
  }
  // the runtime is fixed at creation: an existing function keeps its old one
  if (a.runtime !== b.runtime) out.push('runtime cannot change on an existing function: delete and recreate it to move');
  if ((a.trigger?.cron ?? null) !== (b.trigger?.cron ?? null)) out.push(`trigger: ${a.trigger?.cron ?? 'none'} → ${b.trigger?.cron ?? 'none'}`);
  const jobs = (p: FunctionPlan) => new Set(p.jobs.map((j) => j.kind));
  const [ja, jb] = [jobs(a), jobs(b)];
  const jobsAdded = [...jb].filter((k) => !ja.has(k));
  const jobsGone = [...ja].filter((k) => !jb.has(k));
  if (jobsAdded.length) out.push(`jobs added: ${jobsAdded.join(', ')}`);
  if (jobsGone.length) out.push(`jobs removed: ${jobsGone.join(', ')}`);
  if (a.permissions.openapi.join() !== b.permissions.openapi.join()) out.push(`openapi: [${a.permissions.openapi.join(', ')}] → [${b.permissions.openapi.join(', ')}]`);
  const names = (p: FunctionPlan) => new Set(p.env.map((e) => e.name));
  const envAdded = [...names(b)].filter((n) => !names(a).has(n));
  if (envAdded.length) out.push(`env variables added: ${envAdded.join(', ')}`);
  if (a.bundle.bytes !== b.bundle.bytes) out.push(`code: ${a.bundle.bytes} → ${b.bundle.bytes} bytes`);
  return out;
}

/** What deploying `next` would change against `prev`. Collections and indexes are never dropped, so "removed" ones stay in place. */
export function diffPlans(prev: DeployPlan, next: DeployPlan): PlanChange[] {
  const out: PlanChange[] = [];
  const prevFns = new Map(prev.functions.map((f) => [f.name, f]));
  const nextFns = new Map(next.functions.map((f) => [f.name, f]));
  for (const f of next.functions) {
    const p = prevFns.get(f.name);
    if (!p) out.push({ kind: 'function', name: f.name, change: 'added', detail: `new function (${f.runtime}, ${f.memory} MB, ${f.timeout} s)` });
    else {
      const d = fnChanges(p, f);
      if (d.length) out.push({ kind: 'function', name: f.name, change: 'changed', detail: d.join('; ') });
    }
  }
  for (const f of prev.functions) {
    if (!nextFns.has(f.name)) out.push({ kind: 'function', name: f.name, change: 'removed', detail: 'no longer in the code; the deploy leaves the cloud function in place' });
  }
  const prevColls = new Map(prev.collections.map((c) => [c.name, c]));
  const nextColls = new Map(next.collections.map((c) => [c.name, c]));
  for (const c of next.collections) {
    const p = prevColls.get(c.name);
    if (!p) {
      out.push({ kind: 'collection', name: c.name, change: 'added', detail: `created, with ${c.indexes.length} index(es)` });
      continue;
    }
    const had = new Set(p.indexes.map((i) => i.name));
    const has = new Set(c.indexes.map((i) => i.name));
    for (const i of c.indexes) if (!had.has(i.name)) out.push({ kind: 'index', name: `${c.name}.${i.name}`, change: 'added', detail: `on ${i.fields.join(', ')}` });
    for (const i of p.indexes)
      if (!has.has(i.name)) out.push({ kind: 'index', name: `${c.name}.${i.name}`, change: 'removed', detail: 'no longer used; never dropped by the deploy' });
  }
  for (const c of prev.collections) {
    if (!nextColls.has(c.name)) out.push({ kind: 'collection', name: c.name, change: 'removed', detail: 'no longer used; never dropped by the deploy' });
  }
  return out;
}
