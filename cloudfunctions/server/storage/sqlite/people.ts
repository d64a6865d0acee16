import type { Merchant, Store } from '@xiaoer/shared/domain/merchant';
import type { Invite, Member } from '@xiaoer/shared/domain/member';
import type { InviteRepo, MemberRepo, MerchantRepo, StoreRepo } from '@xiaoer/shared/ports/storage';
import { AppError } from '@xiaoer/shared/domain/errors';
import { type Db, parse, parseAll, tx } from './db';
import { ReadCache } from './read-cache';

export class SqliteMerchants implements MerchantRepo {
  /** `cache`: a shop is read on every callback and order delivery and rarely written (read-cache.ts). */
  constructor(
    private db: Db,
    private cache = new ReadCache(db),
  ) {}
  async create(m: Merchant) {
    this.cache.forget('merchants', m.id);
    const r = this.db.prepare('INSERT OR IGNORE INTO merchants (id, doc, created_at) VALUES (?, ?, ?)').run(m.id, JSON.stringify(m), m.createdAt);
    if (r.changes === 0) throw new AppError('CONFLICT.MERCHANT_EXISTS', `店铺 ${m.id} 已经存在`);
  }
  async get(merchantId: string) {
    const read = () => this.db.prepare('SELECT doc FROM merchants WHERE id = ?').get(merchantId) as { doc: string } | undefined;
    return parse<Merchant>(this.cache.row('merchants', merchantId, read, (r) => r.doc.length));
  }
  async save(m: Merchant) {
    this.cache.forget('merchants', m.id);
    const r = this.db.prepare('UPDATE merchants SET doc = ? WHERE id = ?').run(JSON.stringify(m), m.id);
    if (r.changes === 0) throw new AppError('NOT_FOUND.MERCHANT', '没找到这家店');
  }
  async listAll() {
    return parseAll<Merchant>(this.db.prepare('SELECT doc FROM merchants ORDER BY created_at, id').all());
  }
}

export class SqliteStores implements StoreRepo {
  constructor(private db: Db) {}
  async upsert(s: Store) {
    this.db.prepare('INSERT INTO stores (merchant_id, id, doc) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET doc = excluded.doc').run(s.merchantId, s.id, JSON.stringify(s));
  }
  async list(merchantId: string) {
    return parseAll<Store>(this.db.prepare('SELECT doc FROM stores WHERE merchant_id = ? ORDER BY id').all(merchantId));
  }
}

export class SqliteMembers implements MemberRepo {
  constructor(private db: Db) {}
  async add(m: Member) {
    const r = this.db.prepare('INSERT OR IGNORE INTO members (merchant_id, id, openid, doc) VALUES (?, ?, ?, ?)').run(m.merchantId, m.id, m.openid ?? null, JSON.stringify(m));
    if (r.changes === 0) throw new AppError('CONFLICT.MEMBER_EXISTS', '这个人已经是店里的成员了');
  }
  async get(merchantId: string, memberId: string) {
    return parse<Member>(this.db.prepare('SELECT doc FROM members WHERE merchant_id = ? AND id = ?').get(merchantId, memberId) as { doc: string } | undefined);
  }
  async save(m: Member) {
    const r = this.db.prepare('UPDATE members SET openid = ?, doc = ? WHERE merchant_id = ? AND id = ?').run(m.openid ?? null, JSON.stringify(m), m.merchantId, m.id);
    if (r.changes === 0) throw new AppError('NOT_FOUND.MEMBER', '没找到这个店员');
  }
  async list(merchantId: string) {
    return parseAll<Member>(this.db.prepare('SELECT doc FROM members WHERE merchant_id = ? ORDER BY id').all(merchantId));
  }
  async findByOpenid(merchantId: string, openid: string) {
    return parse<Member>(this.db.prepare('SELECT doc FROM members WHERE merchant_id = ? AND openid = ?').get(merchantId, openid) as { doc: string } | undefined);
  }
  async listByOpenid(openid: string) {
    return parseAll<Member>(this.db.prepare('SELECT doc FROM members WHERE openid = ? ORDER BY merchant_id').all(openid));
  }
  async remove(merchantId: string, memberId: string) {
    return this.db.prepare('DELETE FROM members WHERE merchant_id = ? AND id = ?').run(merchantId, memberId).changes > 0;
  }
}

export class SqliteInvites implements InviteRepo {
  constructor(private db: Db) {}
  async create(i: Invite) {
    const r = this.db
      .prepare('INSERT OR IGNORE INTO invites (code, merchant_id, expires_at, used_at, doc) VALUES (?, ?, ?, NULL, ?)')
      .run(i.code, i.merchantId, i.expiresAt, JSON.stringify(i));
    if (r.changes === 0) throw new AppError('CONFLICT.INVITE_EXISTS', '邀请码重复了，请再生成一次');
  }
  async redeem(code: string, usedBy: string, now: number) {
    return tx(this.db, () => {
      const row = this.db.prepare('SELECT doc FROM invites WHERE code = ? AND used_at IS NULL AND expires_at > ?').get(code, now) as { doc: string } | undefined;
      if (!row) return null;
      const used: Invite = { ...(JSON.parse(row.doc) as Invite), usedAt: now, usedBy };
      const r = this.db.prepare('UPDATE invites SET used_at = ?, doc = ? WHERE code = ? AND used_at IS NULL').run(now, JSON.stringify(used), code);
      return r.changes === 1 ? used : null;
    });
  }
  async find(code: string) {
    return parse<Invite>(this.db.prepare('SELECT doc FROM invites WHERE code = ?').get(code) as { doc: string } | undefined);
  }
  async list(merchantId: string) {
    return parseAll<Invite>(this.db.prepare('SELECT doc FROM invites WHERE merchant_id = ? ORDER BY expires_at DESC').all(merchantId));
  }
}
