import type { Storage } from '@xiaoer/shared/ports/storage';
import { AppError } from '@xiaoer/shared/domain/errors';
import { type Clock, systemClock } from '@xiaoer/shared/domain/time';
import type { Deps } from '@xiaoer/shared/usecases/deps';
import { type Config, loadConfig } from './config';
import { createLogger, type Logger } from './logger';
import { createSecretBox, loadOrCreateLocalKey, parseMasterKey } from './security/secret-box';
import { SessionSigner } from './security/sessions';
import { randomIds } from './ids';

/** Everything a function handler or the host needs, built once from the configuration. */
export interface Runtime {
  config: Config;
  deps: Deps;
  storage: Storage;
  sessions: SessionSigner;
  logger: Logger;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  config?: Config;
  clock?: Clock;
  logger?: Logger;
}

async function openStorage(config: Config): Promise<Storage> {
  if (config.runtime === 'local') {
    // imported here so a CloudBase bundle never pulls in the SQLite driver
    const { openSqliteStorage } = await import('./storage/sqlite');
    return openSqliteStorage(config.dbFile);
  }
  throw new AppError('CONFIG.UNSUPPORTED', 'APP_RUNTIME=cloudbase 的存储适配器还没做好（见 CloudBase 那个 issue），请先用 local');
}

export async function createRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  const config = opts.config ?? loadConfig();
  const logger = opts.logger ?? createLogger(config.logLevel);
  const master = config.masterKey ? parseMasterKey(config.masterKey) : loadOrCreateLocalKey(config.dataDir);
  const storage = await openStorage(config);
  const deps: Deps = { storage, clock: opts.clock ?? systemClock, secrets: createSecretBox(master), ids: randomIds };
  return {
    config,
    deps,
    storage,
    sessions: new SessionSigner(master),
    logger,
    close: () => storage.close(),
  };
}
