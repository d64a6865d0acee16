import type { Message } from '../../domain/conversation';
import type { Deps } from '../../ports/deps';
import { NS } from './context';
import { readOutbox, settleDelivery, writeOutbox } from './delivery';
import { updateKv } from '../lib/kv-cas';

/**
 * The sends in flight per customer (kv `wecom.kf.inflight`): a part is noted before its outbox
 * record turns `pending` and dropped once it is settled. Every kf send runs under the customer's
 * lease, so whoever holds the lease and still finds a part here knows its sender died mid-send.
 *
 * The outbox alone found such a part only when the same reply was made again (same source, same
 * msgid). After a crash the customer's queue can group differently — an opener answered alone by
 * the dead process is typed together with its question by the time the next process looks — and
 * the orphan stayed `pending` for good, with its message answered a second time.
 */
export interface InflightPart {
  msgid: string;
  message: Message;
}

interface Inflight {
  parts: InflightPart[];
}

export async function noteInflight(deps: Deps, merchantId: string, externalUserId: string, part: InflightPart): Promise<void> {
  await updateKv<Inflight>(deps.storage.kv, merchantId, NS.inflight, externalUserId, deps.clock.now(), (cur) => {
    const parts = (cur?.parts ?? []).filter((p) => p.msgid !== part.msgid);
    return { parts: [...parts, part] };
  });
}

export async function clearInflight(deps: Deps, merchantId: string, externalUserId: string, msgids: string[]): Promise<void> {
  const drop = new Set(msgids);
  await updateKv<Inflight>(deps.storage.kv, merchantId, NS.inflight, externalUserId, deps.clock.now(), (cur) => {
    if (!cur?.parts.some((p) => drop.has(p.msgid))) return undefined;
    return { parts: cur.parts.filter((p) => !drop.has(p.msgid)) };
  });
}

/**
 * Call only while holding the customer's lease. Settles what a dead sender left: a `pending`
 * part becomes `unknown` (WeCom may have it; never sent again automatically, flagged for a
 * person, exactly as the outbox does for a repeated msgid). Returns our ids of the customer
 * messages those parts answered — sent or maybe sent — so the caller does not answer them again.
 */
export async function settleOrphans(deps: Deps, merchantId: string, externalUserId: string): Promise<string[]> {
  const left = (await deps.storage.kv.get<Inflight>(merchantId, NS.inflight, externalUserId))?.value.parts ?? [];
  if (!left.length) return [];
  const answered: string[] = [];
  for (const { msgid, message } of left) {
    const rec = await readOutbox(deps, merchantId, msgid);
    if (rec?.status === 'pending') {
      await writeOutbox(deps, merchantId, msgid, (cur) => (cur?.status === 'pending' ? { ...cur, status: 'unknown', updatedAt: deps.clock.now() } : undefined));
      await settleDelivery(deps, message, 'unknown', true);
    }
    if (rec && rec.status !== 'failed') answered.push(...(message.replyTo ?? []));
  }
  await clearInflight(
    deps,
    merchantId,
    externalUserId,
    left.map((p) => p.msgid),
  );
  return answered;
}
