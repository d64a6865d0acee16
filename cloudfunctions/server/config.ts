import path from 'node:path';
import { z } from 'zod';
import { AppError } from '@xiaoer/shared/domain/errors';
import { repoRoot } from './root';

/**
 * Every setting the backend reads, in one place (the README's settings table mirrors it).
 * Read once by the composition root; nothing else touches process.env.
 */
const Env = z.object({
  APP_RUNTIME: z.enum(['local', 'cloudbase']).default('local'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  PUBLIC_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('.data'),
  APP_MASTER_KEY: z.string().optional(),
  WECOM_API_BASE: z.string().url().optional(),
  WECOM_MAX_SKEW_S: z.coerce.number().int().min(0).default(300),
  WECOM_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  LLM_BASE_URL: z.string().url().default('https://api.deepseek.com/v1'),
  LLM_API_KEY: z.string().optional(),
  LLM_MODEL: z.string().default('deepseek-chat'),
  LLM_PRICE_INPUT_FEN_PER_MTOK: z.coerce.number().nonnegative().default(200),
  LLM_PRICE_OUTPUT_FEN_PER_MTOK: z.coerce.number().nonnegative().default(800),
  LLM_MONTHLY_BUDGET_FEN: z.coerce.number().int().nonnegative().default(5000),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(500).max(60_000).default(8000),
  LLM_STREAM: z
    .string()
    .toLowerCase()
    .pipe(z.enum(['0', '1', 'true', 'false']))
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SEED_DEMO: z.enum(['0', '1']).optional(),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(3 * 1024 * 1024),
  CLOUDBASE_ENV_ID: z.string().optional(),
  TENCENTCLOUD_SECRETID: z.string().optional(),
  TENCENTCLOUD_SECRETKEY: z.string().optional(),
  TENCENTCLOUD_SESSIONTOKEN: z.string().optional(),
  CLOUDBASE_SERVICE_URL: z.string().url().optional(),
  // the mini-program subscribe message (NOT verified against WeChat): the report template chosen in the mini-program console
  WX_SUBSCRIBE_TEMPLATE_REPORT: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,128}$/)
    .optional(),
  WX_SUBSCRIBE_REPORT_FIELDS: z.string().default('thing1:title,time2:time,amount3:amount,thing4:summary'),
  WX_MINIPROGRAM_STATE: z.enum(['developer', 'trial', 'formal']).default('formal'),
});

/**
 * Where each setting comes from on CloudBase, for `npm run deploy` (which lists names, never
 * values): `deploy` — set by the deploy itself; `environment` — taken from the deploying shell when
 * set there, else the value already in the CloudBase console is kept; `platform` — CloudBase gives
 * each function its role's temporary keys; `local` — the local host only. Typed over every key, so
 * a new setting cannot be left out of the plan.
 */
export const ENV_SOURCES: Record<keyof typeof Env.shape, 'deploy' | 'environment' | 'platform' | 'local'> = {
  APP_RUNTIME: 'deploy',
  CLOUDBASE_ENV_ID: 'deploy',
  HOST: 'local',
  PORT: 'local',
  DATA_DIR: 'local',
  SEED_DEMO: 'local',
  CLOUDBASE_SERVICE_URL: 'local',
  TENCENTCLOUD_SECRETID: 'platform',
  TENCENTCLOUD_SECRETKEY: 'platform',
  TENCENTCLOUD_SESSIONTOKEN: 'platform',
  PUBLIC_URL: 'environment',
  APP_MASTER_KEY: 'environment',
  WECOM_API_BASE: 'environment',
  WECOM_MAX_SKEW_S: 'environment',
  WECOM_TIMEOUT_MS: 'environment',
  LLM_BASE_URL: 'environment',
  LLM_API_KEY: 'environment',
  LLM_MODEL: 'environment',
  LLM_PRICE_INPUT_FEN_PER_MTOK: 'environment',
  LLM_PRICE_OUTPUT_FEN_PER_MTOK: 'environment',
  LLM_MONTHLY_BUDGET_FEN: 'environment',
  LLM_TIMEOUT_MS: 'environment',
  LLM_STREAM: 'environment',
  LOG_LEVEL: 'environment',
  BODY_LIMIT_BYTES: 'environment',
  WX_SUBSCRIBE_TEMPLATE_REPORT: 'environment',
  WX_SUBSCRIBE_REPORT_FIELDS: 'environment',
  WX_MINIPROGRAM_STATE: 'environment',
};
/** Values never printed, logged or written to a plan. */
export const SECRET_ENV: ReadonlySet<string> = new Set(['APP_MASTER_KEY', 'LLM_API_KEY', 'TENCENTCLOUD_SECRETID', 'TENCENTCLOUD_SECRETKEY', 'TENCENTCLOUD_SESSIONTOKEN']);
/** A CloudBase function cannot serve without these (links in pushes and callback URLs need PUBLIC_URL). */
export const REQUIRED_CLOUD_ENV: readonly string[] = ['APP_MASTER_KEY', 'PUBLIC_URL'];

