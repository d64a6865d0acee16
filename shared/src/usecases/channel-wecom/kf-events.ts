import { attachStaffReply } from '../knowledge/teach';
import type { Conversation, Message } from '../../domain/conversation';
import { assignServicer, changedTo, endSession, initialState, servicerReplied } from '../../domain/conversation-state';
import type { Merchant } from '../../domain/merchant';
import { WecomApiError, type KfMessage } from '../../ports/wecom';
import { NS, TEXTS, type WecomContext } from './context';
import { count } from '../reports/counters';
import { changeDelivery, readOutbox, writeOutbox } from './delivery';
import { ensureKfConversation, ensureKfCustomer } from './kf-customer';
import { messageIdFor, previewOf, sentAt, toMessage } from './kf-message';
import { outgoingMsgId } from './msgid';

export type KfItemResult = { status: 'handled' | 'ignored'; what: string };

const customerOf = (m: KfMessage) => m.external_userid || m.event?.external_userid || '';

/** Origin 5: a servicer's reply in the WeCom client, recorded in the thread (the bot stays out). */
export async function applyServicerMessage(ctx: WecomContext, merchant: Merchant, m: KfMessage): Promise<KfItemResult> {
  const { deps } = ctx;
  const ext = customerOf(m);
  const at = sentAt(m) || deps.clock.now();
  const conv = await ensureKfConversation(ctx, merchant.id, ext, m.open_kfid, initialState('human_in_wecom'));
  const message = toMessage(m, { merchantId: merchant.id, conversationId: conv.id, sender: 'servicer', at });
  await deps.storage.messages.add(message);
  if (message.type === 'text') await attachStaffReply(deps, merchant.id, conv.id, { text: message.text, at, by: 'servicer' });
  const now = deps.clock.now();
  await deps.storage.conversations.upsert({ ...servicerReplied(conv, now).conversation, lastMessagePreview: previewOf(message), updatedAt: now });
  if (conv.sessionStartedAt !== undefined && at >= conv.sessionStartedAt) {
    const eventId = `frt:${conv.id}:${conv.sessionStartedAt}`;
    await count(deps, merchant, [
      { name: 'firstResponseMsSum', at: conv.sessionStartedAt, eventId, amount: at - conv.sessionStartedAt },
      { name: 'firstResponseCount', at: conv.sessionStartedAt, eventId },
    ]);
  }
  return { status: 'handled', what: 'servicer_message' };
}

/** Origin 4: system events of the kf session. */
export async function applyKfEvent(ctx: WecomContext, merchant: Merchant, m: KfMessage): Promise<KfItemResult> {
  const ev = m.event;
  switch (ev?.event_type) {
    case 'enter_session':
      return enterSession(ctx, merchant, m);
    case 'msg_send_fail':
      return msgSendFail(ctx, merchant, m);
    case 'session_status_change':
      return sessionStatusChange(ctx, merchant, m);
    default:
      return { status: 'ignored', what: ev?.event_type ?? 'event' };
  }
}

async function welcomeText(ctx: WecomContext, merchant: Merchant): Promise<string> {
  const facts = await ctx.deps.storage.knowledge.getFacts(merchant.id);
  const custom = facts.kfWelcome ?? facts.welcome;
  return typeof custom === 'string' && custom.trim() ? custom.trim() : TEXTS.kfWelcome(merchant.name);
}

