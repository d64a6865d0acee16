import type { Campaign, CampaignRecipient, RecipientStatus } from '@xiaoer/shared/domain/marketing';
import type { CampaignRepo, DeliveryTally, RecipientChange, RecipientCounts } from '@xiaoer/shared/ports/storage';
import { type Db, decodeCursor, encodeCursor, parse, parseAll, tx } from './db';

type Row = {
  merchant_id: string;
  campaign_id: string;
  customer_id: string;
  sender: string;
  variant: number;
  status: RecipientStatus;
  msgid: string | null;
  sent_at: number | null;
  replied_at: number | null;
  ordered_at: number | null;
  revenue_fen: number | null;
};

function recipientOf(r: Row): CampaignRecipient {
  const out: CampaignRecipient = { merchantId: r.merchant_id, campaignId: r.campaign_id, externalUserId: r.customer_id, sender: r.sender, variant: r.variant, status: r.status };
  if (r.msgid !== null) out.msgid = r.msgid;
  if (r.sent_at !== null) out.sentAt = r.sent_at;
  if (r.replied_at !== null) out.repliedAt = r.replied_at;
  if (r.ordered_at !== null) out.orderedAt = r.ordered_at;
  if (r.revenue_fen !== null) out.revenueFen = r.revenue_fen;
  return out;
}

const COLUMN: Record<Exclude<keyof RecipientChange, 'externalUserId'>, string> = {
  status: 'status',
  msgid: 'msgid',
  taskAt: 'at',
  sentAt: 'sent_at',
  repliedAt: 'replied_at',
  orderedAt: 'ordered_at',
  revenueFen: 'revenue_fen',
};

const INSERT_BATCH = 5_000;

export class SqliteCampaigns implements CampaignRepo {
  constructor(private db: Db) {}

  async put(c: Campaign, expectedRev: number | null) {
    if (expectedRev === null) {
      const r = this.db.prepare('INSERT OR IGNORE INTO campaigns (merchant_id, id, updated_at, doc) VALUES (?, ?, ?, ?)').run(c.merchantId, c.id, c.updatedAt, JSON.stringify(c));
      return r.changes === 1;
    }
    const r = this.db
      .prepare("UPDATE campaigns SET updated_at = ?, doc = ? WHERE merchant_id = ? AND id = ? AND COALESCE(json_extract(doc, '$.rev'), 0) = ?")
      .run(c.updatedAt, JSON.stringify(c), c.merchantId, c.id, expectedRev);
    return r.changes === 1;
  }
  async get(merchantId: string, id: string) {
    return parse<Campaign>(this.db.prepare('SELECT doc FROM campaigns WHERE merchant_id = ? AND id = ?').get(merchantId, id) as { doc: string } | undefined);
  }
  async list(merchantId: string, limit: number) {
    return parseAll<Campaign>(this.db.prepare('SELECT doc FROM campaigns WHERE merchant_id = ? ORDER BY updated_at DESC, id LIMIT ?').all(merchantId, limit));
  }

  /** One statement per batch (rows as a JSON array read by json_each): a 100k plan is 20 statements, not 100k. */
  async addRecipients(merchantId: string, campaignId: string, rows: CampaignRecipient[]) {
    const st = this.db.prepare(
      `INSERT OR IGNORE INTO campaign_recipients (merchant_id, campaign_id, customer_id, sender, variant, status, msgid, sent_at, replied_at, ordered_at, revenue_fen)
       SELECT ?, ?, r ->> '$[0]', r ->> '$[1]', r ->> '$[2]', r ->> '$[3]', r ->> '$[4]', r ->> '$[5]', r ->> '$[6]', r ->> '$[7]', r ->> '$[8]'
       FROM (SELECT value AS r FROM json_each(?))`,
    );
    return tx(this.db, () => {
      let n = 0;
      for (let i = 0; i < rows.length; i += INSERT_BATCH) {
        const batch = rows
          .slice(i, i + INSERT_BATCH)
          .map((r) => [r.externalUserId, r.sender, r.variant, r.status, r.msgid ?? null, r.sentAt ?? null, r.repliedAt ?? null, r.orderedAt ?? null, r.revenueFen ?? null]);
        n += st.run(merchantId, campaignId, JSON.stringify(batch)).changes;
      }
      return n;
    });
  }

