import type { Storage } from '@xiaoer/shared/ports/storage';
import { AppError } from '@xiaoer/shared/domain/errors';
import { type Clock, systemClock } from '@xiaoer/shared/domain/time';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { type Config, loadConfig } from './config';
import { createLogger, type Logger } from './logger';
import { createSecretBox, loadOrCreateLocalKey, parseMasterKey } from './security/secret-box';
import { SessionSigner } from './security/sessions';
import { randomIds } from './ids';
import type { WecomApi } from '@xiaoer/shared/ports/wecom';
import type { JobDefinition } from '@xiaoer/shared/usecases/scheduling/scheduler';
import { JOBS } from '@xiaoer/shared/usecases/scheduling/jobs';
import { createTokenRefreshJob } from '@xiaoer/shared/usecases/channel-wecom/token-refresh';
import { createTokenStore } from './wecom/token-store';
import { createWecomApi } from './wecom/api-client';
import { parseWecomXml } from './wecom/xml';
import path from 'node:path';
import { createDbMediaStore, createFileMediaStore } from './media/media-stores';
import { createEngineAnswerer } from '@xiaoer/shared/usecases/answer/answerer';
import { createModelAnswerer } from '@xiaoer/shared/usecases/answer/model';
import { createOpenAIChatModel } from './llm/openai-model';
import { createHandoffNotifyJob } from '@xiaoer/shared/usecases/conversations/handoff-notify';
import { createInboxSweepJob, type InboxContext, type ParseXml } from '@xiaoer/shared/usecases/channel-wecom/inbox';

/** Everything a function handler or the host needs, built once from the configuration. */
export interface Runtime {
  config: Config;
  deps: Deps;
  storage: Storage;
  sessions: SessionSigner;
  logger: Logger;
  /** The WeCom API (WECOM_API_BASE, or locally the host's own /sandbox). */
  wecom: WecomApi;
  /** Every scheduled job, the platform ones included. */
  jobs: JobDefinition[];
  /** What processing a stored WeCom callback needs: the client, the answer engine, the parser. */
  inbox: InboxContext;
  /** The local host tells the runtime where it listens (its sandbox is the local WeCom). */
  setHostBaseUrl(url: string): void;
  close(): Promise<void>;
}

export type OpenStorage = (config: Config, logger: Logger) => Promise<Storage>;

export interface RuntimeOptions {
  config?: Config;
  clock?: Clock;
  logger?: Logger;
  /**
   * Which storage adapters this build can open. The host and CLI pass both (runtime-host.ts);
   * cloud function bundles pass only CloudBase (runtime-cloud.ts), so SQLite never ships there.
   */
  openStorage: OpenStorage;
}

export async function createRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const config = opts.config ?? loadConfig();
  const logger = opts.logger ?? createLogger(config.logLevel);
  if (!config.masterKey && config.runtime !== 'local') throw new AppError('CONFIG.MISSING', 'APP_RUNTIME=cloudbase 必须设置 APP_MASTER_KEY');
  const master = config.masterKey ? parseMasterKey(config.masterKey) : loadOrCreateLocalKey(config.dataDir);
  const storage = await opts.openStorage(config, logger);
  const deps: Deps = { storage, clock: opts.clock ?? systemClock, secrets: createSecretBox(master), ids: randomIds, random: Math.random };
  let hostBase = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  // resolved per request: the host learns its port only after listen (PORT=0)
  const wecomBase = () => config.wecom.apiBase || `${hostBase}/sandbox`;
  const timeoutMs = config.wecom.timeoutMs;
  const tokens = createTokenStore({ baseUrl: wecomBase, deps, timeoutMs });
  const wecom = createWecomApi({ baseUrl: wecomBase, deps, tokens, timeoutMs, logger: logger.child({ mod: 'wecom' }) });
  // the offline engine always; the model on top when LLM_API_KEY is set, within each shop's budget
  const offline = createEngineAnswerer(storage.knowledge);
  const answerer =
    config.llm.enabled && config.llm.apiKey
      ? createModelAnswerer({
          knowledge: storage.knowledge,
          // no SDK retry: one attempt within the timeout, then the offline answer
          model: createOpenAIChatModel({ apiKey: config.llm.apiKey, baseURL: config.llm.baseUrl, model: config.llm.model, maxRetries: 0, stream: config.llm.stream }),
          offline,
          kv: storage.kv,
          clock: deps.clock,
          pricePerMTokFen: config.llm.priceFenPerMTok,
          monthlyBudgetFen: config.llm.monthlyBudgetFen,
          timeoutMs: config.llm.timeoutMs,
          timeZone: async (id: string) => (await storage.merchants.get(id))?.timezone ?? 'Asia/Shanghai',
          onFallback: ({ merchantId, why }: { merchantId: string; why: string }) => logger.warn({ mod: 'llm', merchantId, why }, 'model answer fell back to retrieval'),
        })
      : offline;
  const media = config.runtime === 'local' ? createFileMediaStore(path.join(config.dataDir, 'media')) : createDbMediaStore(storage.kv, deps.clock);
  // links in handoff notices: the public address when set, else wherever this host listens
  const appUrl = () => config.publicUrl ?? (config.runtime === 'local' ? hostBase : undefined);
  const inbox: InboxContext = { deps, wecom, answerer, media, parseXml: parseWecomXml as ParseXml, appUrl };
  return {
    config,
    deps,
    storage,
    sessions: new SessionSigner(master),
    logger,
    wecom,
    jobs: [...JOBS, createTokenRefreshJob(tokens), createInboxSweepJob({ wecom, answerer, media, parseXml: inbox.parseXml, appUrl }), createHandoffNotifyJob({ wecom, appUrl })],
    inbox,
    setHostBaseUrl: (url) => {
      hostBase = url.replace(/\/$/, '');
    },
    close: () => storage.close(),
  };
}