/** A customer opened the chat: first contact counts, and the welcome goes out once per welcome_code. */
async function enterSession(ctx: WecomContext, merchant: Merchant, m: KfMessage): Promise<KfItemResult> {
  const { deps } = ctx;
  const ev = m.event!;
  const ext = customerOf(m);
  const at = sentAt(m) || deps.clock.now();
  await ensureKfCustomer(ctx, merchant, ext, at, { sourceState: ev.scene_param || ev.scene || undefined });
  const conv = await ensureKfConversation(ctx, merchant.id, ext, ev.open_kfid || m.open_kfid, initialState('ai'));
  const code = ev.welcome_code;
  if (!code) return { status: 'handled', what: 'enter_session' };
  // once: whoever claims the code sends (a re-run or a second worker finds the claim)
  if (!(await deps.storage.kv.set(merchant.id, NS.welcome, code, { at: deps.clock.now() }, null, deps.clock.now()))) {
    return { status: 'handled', what: 'enter_session (welcome already sent)' };
  }
  const text = await welcomeText(ctx, merchant);
  const msgid = outgoingMsgId('welcome', code);
  const message: Message = {
    id: `out_${msgid}`,
    merchantId: merchant.id,
    conversationId: conv.id,
    sender: 'ai',
    at: deps.clock.now(),
    wecomMsgId: msgid,
    type: 'text',
    text,
  };
  try {
    await ctx.wecom.kfSendMsgOnEvent(merchant.id, { code, msgid, msgtype: 'text', text: { content: text } });
    await writeOutbox(deps, merchant.id, msgid, () => ({
      messageId: message.id,
      conversationId: conv.id,
      externalUserId: ext,
      status: 'sent',
      attempts: 1,
      updatedAt: deps.clock.now(),
    }));
    await deps.storage.messages.add({ ...message, delivery: 'sent' });
  } catch (err) {
    // the code is single-use and valid 20 s: no retry
    const api = err instanceof WecomApiError ? err : null;
    const error = (api ? `${api.errcode} ${api.errmsg}` : err instanceof Error ? err.message : String(err)).slice(0, 300);
    await writeOutbox(deps, merchant.id, msgid, () => ({
      messageId: message.id,
      conversationId: conv.id,
      externalUserId: ext,
      status: 'failed',
      attempts: 1,
      ...(api ? { errcode: api.errcode } : {}),
      error,
      updatedAt: deps.clock.now(),
    }));
    await deps.storage.messages.add({ ...message, delivery: 'failed' });
  }
  return { status: 'handled', what: 'enter_session' };
}

/** WeCom reports a send failed after it accepted it (fail_type 4 = >48 h, 6 = >5 messages, …). */
async function msgSendFail(ctx: WecomContext, merchant: Merchant, m: KfMessage): Promise<KfItemResult> {
  const { deps } = ctx;
  const ev = m.event!;
  const failMsgid = ev.fail_msgid ?? '';
  const rec = failMsgid ? await readOutbox(deps, merchant.id, failMsgid) : null;
  if (!rec) return { status: 'ignored', what: `msg_send_fail for unknown msgid ${failMsgid}` };
  await writeOutbox(deps, merchant.id, failMsgid, (cur) => ({
    ...(cur ?? rec),
    status: 'failed',
    failType: ev.fail_type ?? 0,
    error: `msg_send_fail fail_type ${ev.fail_type ?? 0}`,
    updatedAt: deps.clock.now(),
  }));
  await changeDelivery(deps, merchant.id, rec.messageId, 'failed');
  return { status: 'handled', what: 'msg_send_fail' };
}

/** Keeps our state in step with WeCom's session: taken by / transferred to a servicer, or ended. */
async function sessionStatusChange(ctx: WecomContext, merchant: Merchant, m: KfMessage): Promise<KfItemResult> {
  const { deps } = ctx;
  const ev = m.event!;
  const ext = customerOf(m);
  const now = deps.clock.now();
  const conv = await deps.storage.conversations.findByCustomer(merchant.id, ext, 'kf');
  let next: Conversation | null = null;
  if (ev.change_type === 3) {
    next = conv ? changedTo(endSession(conv, now)) : null;
  } else if ((ev.change_type === 1 || ev.change_type === 2) && ev.new_servicer_userid) {
    const base = conv ?? (await ensureKfConversation(ctx, merchant.id, ext, ev.open_kfid || m.open_kfid, initialState('human_in_wecom')));
    // the event joins the thread, so the conversation was touched even when the servicer already held it
    next = { ...assignServicer(base, now).conversation, updatedAt: now };
  } else {
    return { status: 'ignored', what: `session_status_change ${ev.change_type}` };
  }
  if (!next) return { status: 'handled', what: 'session_status_change (no change)' };
  await deps.storage.conversations.upsert(next);
  await deps.storage.messages.add({
    id: messageIdFor(m.msgid),
    merchantId: merchant.id,
    conversationId: next.id,
    sender: 'system',
    at: sentAt(m) || now,
    wecomMsgId: m.msgid,
    type: 'event',
    event: 'session_status_change',
    detail: { ...ev },
  });
  return { status: 'handled', what: `session_status_change ${ev.change_type}` };
}
