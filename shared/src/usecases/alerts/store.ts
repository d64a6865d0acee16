import { MONEY_ALERTS, type Alert } from '../../domain/alert';
import type { Day } from '../../domain/ids';
import type { Merchant } from '../../domain/merchant';
import type { Role } from '../../domain/member';
import type { Deps } from '../../ports/deps';
import { AppError } from '../../domain/errors';
import { pushToChannels } from '../reports/channels';
import type { PushEnv } from '../reports/push';

/**
 * The alert list: kv entries under `<day>|<dedupe key>`, insert-only, so an alert raised twice
 * (a job that runs again, a webhook delivered again) is stored and pushed once. Keys sort by
 * day, and kv-prune drops them after {@link ALERT_KEEP_DAYS}, which bounds the list.
 */
export const ALERT_NS = 'alert';
export const ALERT_KEEP_DAYS = 30;
/** Read at most this many (about 30 days of a busy shop); the newest are shown. */
export const ALERT_LIST_MAX = 2_000;

export const alertKvKey = (day: Day, key: string) => `${day}|${key}`;

/** Stores the alert unless its key is there already; true when this call stored it. */
export async function raiseAlert(deps: Deps, merchantId: string, alert: Alert): Promise<boolean> {
  return deps.storage.kv.set(merchantId, ALERT_NS, alertKvKey(alert.day, alert.key), alert, null, deps.clock.now());
}

async function readAll(deps: Deps, merchantId: string) {
  return deps.storage.kv.list<Alert>(merchantId, ALERT_NS, ALERT_LIST_MAX);
}

/** Newest first; staff get no alert about money. */
export async function listAlerts(deps: Deps, merchantId: string, role: Role, limit: number): Promise<Alert[]> {
  const all = (await readAll(deps, merchantId)).map((e) => e.value);
  return all
    .filter((a) => role === 'owner' || !MONEY_ALERTS.has(a.kind))
    .sort((a, b) => b.at - a.at || a.key.localeCompare(b.key))
    .slice(0, limit);
}

export interface AlertPushResult {
  pushed: number;
  skipped?: string;
}

/** A short stable name of a set of alerts (FNV-1a): the robot's ledger key, so a rerun queues nothing new. */
function setId(keys: string[]): string {
  let h = 0x811c9dc5;
  for (const ch of keys.join('\n')) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * Sends every alert not sent yet as one message through the shop's chosen push channels (the
 * same as its reports: the WeCom app message, the group robot), then marks them sent. A failed
 * channel throws, so the job that called this is retried by the ledger: the app message goes
 * again with WeCom's duplicate check on, the robot's is deduplicated by the set's key. With no
 * channel able to send (no app, nobody to send to, no robot) the alerts stay in the list, where
 * the owner sees them.
 */
export async function pushPendingAlerts(deps: Deps, env: PushEnv, merchant: Merchant): Promise<AlertPushResult> {
  const pending = (await readAll(deps, merchant.id)).filter((e) => !e.value.pushed);
  if (!pending.length) return { pushed: 0 };
  const lines = pending.sort((a, b) => a.value.at - b.value.at || a.key.localeCompare(b.key)).map((e) => `· ${e.value.text}`);
  const content = `【${merchant.name}】提醒\n${lines.join('\n')}`.slice(0, 2000);
  const outcomes = await pushToChannels({ deps, ...env }, merchant, { msgtype: 'text', content }, { dedupeKey: `alert:${setId(pending.map((e) => e.key))}` });
  const failed = outcomes.find((o) => o.state === 'failed');
  if (failed) throw new AppError('ALERT.PUSH_FAILED', failed.detail, 502);
  if (!outcomes.some((o) => o.state === 'sent' || o.state === 'queued')) return { pushed: 0, skipped: outcomes.map((o) => o.reason ?? o.state).join(',') || 'no_channel' };
  for (const e of pending) await deps.storage.kv.set(merchant.id, ALERT_NS, e.key, { ...e.value, pushed: true }, e.version, deps.clock.now());
  return { pushed: pending.length };
}
