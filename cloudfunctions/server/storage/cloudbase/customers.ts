import type { Customer } from '@xiaoer/shared/domain/customer';
import type { Conversation, Message } from '@xiaoer/shared/domain/conversation';
import type { ConversationQuery, ConversationRepo, CustomerFacts, CustomerQuery, CustomerRepo, CustomerSort, MessageRepo } from '@xiaoer/shared/ports/storage';
import { call, type CloudbaseDb, escapeRegExp, fromDoc, getById, insertOnce, readAll, toDoc } from './sdk';
import { withoutId } from './people';
import { decodeCursor, encodeCursor } from '../cursor';

const activity = (c: Customer) => c.lastMessageAt ?? c.lastOrderAt ?? c.createdAt;

/** The field each sort orders by (indexes in ./index.ts). */
const SORT_FIELD: Record<CustomerSort, string> = { lastVisit: 'idx_lastActive', spend: 'totalSpentFen', added: 'createdAt' };

/** Only what tag rules read comes back from the database (a projection), not whole documents. */
const FACT_FIELDS = Object.fromEntries(
  [
    'externalUserId',
    'name',
    'tags',
    'totalSpentFen',
    'orderCount',
    'lastOrderAt',
    'lastMessageAt',
    'createdAt',
    'categories',
    'source',
    'sourceState',
    'birthday',
    'storeId',
    'followUserId',
    'lost',
    'firstOrderAt',
    'optedOutAt',
    'campaignReplyAt',
  ].map((k) => [k, true]),
);

function factsOf(d: Record<string, unknown>): CustomerFacts {
  const out: CustomerFacts = {
    externalUserId: String(d.externalUserId),
    name: (d.name as string | undefined) ?? '',
    tags: (d.tags as string[] | undefined) ?? [],
    totalSpentFen: (d.totalSpentFen as number | undefined) ?? 0,
    orderCount: (d.orderCount as number | undefined) ?? 0,
    createdAt: d.createdAt as number,
    source: (d.source as string | undefined) ?? 'other',
    lost: d.lost === true,
  };
  const birthday = d.birthday as { month?: number; day?: number } | undefined;
  if (typeof d.lastOrderAt === 'number') out.lastOrderAt = d.lastOrderAt;
  if (typeof d.lastMessageAt === 'number') out.lastMessageAt = d.lastMessageAt;
  if (Array.isArray(d.categories)) out.categories = d.categories as string[];
  if (typeof d.sourceState === 'string') out.sourceState = d.sourceState;
  if (typeof birthday?.month === 'number') out.birthdayMonth = birthday.month;
  if (typeof birthday?.day === 'number') out.birthdayDay = birthday.day;
  if (typeof d.firstOrderAt === 'number') out.firstOrderAt = d.firstOrderAt;
  if (typeof d.optedOutAt === 'number') out.optedOutAt = d.optedOutAt;
  if (typeof d.campaignReplyAt === 'number') out.campaignReplyAt = d.campaignReplyAt;
  if (typeof d.storeId === 'string') out.storeId = d.storeId;
  if (typeof d.followUserId === 'string') out.followUserId = d.followUserId;
  return out;
}

/** Keyset paging on (sortField desc, _id asc): the next page starts after the cursor. */
function after(db: CloudbaseDb, field: string, cursor: string | undefined, merchantId: string) {
  const cur = decodeCursor(cursor);
  if (!cur) return null;
  const _ = db.command;
  return _.or([{ [field]: _.lt(cur.sort) }, { [field]: cur.sort, _id: _.gt(`${merchantId}:${cur.id}`) }]);
}

