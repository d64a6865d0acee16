import { NS, type GroupMsgResult, type SandboxStore } from './store';

/**
 * The per-customer mass-send quota (protocol doc §10, doc 92135): each customer (or customer
 * group) receives at most as many mass messages per calendar month as the month has days; the
 * corp admin can change it to 7 per week or 1 per day. Only deliveries (send_result status 1)
 * count. Calendar periods are China time (UTC+8, no daylight saving), weeks Monday to Sunday.
 */
export const QUOTA_PERIODS = ['month', 'week', 'day'] as const;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];
export const DEFAULT_QUOTA: QuotaPeriod = 'month';

const DAY = 86_400_000;
const CHINA = 8 * 3600_000;
/** Deliveries older than the longest period (a 31-day month) can never count again. */
const KEEP_MS = 32 * DAY;

/** The period `at` falls in (`key`) and how many mass messages a customer may receive in it. */
export function quotaWindow(period: QuotaPeriod, at: number): { key: string; cap: number } {
  const local = at + CHINA;
  const day = Math.floor(local / DAY);
  if (period === 'day') return { key: `d${day}`, cap: 1 };
  // day 0 (1970-01-01) was a Thursday: 3 days after a Monday
  if (period === 'week') return { key: `w${day - ((((day + 3) % 7) + 7) % 7)}`, cap: 7 };
  const d = new Date(local);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return { key: `m${y}-${m + 1}`, cap: new Date(Date.UTC(y, m + 1, 0)).getUTCDate() };
}

interface QuotaSetting {
  period: QuotaPeriod;
}

/** recipient → delivery times; entries, not an object, so any id is a safe key. */
type Delivered = [string, number[]][];

export async function quotaPeriodOf(store: SandboxStore, merchantId: string): Promise<QuotaPeriod> {
  return (await store.get<QuotaSetting>(merchantId, NS.groupmsgQuota, 'setting'))?.period ?? DEFAULT_QUOTA;
}

export async function setQuotaPeriod(store: SandboxStore, merchantId: string, period: QuotaPeriod): Promise<void> {
  await store.put<QuotaSetting>(merchantId, NS.groupmsgQuota, 'setting', { period });
}

/** How many mass messages each of `ids` received in the period `now` falls in. */
export async function receivedThisPeriod(store: SandboxStore, merchantId: string, now: number, ids: string[]): Promise<Record<string, number>> {
  const period = await quotaPeriodOf(store, merchantId);
  const { key } = quotaWindow(period, now);
  const all = new Map(((await store.get<Delivered>(merchantId, NS.groupmsgQuota, 'delivered')) ?? []).map(([r, t]) => [r, t] as const));
  return Object.fromEntries(ids.map((id) => [id, (all.get(id) ?? []).filter((t) => quotaWindow(period, t).key === key).length]));
}

/**
 * Decides each recipient of one member's confirmed task, in order: not a friend of that member →
 * 2; at the quota this period (when `enforce`) → 3; else 1, counted toward their quota. One
 * compare-and-set of the merchant's delivery record, so two confirmations never both take a
 * customer's last slot.
 */
export async function deliver(
  store: SandboxStore,
  merchantId: string,
  now: number,
  enforce: boolean,
  recipients: string[],
  isFriend: (id: string) => boolean,
): Promise<GroupMsgResult[]> {
  const period = await quotaPeriodOf(store, merchantId);
  const { key, cap } = quotaWindow(period, now);
  const thisPeriod = (times: number[]) => times.filter((t) => quotaWindow(period, t).key === key).length;
  let out: GroupMsgResult[] = [];
  await store.update<Delivered>(merchantId, NS.groupmsgQuota, 'delivered', (cur) => {
    out = [];
    const all = new Map<string, number[]>();
    for (const [r, times] of cur ?? []) {
      const kept = times.filter((t) => t > now - KEEP_MS);
      if (kept.length) all.set(r, kept);
    }
    for (const r of recipients) {
      if (!isFriend(r)) {
        out.push(2);
        continue;
      }
      const times = all.get(r) ?? [];
      if (enforce && thisPeriod(times) >= cap) {
        out.push(3);
        continue;
      }
      all.set(r, [...times, now]);
      out.push(1);
    }
    return [...all];
  });
  return out;
}
