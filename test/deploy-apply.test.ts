import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyPlan } from '../scripts/deploy/apply';
import { buildPlan, functionNames, type DeployPlan } from '../scripts/deploy/plan';
import { RUNTIME } from '../cloudfunctions/server/deploy-settings';
import { COLLECTIONS, INDEXES } from '../cloudfunctions/server/storage/cloudbase/collections';
import { DeployRecorder } from './helpers/deploy-recorder';

/**
 * `npm run deploy` against a recording fake of @cloudbase/manager-node: the calls a deploy makes,
 * with their arguments, on a fresh environment, on a second deploy, and on an environment someone
 * set up by hand. The plan is the real one, built from the code over small stand-in bundles (the
 * real bundles are built and measured by the dry-run test).
 */
const repo = path.resolve(__dirname, '..');
const MASTER = 'ab'.repeat(32);
const SHELL = { CLOUDBASE_ENV_ID: 'xiaoer-prod-1a2b', APP_MASTER_KEY: MASTER, PUBLIC_URL: 'https://xiaoer.example.cn' };
let root: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-deploy-'));
  fs.symlinkSync(path.join(repo, 'cloudfunctions'), path.join(root, 'cloudfunctions'));
  for (const fn of functionNames(repo)) {
    fs.mkdirSync(path.join(root, 'build/cloudfunctions', fn), { recursive: true });
    fs.writeFileSync(path.join(root, 'build/cloudfunctions', fn, 'index.js'), `exports.main = async () => '${fn}';\n`);
  }
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const plan = (env: NodeJS.ProcessEnv = SHELL) => buildPlan({ root, env });
const createCalls = (r: DeployRecorder) => r.calls.filter((c) => c.method === 'functions.createFunction').map((c) => (c.args[0] as { func: Record<string, unknown> }).func);

