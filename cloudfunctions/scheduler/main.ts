import { cloudRuntime } from '../server/runtime-cloud';
import { chartSelfCheck, isChartCheck } from '../server/charts/self-check';
import { createChartRenderer } from '../server/charts/renderer';
import { handleScheduler } from '.';

/**
 * CloudBase entry of `scheduler`, fired by the timer trigger in config.json. Invoked by hand
 * with `{"check":"chart"}` it draws the sample chart instead (deploy check: binary and font).
 */
export async function main(event?: unknown) {
  if (isChartCheck(event)) return chartSelfCheck();
  return handleScheduler(await cloudRuntime({ charts: createChartRenderer() }));
}
