import type { Conversation, ConversationState } from './conversation';
import { AppError } from './errors';

/**
 * The conversation state machine (README: 微信客服 loop, Handoff, Outbox). Our states ride on
 * WeCom's kf service_state: `ai` and `waiting_human` are WeCom 1 (the API holds the session; in
 * `waiting_human` the bot is silent until a person hands back), `human_in_wecom` is WeCom 3 (a
 * servicer answers in the WeCom client; the bot never sends in that session again), `closed` is
 * an ended session. A customer message after the end opens a new session in `ai`.
 *
 * Every transition is pure: it returns the next conversation (`changed: false` when it already is
 * where the transition leads) or a refusal with the stable code callers throw.
 */

/** WeCom ends a kf session 48 h after the customer's last message; nobody can send after that. */
export const SESSION_MS = 48 * 3600_000;

/** WeCom's service_state values we record: the API holds the session, a servicer does, it ended. */
export const WECOM_STATE = { api: 1, servicer: 3, ended: 4 } as const;

export type RefusalCode = 'CONFLICT.STATE' | 'CONFLICT.SESSION_CLOSED' | 'CONFLICT.HUMAN_IN_WECOM';

export interface Refusal {
  code: RefusalCode;
  /** Shown to the owner as is. */
  message: string;
}

export type Step = { ok: true; conversation: Conversation; changed: boolean } | { ok: false; conversation: Conversation; refusal: Refusal };

type StateFields = Pick<Conversation, 'state' | 'wecomState' | 'waitingSince' | 'missed' | 'sessionStartedAt'>;

const unchanged = (c: Conversation): Step => ({ ok: true, conversation: c, changed: false });

const refuse = (c: Conversation, code: RefusalCode, message: string): Step => ({ ok: false, conversation: c, refusal: { code, message } });

function move(c: Conversation, patch: Partial<StateFields>, now: number): Step {
  const changed = (Object.keys(patch) as (keyof StateFields)[]).some((k) => c[k] !== patch[k]);
  return changed ? { ok: true, conversation: { ...c, ...patch, updatedAt: now }, changed } : unchanged(c);
}

const IN_WECOM = '这个会话已转到企业微信人工接待';

/** The one way a refusal becomes an error: 409 with its code and message. */
export function refusalError(r: Refusal): AppError {
  return new AppError(r.code, r.message, 409);
}

/** The next conversation, or the refusal thrown. */
export function accept(step: Step): Conversation {
  if (!step.ok) throw refusalError(step.refusal);
  return step.conversation;
}

/** The next conversation when the step changed it; null when it stayed or was refused (for callers that just move on). */
export function changedTo(step: Step): Conversation | null {
  return step.ok && step.changed ? step.conversation : null;
}

/** How a new kf conversation starts: with the bot (a customer wrote or opened the chat) or with a servicer. */
export function initialState(holder: 'ai' | 'human_in_wecom', sessionStartedAt?: number): Pick<Conversation, 'state' | 'wecomState' | 'sessionStartedAt'> {
  const state = holder === 'ai' ? { state: 'ai' as const, wecomState: WECOM_STATE.api } : { state: 'human_in_wecom' as const, wecomState: WECOM_STATE.servicer };
  return sessionStartedAt === undefined ? state : { ...state, sessionStartedAt };
}

// ---- who may send ----------------------------------------------------------------------------

/** Why `sender` may not send in `state`, or null: the bot only in `ai`, a person also in `waiting_human`, nobody in `human_in_wecom` or `closed`. */
export function sendRefusal(state: ConversationState, sender: 'ai' | 'staff'): Refusal | null {
  switch (state) {
    case 'ai':
      return null;
    case 'waiting_human':
      return sender === 'staff' ? null : { code: 'CONFLICT.STATE', message: '会话在等人工回复，AI 不说话' };
    case 'human_in_wecom':
      return { code: 'CONFLICT.HUMAN_IN_WECOM', message: `${IN_WECOM}，请在企业微信里回复` };
    case 'closed':
      return { code: 'CONFLICT.SESSION_CLOSED', message: '会话已结束，等客户再发消息后才能回复' };
  }
}

export function maySend(state: ConversationState, sender: 'ai' | 'staff'): boolean {
  return sendRefusal(state, sender) === null;
}

// ---- a person in the app ---------------------------------------------------------------------

// a person moves only conversations the bot's session still holds
function notHeldByBot(c: Conversation): Step {
  return refuse(c, 'CONFLICT.STATE', c.state === 'human_in_wecom' ? IN_WECOM : '会话已结束');
}

/** 接手: the bot goes quiet and the conversation waits for a person (WeCom still 1). */
export function takeOver(c: Conversation, now: number): Step {
  if (c.state === 'ai') return move(c, { state: 'waiting_human', waitingSince: now }, now);
  return c.state === 'waiting_human' ? unchanged(c) : notHeldByBot(c);
}

