import { schedulerTick } from '@xiaoer/shared/usecases/scheduling/scheduler';
import type { Runtime } from '../server/composition';
import type { SchedulerResult } from '@xiaoer/shared/contracts/functions';

/** The `scheduler` function, fired every minute by its timer trigger (config.json). */
export async function handleScheduler(rt: Runtime): Promise<SchedulerResult> {
  const report = await schedulerTick(rt.deps, rt.jobs);
  if (report.claimed) rt.logger.info({ report }, 'scheduler tick');
  return report;
}
