import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Every dependency rule must be able to fail: the violating fixture breaks each one on purpose,
 * and each rule has to report it (a rule whose pattern matches nothing would pass silently).
 */
const ROOT = path.resolve(__dirname, '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const config = require(path.join(ROOT, '.dependency-cruiser.cjs')) as { forbidden: { name: string }[] };

function violatedRules(target: string): Set<string> {
  let out: string;
  try {
    out = execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), '--config', '.dependency-cruiser.cjs', '--output-type', 'json', target],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 },
    );
  } catch (err) {
    // depcruise exits non-zero when it finds violations; its report is still on stdout
    out = (err as { stdout?: string }).stdout ?? '';
    if (!out) throw err;
  }
  const report = JSON.parse(out) as { summary: { violations: { rule: { name: string } }[] } };
  return new Set(report.summary.violations.map((v) => v.rule.name));
}

describe('dependency rules', () => {
  const names = config.forbidden.map((r) => r.name);
  const caught = violatedRules('test/fixtures/depcruise-violation');

  it('has the rules the architecture asks for', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'domain-imports-only-domain',
        'ports-import-only-domain',
        'usecases-import-ports-and-domain',
        'app-imports-contracts-and-domain',
        'production-imports-no-tests-or-fakes',
        'no-circular',
        'sandbox-imports-no-demo',
      ]),
    );
  });

  it.each(names)('%s catches its violation in the fixture', (name) => {
    expect(caught.has(name)).toBe(true);
  });
});

describe('shared/ sees no platform globals', () => {
  const tsc = (project: string) => {
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', project], { cwd: ROOT, encoding: 'utf8' });
      return '';
    } catch (err) {
      return (err as { stdout?: string }).stdout || 'tsc failed without output';
    }
  };

  it('shared/ production code compiles with the language alone (no Node, no DOM)', () => {
    expect(tsc('shared/tsconfig.json')).toBe('');
  }, 60_000);

  it('the fixture that uses setTimeout, TextEncoder, btoa and process fails', () => {
    const out = tsc('test/fixtures/shared-globals/tsconfig.json');
    for (const name of ['setTimeout', 'TextEncoder', 'btoa', 'process']) expect(out).toContain(`Cannot find name '${name}'`);
  }, 60_000);
});
