import type { WecomApi } from '../../ports/wecom';
import type { JobDefinition } from '../scheduling/scheduler';
import { sendCampaign } from './send';
import { SEND_KIND, TRACK_KIND } from './store';
import { trackCampaign } from './track';

/** `campaign:send:<merchant>:<campaign>`, booked by 确认发送 for its send time; never planned here. */
export function createCampaignSendJob(wecom: WecomApi): JobDefinition {
  return {
    kind: SEND_KIND,
    when: 'booked by a scheduled or started campaign',
    plan: () => [],
    run: (job, deps) => sendCampaign({ deps, wecom }, job.merchantId, campaignIdOf(job.key, 3)),
  };
}

/** `campaign:track:<merchant>:<campaign>:<n>`: each look books the next while the campaign is sending. */
export function createCampaignTrackJob(wecom: WecomApi): JobDefinition {
  return {
    kind: TRACK_KIND,
    when: 'booked every 10 minutes while a campaign is sending',
    plan: () => [],
    run: (job, deps) => {
      const parts = job.key.split(':');
      return trackCampaign({ deps, wecom }, job.merchantId, parts[3]!, Number(parts[4]));
    },
  };
}

const campaignIdOf = (key: string, at: number) => key.split(':')[at]!;
