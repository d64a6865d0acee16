import type { DeployPlan } from './plan';

const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;

/** The plan for a person: one block per function, the collections, then what needs a hand. */
export function describePlan(p: DeployPlan): string {
  const lines: string[] = [];
  lines.push(`CloudBase deploy plan — environment ${p.envId ?? '(CLOUDBASE_ENV_ID not set)'}, runtime ${p.runtime}, upload by ${p.upload}`);
  for (const f of p.functions) {
    lines.push('');
    lines.push(`${f.name} — ${f.role}`);
    lines.push(`  ${f.memory} MB, timeout ${f.timeout} s, code ${kb(f.bundle.bytes)} (zip ${kb(f.bundle.zipBytes)})${f.fixedEgressIp ? ', fixed egress IP' : ''}`);
    if (f.httpPath) lines.push(`  HTTP access: ${f.httpPath}/<店铺 ID>`);
    if (f.trigger) lines.push(`  timer ${f.trigger.name}: ${f.trigger.cron} (${f.trigger.timeZone}); runs ${f.jobs.length} jobs: ${f.jobs.map((j) => j.kind).join(', ')}`);
    if (f.permissions.openapi.length) lines.push(`  cloud calls: ${f.permissions.openapi.join(', ')}`);
  }
  const env = p.functions[0]?.env ?? [];
  lines.push('');
  lines.push(
    `env variables (names only): ${env.map((e) => `${e.name}${e.secret ? ' (secret)' : ''}${e.source === 'platform' ? ' (from CloudBase)' : e.set ? '' : ' (not set here)'}`).join(', ')}`,
  );
  lines.push(`collections: ${p.collections.length}, indexes: ${p.collections.reduce((n, c) => n + c.indexes.length, 0)} (created when missing, never dropped)`);
  if (p.changes) {
    lines.push('');
    lines.push(p.changes.length ? 'changes since the previous plan:' : 'no changes since the previous plan');
    for (const c of p.changes) lines.push(`  ${c.change} ${c.kind} ${c.name}: ${c.detail}`);
  }
  if (p.manual.length) {
    lines.push('');
    lines.push('by hand:');
    for (const m of p.manual) lines.push(`  - ${m}`);
  }
  for (const w of p.warnings) lines.push(`warning: ${w}`);
  for (const x of p.problems) lines.push(`PROBLEM: ${x}`);
  lines.push('');
  lines.push(p.ok ? 'plan ok' : `plan FAILED (${p.problems.length} problem${p.problems.length > 1 ? 's' : ''})`);
  return lines.join('\n');
}
