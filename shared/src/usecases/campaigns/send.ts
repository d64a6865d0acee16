import { AppError, notFound } from '../../domain/errors';
import { KF_SENDER, type Attachment, type Campaign, type CampaignRecipient, type CampaignTask } from '../../domain/marketing';
import type { Deps } from '../../ports/deps';
import { isTransient, WecomApiError, type MsgTemplateAttachment, type WecomApi } from '../../ports/wecom';
import { MAX_PER_TASK } from './planner';
import { isPersonal, renderText, type VariableValues } from './variables';
import { saveCampaign, TRACK_KIND, trackKey } from './store';
import { materialize } from './plan';
import { requireMerchant } from '../shop/require-merchant';

/** Tasks one campaign may create: with a per-customer text each customer is a task a member confirms. */
export const MAX_TASKS = 2000;
const PAGE = 5_000;
const DAY = 86_400_000;
/** How far around a task's start time its WeCom copy is looked for after a crash. */
const FIND_SLACK_S = 120;

export interface SendEnv {
  deps: Deps;
  wecom: WecomApi;
}

interface TaskPlan {
  key: string;
  sender: string;
  variant: number;
  ids: string[];
}

/**
 * Creates the campaign's WeCom tasks (issue 16 §3), idempotently: each task is written as
 * `creating` before add_msg_template and `created` with its msgid after, so running it twice (two
 * scheduler ticks, a retry after a crash) creates each task once. A task left `creating` by a crash
 * is looked up at WeCom (get_groupmsg_list_v2 by its member, time and text) before it is made again.
 */
export async function sendCampaign(env: SendEnv, merchantId: string, campaignId: string): Promise<{ tasks: number; created: number; recipients: number }> {
  const { deps } = env;
  let campaign = await deps.storage.campaigns.get(merchantId, campaignId);
  if (!campaign) throw notFound('campaign');
  if (campaign.status === 'cancelled' || campaign.status === 'sent') return { tasks: campaign.tasks.length, created: 0, recipients: 0 };
  if (!campaign.content.texts.length) throw new AppError('CONFLICT.CAMPAIGN_NO_TEXT', '还没写群发内容', 409);
  if (campaign.materializedAt === undefined) {
    const merchant = await requireMerchant(deps, merchantId);
    const { plan } = await materialize(deps, merchant, campaign);
    const at = deps.clock.now();
    campaign = await saveCampaign(deps, campaign, (c) => ({
      ...c,
      materializedAt: at,
      ...(c.plan ? { plan: { ...c.plan, recipients: plan.recipients, bySender: plan.bySender, excluded: plan.excluded, plannedAt: at } } : {}),
    }));
  }
  const gone = await goneSincePlan(deps, campaign);
  const plans = await taskPlans(deps, campaign, gone);
  if (plans.length > MAX_TASKS)
    throw new AppError('CONFLICT.TOO_MANY_TASKS', `内容里用了称呼等变量，每位客户要单独一条，店员得确认 ${plans.length} 次。请去掉变量，或把人群缩小到 ${MAX_TASKS} 人以内`, 409);
  await cancelRows(deps, campaign, gone);
  let created = 0;
  let recipients = 0;
  for (const t of plans) {
    const done = campaign.tasks.find((x) => x.key === t.key);
    if (done?.state === 'created' || done?.state === 'failed') continue;
    const text = await textFor(deps, campaign, t);
    const startedAt = done?.startedAt ?? deps.clock.now();
    let msgid = done ? await findAtWecom(env, campaign, t, text, startedAt) : null;
    // 取消 may land while this runs: a cancelled campaign stays cancelled and makes no more tasks
    if (!done) campaign = await saveCampaign(deps, campaign, (c) => (c.status === 'cancelled' ? c : { ...c, status: 'sending', tasks: [...c.tasks, newTask(t, startedAt)] }));
    if (campaign.status === 'cancelled') break;
    let failList: string[] = [];
    if (!msgid) {
      try {
        const r = await env.wecom.addMsgTemplate(merchantId, {
          chat_type: 'single',
          external_userid: t.ids,
          sender: t.sender,
          text: { content: text },
          ...attachmentsOf(campaign.content.attachments),
        });
        msgid = r.msgid;
        failList = r.fail_list ?? [];
      } catch (err) {
        // a refusal (not a moment's trouble) will not get better: the task is failed, the rest go on
        if (isRefusal(err)) {
          campaign = await finishTask(deps, campaign, t, { state: 'failed', error: String((err as Error).message).slice(0, 300) }, t.ids, []);
          continue;
        }
        throw err;
      }
    }
    campaign = await finishTask(deps, campaign, t, { state: 'created', msgid }, t.ids, failList);
    if (campaign.status === 'cancelled') {
      // 取消 came between our task and WeCom's answer: stop this one too, as the cancel did the others
      await env.wecom.cancelGroupmsgSend(merchantId, { msgid: msgid! });
      await deps.storage.campaigns.updateRecipients(
        merchantId,
        campaignId,
        t.ids.map((id) => ({ externalUserId: id, status: 'cancelled' as const })),
      );
      break;
    }
    created++;
    recipients += t.ids.length - failList.length;
  }
  campaign = await saveCampaign(deps, campaign, (c) => ({ ...c, status: c.status === 'cancelled' ? c.status : 'sending' }));
  await deps.storage.jobs.enqueue({ key: trackKey(merchantId, campaignId, 0), merchantId, kind: TRACK_KIND, runAt: deps.clock.now() + 10 * 60_000 }, deps.clock.now());
  return { tasks: plans.length, created, recipients };
}

