import type { Campaign, CampaignRecipient, RecipientStatus } from '@xiaoer/shared/domain/marketing';
import type { CampaignRepo, DeliveryTally, RecipientChange, RecipientCounts } from '@xiaoer/shared/ports/storage';
import { call, type CloudbaseDb, fromDoc, getById, insertOnce, readAll, toDoc } from './sdk';
import { withoutId } from './people';
import { decodeCursor, encodeCursor } from '../cursor';

const RECIPIENTS = 'campaign_recipients';
/** Insert batches in flight: enough to keep a 100k plan moving without flooding the database. */
const INSERTS_IN_FLIGHT = 16;

/**
 * Campaigns as documents with a `rev` for compare-and-set, recipients as one document each
 * (`<merchant>:<campaign>:<customer>`). The document database has no GROUP BY worth its round
 * trips: counts and tallies are summed here from projected reads.
 */
export class CloudbaseCampaigns implements CampaignRepo {
  constructor(private db: CloudbaseDb) {}
  private get c() {
    return this.db.collection('campaigns');
  }
  private get r() {
    return this.db.collection(RECIPIENTS);
  }

  async put(c: Campaign, expectedRev: number | null) {
    const id = `${c.merchantId}:${c.id}`;
    if (expectedRev === null) return insertOnce(this.c, toDoc(id, c));
    const _ = this.db.command;
    const rev = expectedRev === 0 ? _.or([{ rev: 0 }, { rev: _.exists(false) }]) : { rev: expectedRev };
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(withoutId(toDoc(id, c)))) fields[k] = v !== null && typeof v === 'object' ? _.set(v) : v;
    const r = await call(this.c.where(_.and([{ _id: id }, rev])).update(fields));
    return r.updated === 1;
  }
  async get(merchantId: string, id: string) {
    return fromDoc<Campaign>(await getById(this.c, `${merchantId}:${id}`));
  }
  async list(merchantId: string, limit: number) {
    return (await readAll(this.c.where({ merchantId }).orderBy('updatedAt', 'desc').orderBy('_id', 'asc'), limit)).map((d) => fromDoc<Campaign>(d)!);
  }

  async addRecipients(merchantId: string, campaignId: string, rows: CampaignRecipient[]) {
    let added = 0;
    for (let i = 0; i < rows.length; i += INSERTS_IN_FLIGHT) {
      const done = await Promise.all(
        rows.slice(i, i + INSERTS_IN_FLIGHT).map((row) => insertOnce(this.r, toDoc(`${merchantId}:${campaignId}:${row.externalUserId}`, { ...row, merchantId, campaignId }))),
      );
      added += done.filter(Boolean).length;
    }
    return added;
  }

  async listRecipients(merchantId: string, campaignId: string, q: { limit: number; cursor?: string; sender?: string; status?: RecipientStatus }) {
    const _ = this.db.command;
    const where: Record<string, unknown> = { merchantId, campaignId, externalUserId: _.gt(decodeCursor(q.cursor)?.id ?? '') };
    if (q.sender) where.sender = q.sender;
    if (q.status) where.status = q.status;
    const rows = (await readAll(this.r.where(where).orderBy('externalUserId', 'asc'), q.limit + 1)).map((d) => fromDoc<CampaignRecipient & { at?: number }>(d)!);
    const page = rows.slice(0, q.limit).map(({ at: _at, ...r }) => r);
    const last = page[page.length - 1];
    return { items: page, nextCursor: rows.length > q.limit && last ? encodeCursor(0, last.externalUserId) : null };
  }

  async updateRecipients(merchantId: string, campaignId: string, changes: RecipientChange[]) {
    let n = 0;
    for (const { externalUserId, taskAt, ...rest } of changes) {
      const fields: Record<string, unknown> = { ...rest, ...(taskAt !== undefined ? { at: taskAt } : {}) };
      for (const k of Object.keys(fields)) if (fields[k] === undefined) delete fields[k];
      if (!Object.keys(fields).length) continue;
      n += (await call(this.r.doc(`${merchantId}:${campaignId}:${externalUserId}`).update(fields))).updated;
    }
    return n;
  }

  async removeRecipients(merchantId: string, campaignId: string) {
    await call(this.r.where({ merchantId, campaignId }).remove());
  }

  async recipientCounts(merchantId: string, campaignId: string) {
    const rows = await readAll(this.r.where({ merchantId, campaignId }).field({ variant: true, status: true, repliedAt: true, orderedAt: true, revenueFen: true }));
    const out = new Map<string, RecipientCounts>();
    for (const d of rows) {
      const key = `${String(d.variant)}:${String(d.status)}`;
      const c = out.get(key) ?? { variant: Number(d.variant), status: d.status as RecipientStatus, count: 0, replied: 0, ordered: 0, revenueFen: 0 };
      c.count += 1;
      if (typeof d.repliedAt === 'number') c.replied += 1;
      if (typeof d.orderedAt === 'number') c.ordered += 1;
      if (typeof d.revenueFen === 'number') c.revenueFen += d.revenueFen;
      out.set(key, c);
    }
    return [...out.values()].sort((a, b) => a.variant - b.variant || (a.status < b.status ? -1 : 1));
  }

  async deliveriesSince(merchantId: string, since: number) {
    const _ = this.db.command;
    const rows = await readAll(
      this.r.where({ merchantId, at: _.gte(since), status: _.in(['sent', 'waiting', 'quota']) }).field({ externalUserId: true, status: true, sentAt: true }),
    );
    const out = new Map<string, DeliveryTally>();
    for (const d of rows) {
      const id = String(d.externalUserId);
      const t = out.get(id) ?? { externalUserId: id, used: 0, quotaHit: false };
      if (d.status === 'quota') t.quotaHit = true;
      else t.used += 1;
      if (typeof d.sentAt === 'number' && (t.lastSentAt === undefined || d.sentAt > t.lastSentAt)) t.lastSentAt = d.sentAt;
      out.set(id, t);
    }
    return [...out.values()];
  }

  async latestDelivery(merchantId: string, externalUserId: string, since: number) {
    const _ = this.db.command;
    const [d] = await readAll(this.r.where({ merchantId, externalUserId, status: 'sent', sentAt: _.gte(since) }).orderBy('sentAt', 'desc'), 1);
    if (!d) return null;
    const { at: _at, ...r } = fromDoc<CampaignRecipient & { at?: number }>(d)!;
    return r;
  }
}
