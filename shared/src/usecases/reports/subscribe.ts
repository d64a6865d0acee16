import { AppError, invalid } from '../../domain/errors';
import { PLATFORM } from '../../domain/job';
import type { Merchant } from '../../domain/merchant';
import { reportSettingsOf } from '../../domain/report';
import type { Deps } from '../../ports/deps';
import { SUBSCRIBE_NO_CREDIT } from '../../ports/subscribe';
import { WecomApiError } from '../../ports/wecom';
import { templateData, type SubscribeEnv, type SubscribeSummary } from './subscribe-data';

/**
 * The mini-program subscribe-message channel (issue 12 §4). NOT verified against WeChat: nothing
 * here has reached WeChat; the local sandbox and a CloudBase double stand in for it.
 *
 * WeChat gives one send per subscription a user granted by tapping 允许 (one-time templates: no
 * expiry, N taps = N sends, no API to read what is left; long-term subscriptions are not open to
 * this category), so the product counts them itself. WeChat counts per user and template, not
 * per shop, so the credits are kept the same way: one record per (template, openid), owned by
 * the platform. A member of two shops spends one pool, as WeChat would.
 *
 * Spending and "this push took its credit" are one compare-and-set write on that record (its
 * `spentFor` remembers the last pushes it paid for), and a sent marker per (push, recipient) is
 * written after WeChat took the message: a job that runs again spends nothing twice and sends
 * nothing twice. A run that dies between WeChat's answer and the marker sends once more on
 * retry (WeChat has no duplicate check here) — and only if the user has another subscription.
 */
export const CREDIT_NS = 'subscribe-credit';
export const SENT_NS = 'subscribe-sent';
/** Pushes a credit record remembers; a retry comes long before 50 newer pushes to the same person. */
const SPENT_FOR_MAX = 50;
/** A person cannot usefully stack more than this (WeChat's own cap is unpublished). */
export const CREDITS_MAX = 1000;

export interface CreditRecord {
  granted: number;
  used: number;
  /** `<merchant>:<push key>` of the latest pushes this record paid for. */
  spentFor: string[];
}

const creditKey = (templateId: string, openid: string) => `${templateId}|${openid}`;
const left = (r: CreditRecord | undefined) => (r ? Math.max(0, r.granted - r.used) : 0);

async function update(deps: Deps, templateId: string, openid: string, change: (r: CreditRecord) => CreditRecord | null): Promise<CreditRecord | null> {
  // every lost race means another writer moved the record on, so this ends; the bound guards a broken store
  for (let attempt = 0; attempt < 50; attempt++) {
    const entry = await deps.storage.kv.get<CreditRecord>(PLATFORM, CREDIT_NS, creditKey(templateId, openid));
    const cur = entry?.value ?? { granted: 0, used: 0, spentFor: [] };
    const next = change(cur);
    if (!next) return null;
    if (await deps.storage.kv.set(PLATFORM, CREDIT_NS, creditKey(templateId, openid), next, entry?.version ?? null, deps.clock.now())) return next;
  }
  throw new AppError('CONFLICT.SUBSCRIBE_BUSY', '订阅次数正在更新，请稍后再试', 409);
}

/** How many sends of `templateId` the person has left. */
export async function creditsOf(deps: Deps, templateId: string, openid: string): Promise<number> {
  return left((await deps.storage.kv.get<CreditRecord>(PLATFORM, CREDIT_NS, creditKey(templateId, openid)))?.value);
}

export interface GrantResult {
  templateId: string;
  added: number;
  left: number;
}

/**
 * What `Taro.requestSubscribeMessage` answered in the app: one credit for each `accept` of the
 * report template, to the caller (the session's openid, never one the app names). Results for
 * other templates are ignored; a template id this deployment does not use is refused.
 */
