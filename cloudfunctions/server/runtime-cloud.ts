import { AppError } from '@xiaoer/shared/domain/errors';
import { createRuntime, type Runtime, type RuntimeOptions } from './composition';
import { loadConfig } from './config';
import { openCloudbaseStorage } from './storage/cloudbase';

let shared: Promise<Runtime> | undefined;

/**
 * The runtime of a deployed cloud function: CloudBase storage only, built once per warm
 * instance and reused across invocations. A failed start is not cached. `extra` is read by the
 * first call: each function is its own deployment, so only the scheduler passes a chart renderer.
 */
export function cloudRuntime(extra: Pick<RuntimeOptions, 'charts'> = {}): Promise<Runtime> {
  shared ??= (async () => {
    const config = loadConfig();
    if (config.runtime !== 'cloudbase') throw new AppError('CONFIG.INVALID', '云函数里必须设置 APP_RUNTIME=cloudbase');
    return createRuntime({ ...extra, config, openStorage: openCloudbaseStorage });
  })().catch((err) => {
    shared = undefined;
    throw err;
  });
  return shared;
}
