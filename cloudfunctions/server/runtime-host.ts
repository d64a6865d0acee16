import { createChartRenderer } from './charts/renderer';
import { createRuntime, type OpenStorage, type Runtime, type RuntimeOptions } from './composition';

/** Storage for the local host and CLI: SQLite by default, CloudBase when APP_RUNTIME=cloudbase. */
export const openAnyStorage: OpenStorage = async (config, logger) => {
  if (config.runtime === 'local') {
    const { openSqliteStorage } = await import('./storage/sqlite');
    return openSqliteStorage(config.dbFile, { checkpointInBackground: true });
  }
  const { openCloudbaseStorage } = await import('./storage/cloudbase');
  return openCloudbaseStorage(config, logger);
};

export function createHostRuntime(opts: Omit<RuntimeOptions, 'openStorage'> = {}): Promise<Runtime> {
  return createRuntime({ charts: createChartRenderer(), ...opts, openStorage: openAnyStorage });
}
