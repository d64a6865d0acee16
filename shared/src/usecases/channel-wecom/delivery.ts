import type { Message } from '../../domain/conversation';
import type { Storage } from '../../ports/storage';
import type { Deps } from '../../ports/deps';
import { NS } from './context';
import { updateKv } from '../lib/kv-cas';
import { addUndelivered, removeUndelivered } from './undelivered';

export type Delivery = NonNullable<Message['delivery']>;

/**
 * The outbox's own record per outgoing WeCom msgid (kv `wecom.kf.outbox`): the truth about a
 * send, updated on every attempt and by msg_send_fail events.
 */
export interface OutboxRecord {
  messageId: string;
  conversationId: string;
  externalUserId: string;
  status: Delivery;
  attempts: number;
  errcode?: number;
  error?: string;
  /** msg_send_fail's fail_type when WeCom reported the failure later. */
  failType?: number;
  /** In the 没发出去 index (undelivered.ts): from a failed or unknown status until it is sent. */
  listed?: boolean;
  updatedAt: number;
}

export async function readOutbox(deps: Deps, merchantId: string, msgid: string): Promise<OutboxRecord | null> {
  return (await deps.storage.kv.get<OutboxRecord>(merchantId, NS.outbox, msgid))?.value ?? null;
}

/**
 * Every outbox write goes through here, and keeps the 没发出去 index in step: a record that turns
 * failed or unknown joins it, one that is sent leaves it (a pending resend stays listed until then).
 * The index is written after the record; a crash in between leaves it behind until the next write
 * of that msgid, which the thread's own 没发出去 label does not depend on.
 */
export async function writeOutbox(deps: Deps, merchantId: string, msgid: string, change: (cur: OutboxRecord | null) => OutboxRecord | undefined) {
  let was = false;
  let listed = false;
  const after = await updateKv<OutboxRecord>(deps.storage.kv, merchantId, NS.outbox, msgid, deps.clock.now(), (cur) => {
    const next = change(cur);
    was = cur?.listed === true;
    listed = !next ? was : next.status === 'failed' || next.status === 'unknown' ? true : next.status === 'sent' ? false : was;
    if (!next) return next;
    const { listed: _drop, ...rest } = next;
    return listed ? { ...rest, listed: true } : rest;
  });
  if (after && listed !== was) await (listed ? addUndelivered : removeUndelivered)(deps, merchantId, after.conversationId, after.messageId);
  return after;
}

/**
 * MessageRepo has no update yet. When a storage adapter offers
 * `setDelivery(merchantId, messageId, delivery)`, a reply is stored `pending` before the send and
 * moved to `sent`/`failed` after; without it the row is written once, with the outcome, when
 * the outcome is final (sent, or failed for good), and later changes live in the outbox record.
 */
interface DeliveryUpdater {
  setDelivery(merchantId: string, messageId: string, delivery: Delivery): Promise<unknown>;
}

function updater(storage: Storage): DeliveryUpdater | null {
  const repo = storage.messages as Storage['messages'] & Partial<DeliveryUpdater>;
  return typeof repo.setDelivery === 'function' ? (repo as unknown as DeliveryUpdater) : null;
}

export const canUpdateDelivery = (storage: Storage) => updater(storage) !== null;

/** Before a send: the row as pending (only when it can be updated later). */
export async function beginDelivery(deps: Deps, message: Message): Promise<void> {
  if (updater(deps.storage)) await deps.storage.messages.add({ ...message, delivery: 'pending' });
}

/** After a send attempt. `final`: no retry will follow (a failure is for good). */
export async function settleDelivery(deps: Deps, message: Message, delivery: Delivery, final: boolean): Promise<void> {
  const u = updater(deps.storage);
  if (u) {
    await deps.storage.messages.add({ ...message, delivery });
    await u.setDelivery(message.merchantId, message.id, delivery);
  } else if (delivery === 'sent' || final) {
    await deps.storage.messages.add({ ...message, delivery });
  }
}

/** A later change (msg_send_fail): the row follows when it can. */
export async function changeDelivery(deps: Deps, merchantId: string, messageId: string, delivery: Delivery): Promise<boolean> {
  const u = updater(deps.storage);
  if (!u) return false;
  await u.setDelivery(merchantId, messageId, delivery);
  return true;
}