describe('deploy against the recording fake', () => {
  it('creates every function with its settings, trigger, HTTP path and variables, then every collection and index', async () => {
    const p = await plan();
    expect(p.ok).toBe(true);
    const r = new DeployRecorder();
    const report = await applyPlan(p, r, { root, shell: SHELL });

    const fns = createCalls(r);
    expect(fns.map((f) => f.name)).toEqual(functionNames(repo));
    for (const call of r.calls.filter((c) => c.method === 'functions.createFunction')) {
      expect(call.args[0]).toMatchObject({ force: true, deployMode: 'cos', functionRootPath: path.join(root, 'build/cloudfunctions') });
    }
    const byName = Object.fromEntries(fns.map((f) => [f.name, f]));
    for (const f of fns) {
      expect(f).toMatchObject({ runtime: RUNTIME, handler: 'index.main', installDependency: false });
      expect(f.timeout).toBeLessThanOrEqual(60);
      expect(f.envVariables).toEqual({ APP_RUNTIME: 'cloudbase', CLOUDBASE_ENV_ID: SHELL.CLOUDBASE_ENV_ID, APP_MASTER_KEY: MASTER, PUBLIC_URL: SHELL.PUBLIC_URL });
    }
    expect(byName.wecom).toMatchObject({ timeout: 60, path: '/wecom/callback', publicNetConfig: { PublicNetStatus: 'ENABLE', EipConfig: { EipStatus: 'ENABLE' } } });
    expect(byName.webhook).toMatchObject({ path: '/webhook/orders' });
    expect(byName.webhook!.publicNetConfig).toBeUndefined();
    expect(byName.scheduler!.triggers).toEqual([{ name: 'every-minute', type: 'timer', config: '0 * * * * * *' }]);
    expect(byName.api!.triggers).toEqual([]);

    expect([...r.collections.keys()].sort()).toEqual([...COLLECTIONS].sort());
    const indexCalls = r.calls.filter((c) => c.method === 'database.updateCollection');
    expect(indexCalls).toHaveLength(COLLECTIONS.filter((c) => INDEXES[c].length).length);
    expect(indexCalls.find((c) => c.args[0] === 'kv')!.args[1]).toEqual({
      CreateIndexes: [
        { IndexName: 'idx_merchantId_ns_key', MgoKeySchema: { MgoIndexKeys: ['merchantId', 'ns', 'key'].map((Name) => ({ Name, Direction: '1' })), MgoIsUnique: false } },
        { IndexName: 'idx_ns_updatedAt', MgoKeySchema: { MgoIndexKeys: ['ns', 'updatedAt'].map((Name) => ({ Name, Direction: '1' })), MgoIsUnique: false } },
      ],
    });
    expect(report.egressIps).toEqual(['203.0.113.7']);
    expect(report.functions.every((f) => f.action === 'created')).toBe(true);
    expect(report.env).toEqual({ fromShell: ['PUBLIC_URL', 'APP_MASTER_KEY'], keptFromConsole: [] });
  });

  it('a second deploy updates the functions in place and adds no index or collection', async () => {
    const r = new DeployRecorder();
    await applyPlan(await plan(), r, { root, shell: SHELL });
    r.calls = [];
    const report = await applyPlan(await plan(), r, { root, shell: SHELL });
    expect(report.functions.every((f) => f.action === 'updated')).toBe(true);
    expect(r.methods()).not.toContain('database.updateCollection');
    expect(report.collections.every((c) => !c.created && c.indexesCreated.length === 0)).toBe(true);
  });

  it('keeps what the console already holds: variables not set in this shell, unknown ones, and the runtime a function was created with', async () => {
    const r = new DeployRecorder();
    r.seedFunction('wecom', 'Nodejs18.15', { LLM_API_KEY: 'sk-console', APP_MASTER_KEY: 'old', CUSTOM_FLAG: '1' });
    r.collections.set('kv', ['_id_', 'idx_ns_updatedAt', 'manual_index']);
    const report = await applyPlan(await plan(), r, { root, shell: SHELL });

    const wecom = createCalls(r).find((f) => f.name === 'wecom')!;
    expect(wecom.envVariables).toEqual({
      LLM_API_KEY: 'sk-console', // not in this shell: the console value stays
      APP_MASTER_KEY: MASTER, // set in this shell: it wins
      CUSTOM_FLAG: '1', // someone's own variable survives the deploy
      PUBLIC_URL: SHELL.PUBLIC_URL,
      APP_RUNTIME: 'cloudbase',
      CLOUDBASE_ENV_ID: SHELL.CLOUDBASE_ENV_ID,
    });
    expect(report.env.keptFromConsole).toEqual(['LLM_API_KEY']);
    expect(report.functions.find((f) => f.name === 'wecom')).toMatchObject({ action: 'updated', runtime: 'Nodejs18.15', note: expect.stringContaining('cannot change') });
    // only the missing index is created; the hand-made one is left alone
    const kv = r.calls.find((c) => c.method === 'database.updateCollection' && c.args[0] === 'kv')!;
    expect((kv.args[1] as { CreateIndexes: { IndexName: string }[] }).CreateIndexes.map((i) => i.IndexName)).toEqual(['idx_merchantId_ns_key']);
    expect(r.collections.get('kv')).toEqual(['_id_', 'idx_ns_updatedAt', 'manual_index', 'idx_merchantId_ns_key']);
  });

  it('stops before changing anything when a required variable is nowhere', async () => {
    const shell = { CLOUDBASE_ENV_ID: 'xiaoer-prod-1a2b', PUBLIC_URL: 'https://xiaoer.example.cn' };
    const r = new DeployRecorder();
    await expect(applyPlan(await plan(shell), r, { root, shell })).rejects.toThrow(/APP_MASTER_KEY/);
    expect(new Set(r.methods())).toEqual(new Set(['functions.getFunctionDetail']));
  });

  it('deploys nothing from a plan with problems, or without an environment', async () => {
    const bad: DeployPlan = { ...(await plan()), problems: ['api: too big'], ok: false };
    const r = new DeployRecorder();
    await expect(applyPlan(bad, r, { root, shell: SHELL })).rejects.toThrow(/too big/);
    await expect(applyPlan(await plan({ ...SHELL, CLOUDBASE_ENV_ID: '' }), r, { root, shell: SHELL })).rejects.toThrow(/CLOUDBASE_ENV_ID/);
    expect(r.calls).toEqual([]);
  });
});
