import type { JobDefinition } from './scheduler';
import { createTokenRefreshJob, type TokenRefresher } from '../channel-wecom/token-refresh';
import { createInboxSweepJob, type InboxContext } from '../channel-wecom/inbox';
import { createHandoffNotifyJob } from '../conversations/handoff-notify';
import { expireWaitingJob } from '../conversations/expire-waiting';
import { kvPruneJob } from './kv-prune';
import { createDailyReportJob } from '../reports/daily-job';

/** What the jobs that talk to WeCom need from the composition root. */
export interface JobsEnv extends Omit<InboxContext, 'deps'> {
  tokens: TokenRefresher;
}

/** Every scheduled job the product runs, in one list; later features add theirs here. */
export function allJobs(env: JobsEnv): JobDefinition[] {
  const { tokens, ...inbox } = env;
  return [
    expireWaitingJob,
    kvPruneJob,
    createTokenRefreshJob(tokens),
    createInboxSweepJob(inbox),
    createHandoffNotifyJob({ wecom: inbox.wecom, appUrl: inbox.appUrl }),
    createDailyReportJob({ wecom: inbox.wecom, appUrl: inbox.appUrl }),
  ];
}