function newTask(t: TaskPlan, startedAt: number): CampaignTask {
  return {
    key: t.key,
    sender: t.sender,
    variant: t.variant,
    count: t.ids.length,
    ...(t.ids.length === 1 ? { externalUserId: t.ids[0] } : {}),
    state: 'creating',
    startedAt,
    reminders: [],
  };
}

async function finishTask(deps: Deps, campaign: Campaign, t: TaskPlan, patch: Partial<CampaignTask>, ids: string[], failList: string[]): Promise<Campaign> {
  const now = deps.clock.now();
  const failed = new Set(failList);
  const ok = patch.state === 'created';
  await deps.storage.campaigns.updateRecipients(
    campaign.merchantId,
    campaign.id,
    ids.map((id) =>
      ok && !failed.has(id) ? { externalUserId: id, status: 'waiting' as const, msgid: patch.msgid!, taskAt: now } : { externalUserId: id, status: 'failed' as const },
    ),
  );
  return saveCampaign(deps, campaign, (c) => ({ ...c, tasks: c.tasks.map((x) => (x.key === t.key ? { ...x, ...patch } : x)) }));
}

/**
 * The tasks the stored recipients make: per member and A/B arm, 10 000 at most, or one per
 * customer for a personal text. Chunks are cut over every stored row in customer order, whatever
 * its status, so a retry cuts the same tasks under the same keys; `ids` leaves out whoever opted
 * out or deleted us since the plan (`gone`).
 */
