import type { JobDefinition } from '../scheduler';
import { expireWaitingJob } from './expire-waiting';

/** Every scheduled job the product runs; later features add theirs here. */
export const JOBS: JobDefinition[] = [expireWaitingJob];
