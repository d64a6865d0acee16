import type { Customer } from '../../domain/customer';
import type { Message } from '../../domain/conversation';
import { addDays, dayOf } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import type { NewJob } from '../../ports/storage';
import type { WecomApi } from '../../ports/wecom';
import { localTimeAt } from '../reports/schedule';
import type { JobDefinition } from '../scheduling/scheduler';
import { applyAllRules, BATCH_KIND, continueBatch, evaluateCustomer, sweepTags } from './run';
import { recordText } from './store';
import { SWEEP_KIND, SYNC_KIND, syncWithin } from './sync';

/**
 * When tag rules run: on events for the one customer concerned (these hooks), every night for
 * the conditions time moves (沉睡 after N days, birthday month), and the `tags.sync` job for
 * WeCom work the events left in the ledger.
 */

export const NIGHTLY_KIND = 'tags.nightly';
/** Quiet hours, after the day's orders and before the daily report's morning. */
export const NIGHTLY_AT = '03:30';
const NIGHTLY_ATTEMPTS = 4;

export const nightlyKey = (merchantId: string, day: string) => `tags:nightly:${merchantId}:${day}`;

/** A customer added through 客户联系 (the channel's tag-rules hook): rules and WeCom at once. */
export async function onNewCustomer(env: { deps: Deps; wecom: WecomApi }, customer: Customer): Promise<void> {
  await evaluateCustomer(env.deps, customer.merchantId, customer.externalUserId, env.wecom);
}

/** After an order changed a customer's totals: they cross into VIP now; WeCom follows through the ledger. */
export async function onOrderForCustomer(deps: Deps, merchantId: string, externalUserId: string): Promise<void> {
  await evaluateCustomer(deps, merchantId, externalUserId);
}

/** A customer's message: kept for keyword rules, then their rules (WeCom through the ledger: the reply must not wait). */
export async function onCustomerMessage(deps: Deps, merchantId: string, externalUserId: string, message: Message): Promise<void> {
  if (message.type === 'text') await recordText(deps, merchantId, externalUserId, message.at, message.text);
  await evaluateCustomer(deps, merchantId, externalUserId);
}

/** The ledger's due customers brought to WeCom; what still fails is booked again at its backoff time. */
export function createTagSyncJob(wecom: WecomApi): JobDefinition {
  return {
    kind: SYNC_KIND,
    when: 'booked by tag changes and their retries',
    // booked by requestSync and by failures, never planned
    plan: () => [],
    async run(job, deps) {
      // failures book their own retry (syncTags): only they run again
      return syncWithin({ deps, wecom }, job.merchantId, []);
    },
  };
}

/** The rest of a rules batch that changed more customers than one run may write (BATCH_WRITES). */
export function createTagBatchJob(wecom: WecomApi): JobDefinition {
  return {
    kind: BATCH_KIND,
    when: 'booked a minute after a tag rules run that had more customers to change than one run may write, until all are done',
    plan: () => [],
    async run(job, deps) {
      return continueBatch(deps, job.merchantId, wecom);
    },
  };
}

/** The rest of a batch too large for one run (SYNC_BATCH), a minute later, until WeCom matches. */
export function createTagSweepJob(wecom: WecomApi): JobDefinition {
  return {
    kind: SWEEP_KIND,
    when: 'booked a minute after a tag run that left customers for WeCom, until none are left',
    plan: () => [],
    async run(job, deps) {
      return sweepTags({ deps, wecom }, job.merchantId);
    },
  };
}

export function planNightly(now: number, merchants: { id: string; timezone: string; createdAt: number }[]): NewJob[] {
  const out: NewJob[] = [];
  for (const m of merchants) {
    let day = dayOf(now, m.timezone);
    let at = localTimeAt(day, NIGHTLY_AT, m.timezone);
    if (at > now) {
      day = addDays(day, -1);
      at = localTimeAt(day, NIGHTLY_AT, m.timezone);
    }
    if (at < m.createdAt) continue;
    out.push({ key: nightlyKey(m.id, day), merchantId: m.id, kind: NIGHTLY_KIND, runAt: at, maxAttempts: NIGHTLY_ATTEMPTS });
  }
  return out;
}

/** Every enabled rule over every customer, WeCom calls made before it ends; failures stay in the ledger. */
export function createTagNightlyJob(wecom: WecomApi): JobDefinition {
  return {
    kind: NIGHTLY_KIND,
    when: "nightly 03:30 in each shop's time zone",
    plan: planNightly,
    async run(job, deps) {
      return applyAllRules(deps, job.merchantId, wecom);
    },
  };
}
