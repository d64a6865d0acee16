import type { JobDefinition } from './scheduler';
import { expireWaitingJob } from '../conversations/expire-waiting';
import { kvPruneJob } from './kv-prune';

/** Every scheduled job the product runs; later features add theirs here. */
// Not listed: wecom.token-refresh needs the server's token store; the composition root appends createTokenRefreshJob(tokens) (jobs/token-refresh.ts).
export const JOBS: JobDefinition[] = [expireWaitingJob, kvPruneJob];
