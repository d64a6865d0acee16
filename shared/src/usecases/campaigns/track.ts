import type { Campaign, CampaignTask, RecipientStatus } from '../../domain/marketing';
import type { RecipientChange } from '../../ports/storage';
import { loadCampaign, saveCampaign, TRACK_KIND, trackKey } from './store';
import type { SendEnv } from './send';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** How often a sending campaign is checked, and for how long (members rarely confirm after a week). */
export const TRACK_EVERY_MS = 10 * MIN;
export const TRACK_FOR_MS = 7 * 24 * HOUR;
/** A member who has not confirmed this long after the task is reminded; again after REMIND_GAP, ≤ 3 per 24 h (doc 97610). */
export const REMIND_AFTER_MS = 2 * HOUR;
export const REMIND_GAP_MS = 8 * HOUR;
export const MAX_REMINDS_PER_DAY = 3;

/** get_groupmsg_send_result status → ours (doc 96355: 0 unsent, 1 sent, 2 not a friend, 3 quota used up). */
const RESULT: Record<number, RecipientStatus | undefined> = { 1: 'sent', 2: 'notFriend', 3: 'quota' };

/**
 * One look at WeCom for a sending campaign (issue 16 §3): each task's member status
 * (get_groupmsg_task), each confirmed task's per-customer results (get_groupmsg_send_result, paged),
 * a reminder for members who have not confirmed (remind_groupmsg_send plus our own app message),
 * and the next look booked until every task is settled or a week has passed.
 */
export async function trackCampaign(env: SendEnv, merchantId: string, campaignId: string, n: number): Promise<{ settled: boolean; changed: number; reminded: number }> {
  const { deps, wecom } = env;
  let campaign = await loadCampaign(deps, merchantId, campaignId);
  if (campaign.status !== 'sending') return { settled: true, changed: 0, reminded: 0 };
  const now = deps.clock.now();
  let changed = 0;
  let reminded = 0;
  const updates = new Map<string, Partial<CampaignTask>>();
  for (const t of campaign.tasks) {
    if (t.state !== 'created' || !t.msgid || t.memberStatus === 2) continue;
    const status = await memberStatus(env, merchantId, t.msgid, t.sender);
    const patch: Partial<CampaignTask> = { memberStatus: status };
    if (status === 2) changed += await readResults(env, campaign, t.msgid, t.sender);
    else if (dueForReminder(t, now)) {
      await wecom.remindGroupmsgSend(merchantId, { msgid: t.msgid });
      await tellMember(env, campaign, t);
      patch.reminders = [...t.reminders, now];
      reminded++;
    }
    updates.set(t.key, patch);
  }
  // a task still `creating` (its send job retrying) is not settled; a failed one is
  const settled = campaign.tasks.every((t) => t.state === 'failed' || (t.state === 'created' && (updates.get(t.key)?.memberStatus ?? t.memberStatus) === 2));
  const over = now - (campaign.plan?.sendAt ?? campaign.createdAt) > TRACK_FOR_MS;
  campaign = await saveCampaign(deps, campaign, (c) => ({
    ...c,
    status: c.status === 'sending' && (settled || over) ? 'sent' : c.status,
    tasks: c.tasks.map((t) => ({ ...t, ...updates.get(t.key) })),
  }));
  if (campaign.status === 'sending')
    await deps.storage.jobs.enqueue({ key: trackKey(merchantId, campaignId, n + 1), merchantId, kind: TRACK_KIND, runAt: now + TRACK_EVERY_MS }, now);
  return { settled, changed, reminded };
}

function dueForReminder(t: CampaignTask, now: number): boolean {
  if (now - t.startedAt < REMIND_AFTER_MS) return false;
  const recent = t.reminders.filter((r) => now - r < 24 * HOUR);
  const last = t.reminders[t.reminders.length - 1];
  return recent.length < MAX_REMINDS_PER_DAY && (last === undefined || now - last >= REMIND_GAP_MS);
}

async function memberStatus(env: SendEnv, merchantId: string, msgid: string, sender: string): Promise<number> {
  let cursor: string | undefined;
  do {
    const page = await env.wecom.getGroupmsgTask(merchantId, { msgid, limit: 1000, ...(cursor ? { cursor } : {}) });
    const mine = page.task_list.find((x) => x.userid === sender);
    if (mine) return mine.status;
    cursor = page.next_cursor || undefined;
  } while (cursor);
  return 0;
}

/** The task's per-customer results into the recipients' rows; how many rows changed. */
async function readResults(env: SendEnv, campaign: Campaign, msgid: string, sender: string): Promise<number> {
  let changed = 0;
  let cursor: string | undefined;
  do {
    const page = await env.wecom.getGroupmsgSendResult(campaign.merchantId, { msgid, userid: sender, limit: 1000, ...(cursor ? { cursor } : {}) });
    const changes: RecipientChange[] = [];
    for (const r of page.send_list) {
      const status = RESULT[r.status];
      if (!status || !r.external_userid) continue;
      changes.push({ externalUserId: r.external_userid, status, ...(status === 'sent' && r.send_time ? { sentAt: r.send_time * 1000 } : {}) });
    }
    changed += await env.deps.storage.campaigns.updateRecipients(campaign.merchantId, campaign.id, changes);
    cursor = page.next_cursor || undefined;
  } while (cursor);
  return changed;
}

/** Our own word to the member, beside WeCom's reminder: which campaign waits and where to confirm it. Best effort. */
async function tellMember(env: SendEnv, campaign: Campaign, t: CampaignTask): Promise<void> {
  const who = t.count === 1 ? '1 位客户' : `${t.count} 位客户`;
  const content = `有一条群发还等你确认：「${campaign.name}」，发给 ${who}。请打开企业微信 → 工作台 → 客户联系 → 群发助手，确认发送。`;
  try {
    await env.wecom.messageSend(campaign.merchantId, { touser: t.sender, msgtype: 'text', text: { content } });
  } catch {
    // WeCom's own reminder already went; a shop without the app's AgentId just misses ours
  }
}
