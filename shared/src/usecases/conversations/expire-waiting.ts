import { changedTo, closeMissed, SESSION_MS } from '../../domain/conversation-state';
import { PLATFORM } from '../../domain/job';
import { slotStart, type JobDefinition } from '../scheduling/scheduler';

export { SESSION_MS };
const EVERY_MS = 5 * 60_000;

/**
 * ARCHITECTURE §3: a conversation waiting for a person that nobody picked up before its 48 h
 * session ran out is marked missed and leaves the 待人工 queue.
 */
export const expireWaitingJob: JobDefinition = {
  kind: 'conversations.expire-waiting',
  when: 'every 5 minutes',
  plan(now) {
    const slot = slotStart(now, EVERY_MS);
    return [{ key: `conversations.expire-waiting:${slot}`, merchantId: PLATFORM, kind: 'conversations.expire-waiting', runAt: slot, maxAttempts: 3 }];
  },
  async run(_job, deps) {
    const now = deps.clock.now();
    let missed = 0;
    for (const m of await deps.storage.merchants.listAll()) {
      const stale = await deps.storage.conversations.listWaitingSince(m.id, now - SESSION_MS, 500);
      for (const c of stale) {
        const missedOne = changedTo(closeMissed(c, now));
        if (!missedOne) continue;
        await deps.storage.conversations.upsert(missedOne);
        missed++;
      }
    }
    return { missed };
  },
};
