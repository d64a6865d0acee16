import { PLATFORM } from '../../domain/job';
import { slotStart, type JobDefinition } from './scheduler';
import { NS } from '../channel-wecom/context';
import { ALERT_KEEP_DAYS, ALERT_NS } from '../alerts/store';
import { SENT_NS as SUBSCRIBE_SENT_NS } from '../reports/subscribe';
import { TAG_NS } from '../tags/store';
import { MAX_KEYWORD_DAYS } from '../../domain/tag-rule';

const DAY = 24 * 3600_000;

/**
 * How long each kind of bookkeeping is kept after its last write. Only markers whose purpose has
 * passed: dedupe of kf msgids and welcome codes (WeCom redelivers within minutes, a session ends
 * after 48 h), outbox records and the 没发出去 index (retries and msg_send_fail arrive within the 48 h window), send
 * budgets and leases. Never pruned here: cursors, queues, tokens, the teach queue, channel status,
 * model budgets (a month is their key), media.
 */
export const KV_RETENTION: { ns: string; keepMs: number }[] = [
  { ns: NS.seen, keepMs: 7 * DAY },
  // the 提醒 list shows a month; older alerts have done their job
  { ns: ALERT_NS, keepMs: ALERT_KEEP_DAYS * DAY },
  { ns: NS.outbox, keepMs: 7 * DAY },
  // like the outbox records it mirrors: nothing can be resent after the 48 h window anyway
  { ns: NS.undelivered, keepMs: 7 * DAY },
  { ns: NS.budget, keepMs: 3 * DAY },
  { ns: NS.lease, keepMs: 1 * DAY },
  { ns: NS.welcome, keepMs: 2 * DAY },
  { ns: NS.contactWelcome, keepMs: 2 * DAY },
  { ns: NS.entry, keepMs: 7 * DAY },
  { ns: NS.retry, keepMs: 7 * DAY },
  { ns: NS.transferFail, keepMs: 30 * DAY },
  // a subscribe message's sent marker guards the retries of its push, which end within hours
  { ns: SUBSCRIBE_SENT_NS, keepMs: 7 * DAY },
  // keyword rules look back at most this far: a customer silent longer has no words worth keeping
  { ns: TAG_NS.words, keepMs: MAX_KEYWORD_DAYS * DAY },
];

const BATCH = 500;
const MAX_BATCHES = 40;
const EVERY_MS = 6 * 3600_000;

/** Processed callbacks (their plaintext holds customers' messages, which live on in the messages). */
export const INBOX_KEEP_MS = 7 * DAY;

/** Every 6 hours: deletes expired bookkeeping in batches (bounded per run; the next run continues). */
export const kvPruneJob: JobDefinition = {
  kind: 'kv.prune',
  when: 'every 6 hours',
  plan(now) {
    const slot = slotStart(now, EVERY_MS);
    return [{ key: `kv.prune:${slot}`, merchantId: PLATFORM, kind: 'kv.prune', runAt: slot, maxAttempts: 3 }];
  },
  async run(_job, deps) {
    const now = deps.clock.now();
    const removed: Record<string, number> = {};
    for (const { ns, keepMs } of KV_RETENTION) {
      let total = 0;
      for (let i = 0; i < MAX_BATCHES; i++) {
        const n = await deps.storage.kv.prune(ns, now - keepMs, BATCH);
        total += n;
        if (n < BATCH) break;
      }
      if (total) removed[ns] = total;
    }
    let inbox = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const n = await deps.storage.inbox.pruneProcessed(now - INBOX_KEEP_MS, BATCH);
      inbox += n;
      if (n < BATCH) break;
    }
    if (inbox) removed.inbox = inbox;
    return { removed };
  },
};
