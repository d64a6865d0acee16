import type { JobDefinition } from './scheduler';
import { createTokenRefreshJob, type TokenRefresher } from '../channel-wecom/token-refresh';
import { createInboxSweepJob, type InboxContext } from '../channel-wecom/inbox';
import { createHandoffNotifyJob } from '../conversations/handoff-notify';
import { expireWaitingJob } from '../conversations/expire-waiting';
import { createResumeAiJob } from '../conversations/resume-ai';
import { kvPruneJob } from './kv-prune';
import { createDailyReportJob } from '../reports/daily-job';
import { createAlertJob } from '../alerts/jobs';
import { createMonthlyReportJob, createWeeklyReportJob } from '../reports/period-job';
import type { ChartRenderer } from '../../ports/chart';
import { createRobotSendJob } from '../reports/robot';
import type { SuggestionWriter } from '../reports/monthly-model';
import { createTagBatchJob, createTagNightlyJob, createTagSweepJob, createTagSyncJob } from '../tags/jobs';
import { createCampaignSendJob, createCampaignTrackJob } from '../campaigns/jobs';
import { createFollowupJob } from '../followups/jobs';

/** What the jobs that talk to WeCom need from the composition root. */
export interface JobsEnv extends Omit<InboxContext, 'deps'> {
  tokens: TokenRefresher;
  /** The weekly report's chart: wired only where it renders (host, CLI, the scheduler function). */
  charts?: ChartRenderer;
  /** The monthly suggestions by the model: wired only when a model is configured. */
  suggestions?: SuggestionWriter;
}

/** Every scheduled job the product runs, in one list; later features add theirs here. */
export function allJobs(env: JobsEnv): JobDefinition[] {
  const { tokens, charts, suggestions, ...inbox } = env;
  return [
    expireWaitingJob,
    kvPruneJob,
    createTokenRefreshJob(tokens),
    createInboxSweepJob(inbox),
    createHandoffNotifyJob({ wecom: inbox.wecom, appUrl: inbox.appUrl }),
    createResumeAiJob(inbox),
    createDailyReportJob({ wecom: inbox.wecom, appUrl: inbox.appUrl, subscribe: inbox.subscribe }),
    createAlertJob({ wecom: inbox.wecom, appUrl: inbox.appUrl, subscribe: inbox.subscribe }),
    createWeeklyReportJob({ wecom: inbox.wecom, appUrl: inbox.appUrl, subscribe: inbox.subscribe, charts }),
    createMonthlyReportJob({ wecom: inbox.wecom, appUrl: inbox.appUrl, subscribe: inbox.subscribe, ...(suggestions ? { suggestions } : {}) }),
    createRobotSendJob(inbox.wecom),
    createTagNightlyJob(inbox.wecom),
    createTagSyncJob(inbox.wecom),
    createTagSweepJob(inbox.wecom),
    createTagBatchJob(inbox.wecom),
    createCampaignSendJob(inbox.wecom),
    createCampaignTrackJob(inbox.wecom),
    createFollowupJob(inbox),
  ];
}