export class CloudbaseCustomers implements CustomerRepo {
  constructor(private db: CloudbaseDb) {}
  private get c() {
    return this.db.collection('customers');
  }
  async upsert(c: Customer) {
    const id = `${c.merchantId}:${c.externalUserId}`;
    await call(this.c.doc(id).set(withoutId(toDoc(id, c, { idx_lastActive: activity(c) }))));
  }
  async get(merchantId: string, externalUserId: string) {
    return fromDoc<Customer>(await getById(this.c, `${merchantId}:${externalUserId}`));
  }
  async findByPhone(merchantId: string, phone: string) {
    const [d] = await readAll(this.c.where({ merchantId, phone }).orderBy('idx_lastActive', 'desc').orderBy('_id', 'asc'), 1);
    return fromDoc<Customer>(d);
  }
  async list(merchantId: string, q: CustomerQuery) {
    const _ = this.db.command;
    const conds: object[] = [{ merchantId }];
    const tags = [...new Set([...(q.tag ? [q.tag] : []), ...(q.tags ?? [])])];
    if (tags.length) conds.push({ tags: q.tagMode === 'any' ? _.in(tags) : _.all(tags) });
    if (q.search) {
      const re = this.db.RegExp({ regexp: escapeRegExp(q.search), options: 'i' });
      conds.push(_.or([{ name: re }, { phone: re }]));
    }
    const total = (await call(this.c.where(_.and(conds)).count())).total;
    const field = SORT_FIELD[q.sort ?? 'lastVisit'];
    const cur = after(this.db, field, q.cursor, merchantId);
    if (cur) conds.push(cur);
    const rows = await readAll(this.c.where(_.and(conds)).orderBy(field, 'desc').orderBy('_id', 'asc'), q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((d) => fromDoc<Customer>(d)!),
      nextCursor: rows.length > q.limit && last ? encodeCursor(Number(last[field] ?? 0), String(last.externalUserId)) : null,
      total,
    };
  }
  async listFacts(merchantId: string, q: { limit: number; cursor?: string }) {
    const _ = this.db.command;
    const from = decodeCursor(q.cursor);
    // _id is `<merchantId>:<externalUserId>`: within one merchant it orders as the id does
    const where = from ? { merchantId, _id: _.gt(`${merchantId}:${from.id}`) } : { merchantId };
    const rows = await readAll(this.c.where(where).field(FACT_FIELDS).orderBy('_id', 'asc'), q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return { items: page.map(factsOf), nextCursor: rows.length > q.limit && last ? encodeCursor(0, String(last.externalUserId)) : null };
  }
  async count(merchantId: string) {
    return (await call(this.c.where({ merchantId }).count())).total;
  }
  async remove(merchantId: string, externalUserId: string) {
    await call(this.c.doc(`${merchantId}:${externalUserId}`).remove());
  }
}

export class CloudbaseConversations implements ConversationRepo {
  constructor(private db: CloudbaseDb) {}
  private get c() {
    return this.db.collection('conversations');
  }
  async upsert(c: Conversation) {
    const id = `${c.merchantId}:${c.id}`;
    const waiting = c.state === 'waiting_human' ? (c.waitingSince ?? c.updatedAt) : undefined;
    await call(this.c.doc(id).set(withoutId(toDoc(id, c, { idx_waitingSince: waiting }))));
  }
  async get(merchantId: string, id: string) {
    return fromDoc<Conversation>(await getById(this.c, `${merchantId}:${id}`));
  }
  async findByCustomer(merchantId: string, externalUserId: string, channel: Conversation['channel']) {
    return fromDoc<Conversation>((await readAll(this.c.where({ merchantId, externalUserId, channel }), 1))[0]);
  }
  async list(merchantId: string, q: ConversationQuery) {
    const _ = this.db.command;
    const conds: object[] = [{ merchantId }];
    if (q.states?.length) conds.push({ state: _.in(q.states) });
    const cur = after(this.db, 'updatedAt', q.cursor, merchantId);
    if (cur) conds.push(cur);
    const rows = await readAll(this.c.where(_.and(conds)).orderBy('updatedAt', 'desc').orderBy('_id', 'asc'), q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((d) => fromDoc<Conversation>(d)!),
      nextCursor: rows.length > q.limit && last ? encodeCursor(last.updatedAt as number, String(last.id)) : null,
    };
  }
  async countByState(merchantId: string, state: Conversation['state']) {
    return (await call(this.c.where({ merchantId, state }).count())).total;
  }
  async listWaitingSince(merchantId: string, before: number, limit: number) {
    const _ = this.db.command;
    const rows = await readAll(this.c.where({ merchantId, state: 'waiting_human', idx_waitingSince: _.lt(before) }).orderBy('idx_waitingSince', 'asc'), limit);
    return rows.map((d) => fromDoc<Conversation>(d)!);
  }
  async removeByCustomer(merchantId: string, externalUserId: string) {
    const ids = (await readAll(this.c.where({ merchantId, externalUserId }))).map((d) => String(d.id));
    await call(this.c.where({ merchantId, externalUserId }).remove());
    return ids;
  }
}

export class CloudbaseMessages implements MessageRepo {
  constructor(private db: CloudbaseDb) {}
  private get c() {
    return this.db.collection('messages');
  }
  async add(m: Message) {
    return insertOnce(this.c, toDoc(`${m.merchantId}:${m.id}`, m));
  }
  async listByConversation(merchantId: string, conversationId: string, limit: number, before?: { at: number; id: string }) {
    const _ = this.db.command;
    // _id is `<merchantId>:<id>`: within one merchant it orders as the id does
    const older = before ? [_.or([{ at: _.lt(before.at) }, { at: before.at, _id: _.lt(`${merchantId}:${before.id}`) }])] : [];
    const where = older.length ? _.and([{ merchantId, conversationId }, ...older]) : { merchantId, conversationId };
    const rows = await readAll(this.c.where(where).orderBy('at', 'desc').orderBy('_id', 'desc'), limit);
    return rows.map((d) => fromDoc<Message>(d)!).reverse();
  }
  async setDelivery(merchantId: string, messageId: string, delivery: NonNullable<Message['delivery']>) {
    return (await call(this.c.doc(`${merchantId}:${messageId}`).update({ delivery }))).updated === 1;
  }
  async removeByConversation(merchantId: string, conversationId: string) {
    return (await call(this.c.where({ merchantId, conversationId }).remove())).deleted;
  }
}