/** 交还 AI: the bot answers again. */
export function handBack(c: Conversation, now: number): Step {
  if (c.state === 'waiting_human') return move(c, { state: 'ai', waitingSince: undefined }, now);
  return c.state === 'ai' ? unchanged(c) : notHeldByBot(c);
}

/** 转企业微信人工 (service_state 3 with a servicer): the bot never sends in this session again. */
export function transferToWecom(c: Conversation, now: number): Step {
  if (c.state === 'closed') return refuse(c, 'CONFLICT.SESSION_CLOSED', '会话已结束，不能再转人工');
  if (c.state === 'human_in_wecom') return unchanged(c);
  return move(c, { state: 'human_in_wecom', wecomState: WECOM_STATE.servicer, waitingSince: undefined }, now);
}

// ---- the bot ---------------------------------------------------------------------------------

/** The bot hands the customer to a person: into the 待人工 queue. */
export function handOff(c: Conversation, now: number): Step {
  switch (c.state) {
    case 'ai':
      return move(c, { state: 'waiting_human', waitingSince: now }, now);
    case 'waiting_human':
      return unchanged(c);
    case 'human_in_wecom':
      return refuse(c, 'CONFLICT.HUMAN_IN_WECOM', IN_WECOM);
    case 'closed':
      return refuse(c, 'CONFLICT.SESSION_CLOSED', '会话已结束');
  }
}

// ---- the customer and time -------------------------------------------------------------------

/** Whether a customer message at `at` finds the session over: closed, or more than 48 h after their last one. */
export function sessionOver(c: Conversation, at: number): boolean {
  const last = c.lastCustomerMessageAt;
  return c.state === 'closed' || (last !== undefined && at - last > SESSION_MS);
}

/**
 * A customer message at `at`: after the session ended a new one opens in `ai` (a late copy of an
 * older message opens nothing); a conversation that never had a session gets its start.
 */
export function openSession(c: Conversation, at: number, now: number): Step {
  const last = c.lastCustomerMessageAt;
  if (sessionOver(c, at) && (last === undefined || at > last)) {
    return move(c, { ...initialState('ai', at), waitingSince: undefined, missed: false }, now);
  }
  return c.sessionStartedAt === undefined ? move(c, { sessionStartedAt: at }, now) : unchanged(c);
}

/** A `waiting_human` nobody picked up before its 48 h session ran out leaves the queue as missed. */
export function closeMissed(c: Conversation, now: number): Step {
  if (c.state !== 'waiting_human') return refuse(c, 'CONFLICT.STATE', '会话不在等人工');
  const lastCustomer = c.lastCustomerMessageAt ?? c.waitingSince ?? c.updatedAt;
  if (now - lastCustomer < SESSION_MS) return refuse(c, 'CONFLICT.STATE', '客户的会话还没过期');
  return move(c, { state: 'closed', missed: true, waitingSince: undefined }, now);
}

// ---- WeCom's session events (kf session_status_change, origin 5) -----------------------------

/** WeCom ended the session (change_type 3). */
export function endSession(c: Conversation, now: number): Step {
  if (c.state === 'closed') return unchanged(c);
  return move(c, { state: 'closed', wecomState: WECOM_STATE.ended, waitingSince: undefined }, now);
}

/** WeCom gave the session to a servicer (change_type 1 接入 or 2 转接): whatever we thought, a person holds it now. */
export function assignServicer(c: Conversation, now: number): Step {
  return move(c, { state: 'human_in_wecom', wecomState: WECOM_STATE.servicer, waitingSince: undefined }, now);
}

/** A servicer wrote from the WeCom client: only one in 人工接待 (WeCom 3) can, so we follow; a late one after the end leaves it ended. */
export function servicerReplied(c: Conversation, now: number): Step {
  if (c.state === 'closed') return move(c, { waitingSince: undefined }, now);
  return assignServicer(c, now);
}

// ---- the owner's follow-up setting (conversation-state-follow-up.ts) -------------------------

/**
 * 让 AI 先答有把握的: the customer wrote again while a person held the conversation and nobody from
 * the shop said anything for `minutes` (counted from the later of the takeover and the shop's last
 * reply) — the bot answers again; whatever it is not sure of it hands back to the queue.
 */
export function resumeAiAfterSilence(c: Conversation, now: number, opts: { minutes: number; lastShopReplyAt?: number }): Step {
  if (c.state !== 'waiting_human') return refuse(c, 'CONFLICT.STATE', '会话不在等人工');
  const quietSince = Math.max(c.waitingSince ?? c.updatedAt, opts.lastShopReplyAt ?? 0);
  if (now - quietSince < opts.minutes * 60_000) return refuse(c, 'CONFLICT.STATE', '店里刚回复过，AI 先不说话');
  return move(c, { state: 'ai', waitingSince: undefined }, now);
}
