import { createKeyedLimiter } from '@xiaoer/shared/usecases/lib/keyed-limiter';
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
import type { ChartRenderer } from '@xiaoer/shared/ports/chart';
import type { JobDefinition } from '@xiaoer/shared/usecases/scheduling/scheduler';
import { allJobs } from '@xiaoer/shared/usecases/scheduling/jobs';
import type { ReceiveContext } from '@xiaoer/shared/usecases/channel-wecom/receive';
import { callbackCodec } from './wecom/callback-codec';
import { nodeTimers } from './timers';
import { createTokenStore } from './wecom/token-store';
import { createWecomApi } from './wecom/api-client';
import { createSetupProbe } from './wecom/setup-probe';
import type { SetupProbe } from '@xiaoer/shared/ports/setup-probe';
import { parseWecomXml } from './wecom/xml';
import path from 'node:path';
import { createDbMediaStore, createFileMediaStore } from './media/media-stores';
import { createAnswerer } from './answering';
import { createDrafter, createMonthlyWriter } from './suggestions';
import type { FollowupDrafter } from '@xiaoer/shared/usecases/followups/draft';
import type { ParseXml } from '@xiaoer/shared/usecases/channel-wecom/inbox';
import { parseSubscribeFields, type SubscribeEnv } from '@xiaoer/shared/usecases/reports/subscribe-data';
import { createCloudSubscribeSender, createSandboxSubscribeSender, wxServerOpenapi } from './wecom/subscribe-sender';
import { withChangeFeed } from '@xiaoer/shared/usecases/conversations/changes';

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
  /** What receiving and processing WeCom callbacks needs: the client, the answer engine, the codec. */
  inbox: ReceiveContext;
  /** Follow-up texts drafted by the model; absent without a model (the default texts stand). */
  drafter?: FollowupDrafter;
  /** The setup doctor's live probe (gettoken, the callback round trip), on the same WeCom base as `wecom`. */
  probe: SetupProbe;
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
  /** The weekly report's chart renderer: only the host, CLI and the scheduler function pass one, so ECharts, resvg and the font ship with no other function. */
  charts?: ChartRenderer;
}

export async function createRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const config = opts.config ?? loadConfig();
  const logger = opts.logger ?? createLogger(config.logLevel);
  if (!config.masterKey && config.runtime !== 'local') throw new AppError('CONFIG.MISSING', 'APP_RUNTIME=cloudbase 必须设置 APP_MASTER_KEY');
  const master = config.masterKey ? parseMasterKey(config.masterKey) : loadOrCreateLocalKey(config.dataDir);
  // every conversation and message write also keeps the app's live-update feed (inbox.changes)
  const storage = withChangeFeed(await opts.openStorage(config, logger), opts.clock ?? systemClock, (err) => logger.warn({ err: String(err) }, 'inbox change feed not updated'));
  const deps: Deps = { storage, clock: opts.clock ?? systemClock, secrets: createSecretBox(master), ids: randomIds, timers: nodeTimers, random: Math.random };
  let hostBase = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  // resolved per request: the host learns its port only after listen (PORT=0)
  const wecomBase = () => config.wecom.apiBase || `${hostBase}/sandbox`;
  const timeoutMs = config.wecom.timeoutMs;
  const tokens = createTokenStore({ baseUrl: wecomBase, deps, timeoutMs });
  const wecom = createWecomApi({ baseUrl: wecomBase, deps, tokens, timeoutMs, logger: logger.child({ mod: 'wecom' }) });
  const probe = createSetupProbe({ baseUrl: wecomBase, deps, timeoutMs, target: config.wecom.source === 'sandbox' ? 'sandbox' : 'wecom' });
  const answerer = createAnswerer(config, {
    knowledge: storage.knowledge,
    members: (id) => storage.members.list(id),
    kv: storage.kv,
    clock: deps.clock,
    timers: deps.timers,
    timeZone: async (id) => (await storage.merchants.get(id))?.timezone ?? 'Asia/Shanghai',
    onFallback: ({ merchantId, why }) => logger.warn({ mod: 'llm', merchantId, why }, 'model answer fell back to retrieval'),
  });
  const suggestions = createMonthlyWriter(config, {
    kv: storage.kv,
    clock: deps.clock,
    timers: deps.timers,
    onFallback: ({ merchantId, why, detail }) => logger.warn({ mod: 'llm', merchantId, why, detail }, 'monthly suggestions fell back to the rules'),
  });
  const drafter = createDrafter(config, { kv: storage.kv, clock: deps.clock, timers: deps.timers });
  const media = config.runtime === 'local' ? createFileMediaStore(path.join(config.dataDir, 'media')) : createDbMediaStore(storage.kv, deps.clock);
  // links in handoff notices: the public address when set, else wherever this host listens
  const appUrl = () => config.publicUrl ?? (config.runtime === 'local' ? hostBase : undefined);
  const parseXml = parseWecomXml as ParseXml;
  // the subscribe message (NOT verified against WeChat): the cloud call on CloudBase, the sandbox locally
  const subscribe: SubscribeEnv = {
    sender: config.runtime === 'local' ? createSandboxSubscribeSender({ baseUrl: () => `${hostBase}/sandbox`, timeoutMs }) : createCloudSubscribeSender(wxServerOpenapi),
    templateId: config.subscribe.templateId,
    fields: parseSubscribeFields(config.subscribe.fields),
    miniprogramState: config.subscribe.state,
  };
  const inbox: ReceiveContext = {
    deps,
    wecom,
    answerer,
    media,
    parseXml,
    appUrl,
    subscribe,
    codec: callbackCodec,
    probe,
    log: logger.child({ mod: 'wecom-callback' }),
    maxSkewS: config.wecom.maxSkewS,
    // 8 of one shop's callbacks in work at once (answers include model calls of a few seconds)
    perMerchant: createKeyedLimiter(8),
  };
  return {
    config,
    deps,
    storage,
    sessions: new SessionSigner(master),
    logger,
    wecom,
    jobs: allJobs({ wecom, answerer, media, parseXml, appUrl, subscribe, tokens, charts: opts.charts, ...(suggestions ? { suggestions } : {}) }),
    inbox,
    probe,
    ...(drafter ? { drafter } : {}),
    setHostBaseUrl: (url) => {
      hostBase = url.replace(/\/$/, '');
    },
    close: () => storage.close(),
  };
}