  async listRecipients(merchantId: string, campaignId: string, q: { limit: number; cursor?: string; sender?: string; status?: RecipientStatus }) {
    const where = ['merchant_id = ?', 'campaign_id = ?', 'customer_id > ?'];
    const args: unknown[] = [merchantId, campaignId, decodeCursor(q.cursor)?.id ?? ''];
    if (q.sender) {
      where.push('sender = ?');
      args.push(q.sender);
    }
    if (q.status) {
      where.push('status = ?');
      args.push(q.status);
    }
    const rows = this.db.prepare(`SELECT * FROM campaign_recipients WHERE ${where.join(' AND ')} ORDER BY customer_id LIMIT ?`).all(...args, q.limit + 1) as Row[];
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return { items: page.map(recipientOf), nextCursor: rows.length > q.limit && last ? encodeCursor(0, last.customer_id) : null };
  }

  async updateRecipients(merchantId: string, campaignId: string, changes: RecipientChange[]) {
    const stmts = new Map<string, { run(...args: unknown[]): { changes: number } }>();
    return tx(this.db, () => {
      let n = 0;
      for (const ch of changes) {
        const keys = (Object.keys(COLUMN) as (keyof typeof COLUMN)[]).filter((k) => ch[k] !== undefined);
        if (!keys.length) continue;
        const sig = keys.join(',');
        let st = stmts.get(sig);
        if (!st) {
          st = this.db.prepare(`UPDATE campaign_recipients SET ${keys.map((k) => `${COLUMN[k]} = ?`).join(', ')} WHERE merchant_id = ? AND campaign_id = ? AND customer_id = ?`);
          stmts.set(sig, st);
        }
        n += st.run(...keys.map((k) => ch[k]), merchantId, campaignId, ch.externalUserId).changes;
      }
      return n;
    });
  }

  async removeRecipients(merchantId: string, campaignId: string) {
    this.db.prepare('DELETE FROM campaign_recipients WHERE merchant_id = ? AND campaign_id = ?').run(merchantId, campaignId);
  }

  async recipientCounts(merchantId: string, campaignId: string) {
    return this.db
      .prepare(
        `SELECT variant, status, COUNT(*) AS count, COUNT(replied_at) AS replied, COUNT(ordered_at) AS ordered, COALESCE(SUM(revenue_fen), 0) AS revenueFen
         FROM campaign_recipients WHERE merchant_id = ? AND campaign_id = ? GROUP BY variant, status ORDER BY variant, status`,
      )
      .all(merchantId, campaignId) as RecipientCounts[];
  }

  async deliveriesSince(merchantId: string, since: number) {
    const rows = this.db
      .prepare(
        `SELECT customer_id AS id, SUM(status IN ('sent', 'waiting')) AS used, MAX(sent_at) AS last, MAX(status = 'quota') AS hit
         FROM campaign_recipients WHERE merchant_id = ? AND at >= ? AND status IN ('sent', 'waiting', 'quota') GROUP BY customer_id`,
      )
      .raw(true)
      .all(merchantId, since) as [string, number, number | null, number][];
    return rows.map(([id, used, last, hit]): DeliveryTally => ({ externalUserId: id, used, ...(last !== null ? { lastSentAt: last } : {}), quotaHit: hit === 1 }));
  }

  async latestDelivery(merchantId: string, externalUserId: string, since: number) {
    const r = this.db
      .prepare("SELECT * FROM campaign_recipients WHERE merchant_id = ? AND customer_id = ? AND status = 'sent' AND sent_at >= ? ORDER BY sent_at DESC LIMIT 1")
      .get(merchantId, externalUserId, since) as Row | undefined;
    return r ? recipientOf(r) : null;
  }
}