export async function grantSubscribe(deps: Deps, env: SubscribeEnv | undefined, openid: string, results: Record<string, string>): Promise<GrantResult> {
  if (!env?.templateId) throw new AppError('CONFIG.NO_SUBSCRIBE', '这个店小二还没配置订阅消息模板，暂时不能订阅', 503);
  if (!openid) throw new AppError('AUTH.UNAUTHENTICATED', '没拿到微信身份，请在小程序里打开', 401);
  const templateId = env.templateId;
  if (!(templateId in results)) throw invalid('没有收到报表模板的订阅结果，请再点一次订阅');
  const added = ['accept', 'acceptWithAudio'].includes(results[templateId]!) ? 1 : 0;
  if (!added) return { templateId, added, left: await creditsOf(deps, templateId, openid) };
  const next = await update(deps, templateId, openid, (r) => (left(r) >= CREDITS_MAX ? null : { ...r, granted: r.granted + added }));
  return { templateId, added: next ? added : 0, left: next ? left(next) : CREDITS_MAX };
}

/** The members a subscribe push goes to: the report recipients (default: the owners) who have an openid. */
export async function subscribeRecipients(deps: Deps, merchant: Merchant): Promise<string[]> {
  const members = await deps.storage.members.list(merchant.id);
  const chosen = reportSettingsOf(merchant).recipients;
  const picked = chosen ? members.filter((m) => chosen.includes(m.id)) : members.filter((m) => m.role === 'owner');
  return [...new Set(picked.map((m) => m.openid).filter((o): o is string => Boolean(o)))];
}

export type RecipientState = 'sent' | 'no_credit';
export interface SubscribePushResult {
  sent: number;
  noCredit: number;
}

/**
 * Takes one credit of `openid` for push `pushId`: true when this push holds one (taken now, or
 * by an earlier run of the same push); false when none is left.
 */
async function takeCredit(deps: Deps, templateId: string, openid: string, pushId: string): Promise<boolean> {
  let holds = false;
  await update(deps, templateId, openid, (r) => {
    if (r.spentFor.includes(pushId)) {
      holds = true;
      return null;
    }
    if (left(r) <= 0) return null;
    holds = true;
    return { ...r, used: r.used + 1, spentFor: [...r.spentFor, pushId].slice(-SPENT_FOR_MAX) };
  });
  return holds;
}

/** WeChat says the person has no subscription left: our count was ahead of it, so it goes to zero. */
async function drain(deps: Deps, templateId: string, openid: string): Promise<void> {
  await update(deps, templateId, openid, (r) => (left(r) === 0 ? null : { ...r, used: r.granted }));
}

/**
 * Sends one subscribe message to one person for push `pushKey` (per merchant), at most once.
 * Throws when WeChat refused for another reason than credits, or could not be reached: the job
 * that called it is retried by the ledger, and the retry spends no second credit.
 */
export async function sendSubscribe(
  deps: Deps,
  env: SubscribeEnv & { templateId: string },
  merchant: Merchant,
  openid: string,
  pushKey: string,
  s: SubscribeSummary,
): Promise<RecipientState> {
  const markerKey = `${pushKey}|${openid}`;
  if (await deps.storage.kv.get(merchant.id, SENT_NS, markerKey)) return 'sent';
  if (!(await takeCredit(deps, env.templateId, openid, `${merchant.id}:${pushKey}`))) return 'no_credit';
  const now = deps.clock.now();
  try {
    await env.sender.send({
      touser: openid,
      templateId: env.templateId,
      page: s.page,
      data: templateData(env, s, merchant, now),
      ...(env.miniprogramState ? { miniprogramState: env.miniprogramState } : {}),
    });
  } catch (err) {
    if (err instanceof WecomApiError && err.errcode === SUBSCRIBE_NO_CREDIT) {
      await drain(deps, env.templateId, openid);
      return 'no_credit';
    }
    throw err;
  }
  await deps.storage.kv.set(merchant.id, SENT_NS, markerKey, { at: now }, null, now);
  return 'sent';
}

/** Sends to each person; the first failure is thrown after everyone else was tried. */
export async function pushSubscribe(
  deps: Deps,
  env: SubscribeEnv & { templateId: string },
  merchant: Merchant,
  to: string[],
  pushKey: string,
  s: SubscribeSummary,
): Promise<SubscribePushResult> {
  const out: SubscribePushResult = { sent: 0, noCredit: 0 };
  let failure: Error | undefined;
  for (const openid of to) {
    try {
      const state = await sendSubscribe(deps, env, merchant, openid, pushKey, s);
      if (state === 'sent') out.sent++;
      else out.noCredit++;
    } catch (err) {
      failure ??= err instanceof Error ? err : new Error(String(err));
    }
  }
  if (failure) throw failure;
  return out;
}
