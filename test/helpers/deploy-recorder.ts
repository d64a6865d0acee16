import fs from 'node:fs';
import path from 'node:path';
import type { CloudFunctionSpec, DeployTarget, FunctionDetail } from '../../scripts/deploy/apply';

/**
 * A recording fake of the @cloudbase/manager-node calls a deploy makes: it keeps the environment's
 * state (functions with their settings and variables, collections with their indexes), answers
 * as the real API does where the deploy depends on it (a missing function is
 * `ResourceNotFound.Function`; the runtime of an existing one never changes; createFunction needs
 * the code folder to exist), and records every call with its arguments.
 */
export interface RecordedCall {
  method: string;
  args: unknown[];
}

interface FakeFunction {
  spec: CloudFunctionSpec;
  runtime: string;
  files: string[];
  eip: string[];
}

export class DeployRecorder implements DeployTarget {
  calls: RecordedCall[] = [];
  fns = new Map<string, FakeFunction>();
  collections = new Map<string, string[]>();

  constructor(private readonly eip = '203.0.113.7') {}

  /** An environment that already has this function, set up by hand in the console. */
  seedFunction(name: string, runtime: string, vars: Record<string, string>) {
    this.fns.set(name, {
      spec: { name, handler: 'index.main', runtime, timeout: 3, memorySize: 256, installDependency: true, envVariables: vars, triggers: [] },
      runtime,
      files: [],
      eip: [],
    });
  }

  functions = {
    getFunctionDetail: async (name: string): Promise<FunctionDetail> => {
      this.calls.push({ method: 'functions.getFunctionDetail', args: [name] });
      const f = this.fns.get(name);
      if (!f) throw Object.assign(new Error(`[${name}] 函数不存在`), { code: 'ResourceNotFound.Function' });
      return {
        Runtime: f.runtime,
        Environment: { Variables: Object.entries(f.spec.envVariables).map(([Key, Value]) => ({ Key, Value })) },
        PublicNetConfig: { EipConfig: { EipAddress: f.eip } },
      };
    },
    createFunction: async (p: Parameters<DeployTarget['functions']['createFunction']>[0]) => {
      this.calls.push({ method: 'functions.createFunction', args: [structuredClone(p)] });
      const dir = path.join(p.functionRootPath, p.func.name);
      if (!fs.existsSync(path.join(dir, 'index.js'))) throw Object.assign(new Error(`找不到函数代码 ${dir}`), { code: 'InvalidParameter.Code' });
      const existing = this.fns.get(p.func.name);
      if (existing && !p.force) throw Object.assign(new Error(`[${p.func.name}] 部署失败`), { code: 'ResourceInUse.Function' });
      this.fns.set(p.func.name, {
        spec: p.func,
        runtime: existing?.runtime ?? p.func.runtime,
        files: fs.readdirSync(dir, { recursive: true }).map(String).sort(),
        eip: p.func.publicNetConfig ? [this.eip] : [],
      });
      return { RequestId: `req-${this.calls.length}` };
    },
  };

  database = {
    createCollectionIfNotExists: async (name: string) => {
      this.calls.push({ method: 'database.createCollectionIfNotExists', args: [name] });
      const created = !this.collections.has(name);
      if (created) this.collections.set(name, ['_id_']);
      return { IsCreated: created };
    },
    describeCollection: async (name: string) => {
      this.calls.push({ method: 'database.describeCollection', args: [name] });
      const idx = this.collections.get(name);
      if (!idx) throw Object.assign(new Error(`集合 ${name} 不存在`), { code: 'ResourceNotFound.Table' });
      return { Indexes: idx.map((Name) => ({ Name })) };
    },
    updateCollection: async (name: string, info: Parameters<DeployTarget['database']['updateCollection']>[1]) => {
      this.calls.push({ method: 'database.updateCollection', args: [name, structuredClone(info)] });
      const idx = this.collections.get(name);
      if (!idx) throw Object.assign(new Error(`集合 ${name} 不存在`), { code: 'ResourceNotFound.Table' });
      for (const c of info.CreateIndexes) if (!idx.includes(c.IndexName)) idx.push(c.IndexName);
      return {};
    },
  };

  methods(): string[] {
    return this.calls.map((c) => c.method);
  }
}