async function taskPlans(deps: Deps, campaign: Campaign, gone: ReadonlySet<string>): Promise<TaskPlan[]> {
  const groups = new Map<string, CampaignRecipient[]>();
  let cursor: string | undefined;
  do {
    const page = await deps.storage.campaigns.listRecipients(campaign.merchantId, campaign.id, { limit: PAGE, ...(cursor ? { cursor } : {}) });
    for (const r of page.items) {
      // a follow-up's 微信客服 rows went out already, through the customer's open window
      if (r.sender === KF_SENDER) continue;
      const k = `${r.sender}\u0000${r.variant}`;
      const g = groups.get(k);
      if (g) g.push(r);
      else groups.set(k, [r]);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const out: TaskPlan[] = [];
  const ids = (rows: CampaignRecipient[]) => rows.map((r) => r.externalUserId).filter((id) => !gone.has(id));
  for (const rows of groups.values()) {
    const { sender, variant } = rows[0]!;
    const personal = isPersonal(campaign.content.texts[variant] ?? campaign.content.texts[0]!);
    if (personal) for (const r of rows) out.push({ key: `${sender}:${variant}:${r.externalUserId}`, sender, variant, ids: ids([r]) });
    else
      for (let i = 0; i < rows.length; i += MAX_PER_TASK) out.push({ key: `${sender}:${variant}:${i / MAX_PER_TASK}`, sender, variant, ids: ids(rows.slice(i, i + MAX_PER_TASK)) });
  }
  return out.filter((t) => t.ids.length > 0);
}

/** Customers who opted out or deleted us since the plan: their rows are cancelled, nobody sends to them. */
async function goneSincePlan(deps: Deps, campaign: Campaign): Promise<Set<string>> {
  const gone = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await deps.storage.customers.listFacts(campaign.merchantId, { limit: PAGE, ...(cursor ? { cursor } : {}) });
    for (const f of page.items) if (f.optedOutAt !== undefined || f.lost) gone.add(f.externalUserId);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return gone;
}

async function textFor(deps: Deps, campaign: Campaign, t: TaskPlan): Promise<string> {
  const text = campaign.content.texts[t.variant] ?? campaign.content.texts[0]!;
  if (!isPersonal(text)) return text;
  return renderText(text, await valuesFor(deps, campaign.merchantId, t.ids[0]!));
}

/**
 * {称呼}, {上次买的}, {多少天没来} for one customer as of `at`; blanks fall back to the words in
 * variables.ts. 多少天没来 counts from their last purchase (a visit is a purchase), else their last message.
 */
export async function valuesFor(deps: Deps, merchantId: string, externalUserId: string, at = deps.clock.now()): Promise<VariableValues> {
  const c = await deps.storage.customers.get(merchantId, externalUserId);
  const [last] = await deps.storage.orders.listByCustomer(merchantId, externalUserId, 1);
  const seen = c?.lastOrderAt ?? c?.lastMessageAt;
  const values: VariableValues = {};
  if (c?.name && !/^顾客/.test(c.name)) values.称呼 = c.name;
  if (last?.items[0]?.name) values.上次买的 = last.items[0].name;
  if (seen !== undefined && at > seen) values.多少天没来 = String(Math.max(1, Math.floor((at - seen) / DAY)));
  return values;
}

function attachmentsOf(list: Attachment[]): { attachments?: MsgTemplateAttachment[] } {
  if (!list.length) return {};
  return {
    attachments: list.map((a): MsgTemplateAttachment => {
      if (a.type === 'image') return { msgtype: 'image', image: { pic_url: a.url } };
      if (a.type === 'link') return { msgtype: 'link', link: { title: a.title, url: a.url, ...(a.desc ? { desc: a.desc } : {}), ...(a.picUrl ? { picurl: a.picUrl } : {}) } };
      return { msgtype: 'miniprogram', miniprogram: { title: a.title, appid: a.appid, page: a.page, pic_media_id: a.picMediaId } };
    }),
  };
}

/** A task a crash left `creating`: WeCom's copy, made by its member around its start with its text. */
async function findAtWecom(env: SendEnv, campaign: Campaign, t: TaskPlan, text: string, startedAt: number): Promise<string | null> {
  const start = Math.floor(startedAt / 1000) - FIND_SLACK_S;
  const end = Math.floor(env.deps.clock.now() / 1000) + FIND_SLACK_S;
  let cursor: string | undefined;
  do {
    const page = await env.wecom.getGroupmsgListV2(campaign.merchantId, {
      chat_type: 'single',
      start_time: start,
      end_time: end,
      creator: t.sender,
      filter_type: 2,
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    const hit = page.group_msg_list.find((g) => g.text?.content === text && g.create_time >= start);
    if (hit) return hit.msgid;
    cursor = page.next_cursor || undefined;
  } while (cursor);
  return null;
}

/** WeCom said no to this request itself: waiting will not help. A setup problem or a moment's trouble is retried by the job. */
function isRefusal(err: unknown): boolean {
  return err instanceof WecomApiError && !err.isConfig && !isTransient(err);
}

async function cancelRows(deps: Deps, campaign: Campaign, gone: ReadonlySet<string>): Promise<void> {
  const rows: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.storage.campaigns.listRecipients(campaign.merchantId, campaign.id, { limit: PAGE, status: 'planned', ...(cursor ? { cursor } : {}) });
    for (const r of page.items) if (gone.has(r.externalUserId)) rows.push(r.externalUserId);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  if (rows.length)
    await deps.storage.campaigns.updateRecipients(
      campaign.merchantId,
      campaign.id,
      rows.map((id) => ({ externalUserId: id, status: 'cancelled' as const })),
    );
}
