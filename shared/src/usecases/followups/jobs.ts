import { afterQuietHours, marketingSettingsOf } from '../../domain/marketing-settings';
import { addDays, dayOf } from '../../domain/time';
import type { NewJob } from '../../ports/storage';
import type { InboxContext } from '../channel-wecom/inbox';
import type { JobDefinition } from '../scheduling/scheduler';
import { followupStart, runFollowups } from './run';

export const FOLLOWUP_KIND = 'followups.daily';
export const followupKey = (merchantId: string, day: string) => `followups:${merchantId}:${day}`;

/** The day's follow-ups at 10:00 on the shop's clock (later if the owner's quiet hours cover it), once per shop and day. */
export function createFollowupJob(ctx: Omit<InboxContext, 'deps'>): JobDefinition {
  return {
    kind: FOLLOWUP_KIND,
    when: "daily 10:00 in each shop's time zone, after its quiet hours",
    plan(now, merchants) {
      const out: NewJob[] = [];
      for (const m of merchants) {
        let day = dayOf(now, m.timezone);
        const at = (d: string) => afterQuietHours(followupStart(d, m.timezone), marketingSettingsOf(m).quietHours, m.timezone);
        if (at(day) > now) day = addDays(day, -1);
        if (at(day) < m.createdAt) continue;
        out.push({ key: followupKey(m.id, day), merchantId: m.id, kind: FOLLOWUP_KIND, runAt: at(day), maxAttempts: 4 });
      }
      return out;
    },
    run: (job, deps) => runFollowups({ ...ctx, deps }, job.merchantId, job.key.split(':')[2]!),
  };
}