export interface Config {
  runtime: 'local' | 'cloudbase';
  host: string;
  port: number;
  publicUrl: string | undefined;
  dataDir: string;
  dbFile: string;
  masterKey: string | undefined;
  wecom: { apiBase: string; source: 'sandbox' | 'env' | 'wecom'; maxSkewS: number; timeoutMs: number };
  llm: {
    enabled: boolean;
    baseUrl: string;
    apiKey: string | undefined;
    model: string;
    priceFenPerMTok: { input: number; output: number };
    monthlyBudgetFen: number;
    timeoutMs: number;
    stream: boolean;
  };
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  seedDemo: boolean;
  bodyLimitBytes: number;
  cloudbase: { envId?: string; secretId?: string; secretKey?: string; sessionToken?: string; serviceUrl?: string };
  /** The report template of the subscribe message; locally a sandbox one by default, on CloudBase none until set. */
  subscribe: { templateId: string | undefined; fields: string; state: 'developer' | 'trial' | 'formal' };
}

/** The local default template id: the sandbox takes any id, so a fresh clone can subscribe and push. */
export const SANDBOX_SUBSCRIBE_TEMPLATE = 'sandbox-report-template';

/** Empty strings count as unset: `FOO= npm start` must not switch anything on. */
function clean(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== ''));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(clean(env));
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new AppError('CONFIG.INVALID', `配置有误：${i?.path.join('.')} ${i?.message}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(repoRoot(), e.DATA_DIR);
  const local = e.APP_RUNTIME === 'local';
  // ARCHITECTURE §1: only these explicit rules pick adapters.
  const wecomSource = e.WECOM_API_BASE ? 'env' : local ? 'sandbox' : 'wecom';
  const apiBase = e.WECOM_API_BASE ?? (local ? '' : 'https://qyapi.weixin.qq.com');
  if (!local) {
    const missing = [
      ['CLOUDBASE_ENV_ID', e.CLOUDBASE_ENV_ID],
      ['TENCENTCLOUD_SECRETID', e.TENCENTCLOUD_SECRETID],
      ['TENCENTCLOUD_SECRETKEY', e.TENCENTCLOUD_SECRETKEY],
      ['APP_MASTER_KEY', e.APP_MASTER_KEY],
    ].filter(([, v]) => !v);
    if (missing.length) {
      throw new AppError('CONFIG.MISSING', `APP_RUNTIME=cloudbase 还缺这些设置：${missing.map(([k]) => k).join(', ')}`);
    }
  }
  return {
    runtime: e.APP_RUNTIME,
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
    dataDir,
    dbFile: path.join(dataDir, 'xiaoer.db'),
    masterKey: e.APP_MASTER_KEY,
    wecom: { apiBase, source: wecomSource, maxSkewS: e.WECOM_MAX_SKEW_S, timeoutMs: e.WECOM_TIMEOUT_MS },
    llm: {
      enabled: Boolean(e.LLM_API_KEY),
      baseUrl: e.LLM_BASE_URL,
      apiKey: e.LLM_API_KEY,
      model: e.LLM_MODEL,
      priceFenPerMTok: { input: e.LLM_PRICE_INPUT_FEN_PER_MTOK, output: e.LLM_PRICE_OUTPUT_FEN_PER_MTOK },
      monthlyBudgetFen: e.LLM_MONTHLY_BUDGET_FEN,
      timeoutMs: e.LLM_TIMEOUT_MS,
      stream: e.LLM_STREAM === '1' || e.LLM_STREAM === 'true',
    },
    logLevel: e.LOG_LEVEL,
    seedDemo: local && e.SEED_DEMO !== '0',
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    cloudbase: {
      envId: e.CLOUDBASE_ENV_ID,
      secretId: e.TENCENTCLOUD_SECRETID,
      secretKey: e.TENCENTCLOUD_SECRETKEY,
      sessionToken: e.TENCENTCLOUD_SESSIONTOKEN,
      serviceUrl: e.CLOUDBASE_SERVICE_URL,
    },
    subscribe: {
      templateId: e.WX_SUBSCRIBE_TEMPLATE_REPORT ?? (local ? SANDBOX_SUBSCRIBE_TEMPLATE : undefined),
      fields: e.WX_SUBSCRIBE_REPORT_FIELDS,
      state: e.WX_MINIPROGRAM_STATE,
    },
  };
}

/** One line per choice, printed at start; never a secret. */
export function describeConfig(c: Config, listenUrl?: string): string[] {
  return [
    `runtime: ${c.runtime} (storage: ${c.runtime === 'local' ? `SQLite ${c.dbFile}` : `CloudBase env ${c.cloudbase.envId}`})`,
    `wecom api: ${c.wecom.source === 'sandbox' ? `built-in sandbox${listenUrl ? ` at ${listenUrl}/sandbox` : ''}` : c.wecom.apiBase} (freshness window ${c.wecom.maxSkewS || 'off'}${c.wecom.maxSkewS ? ' s' : ''})`,
    `answers: ${c.llm.enabled ? `model ${c.llm.model} at ${c.llm.baseUrl} (budget ${c.llm.monthlyBudgetFen / 100} 元 per shop per month, then retrieval only)` : 'retrieval only (LLM_API_KEY not set)'}`,
    `secrets at rest: ${c.masterKey ? 'APP_MASTER_KEY' : `local key file ${path.join(c.dataDir, 'master.key')}`}`,
    `demo shop: ${c.seedDemo ? 'seeded on first start' : 'off'}`,
  ];
}
