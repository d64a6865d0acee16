import type { Merchant, Store } from '@xiaoer/shared/domain/merchant';
import type { Invite, Member } from '@xiaoer/shared/domain/member';
import type { InviteRepo, MemberRepo, MerchantRepo, StoreRepo } from '@xiaoer/shared/ports/storage';
import { AppError } from '@xiaoer/shared/domain/errors';
import { call, type CloudbaseDb, fromDoc, getById, insertOnce, readAll, toDoc } from './sdk';

export class CloudbaseMerchants implements MerchantRepo {
  constructor(private db: CloudbaseDb) {}
  private get c() {
    return this.db.collection('merchants');
  }
  async create(m: Merchant) {
    if (!(await insertOnce(this.c, toDoc(m.id, m)))) throw new AppError('CONFLICT.MERCHANT_EXISTS', `店铺 ${m.id} 已经存在`);
  }
  async get(merchantId: string) {
    return fromDoc<Merchant>(await getById(this.c, merchantId));
  }
  async save(m: Merchant) {
    if (!(await getById(this.c, m.id))) throw new AppError('NOT_FOUND.MERCHANT', '没找到这家店');
    // set() replaces the document: fields removed from the merchant disappear too
    await call(this.c.doc(m.id).set(withoutId(toDoc(m.id, m))));
  }
  async listAll() {
    return (await readAll(this.c.where({}).orderBy('createdAt', 'asc').orderBy('_id', 'asc'))).map((d) => fromDoc<Merchant>(d)!);
  }
}

/** `doc.set` refuses an `_id` in the data: it is the document's own id. */
export function withoutId(doc: Record<string, unknown>) {
  const { _id: _ignored, ...rest } = doc;
  return rest;
}

export class CloudbaseStores implements StoreRepo {
  constructor(private db: CloudbaseDb) {}
  async upsert(s: Store) {
    const id = `${s.merchantId}:${s.id}`;
    await call(
      this.db
        .collection('stores')
        .doc(id)
        .set(withoutId(toDoc(id, s))),
    );
  }
  async list(merchantId: string) {
    return (await readAll(this.db.collection('stores').where({ merchantId }).orderBy('id', 'asc'))).map((d) => fromDoc<Store>(d)!);
  }
}

export class CloudbaseMembers implements MemberRepo {
  constructor(private db: CloudbaseDb) {}
  private get c() {
    return this.db.collection('members');
  }
  async add(m: Member) {
    if (!(await insertOnce(this.c, toDoc(`${m.merchantId}:${m.id}`, m)))) throw new AppError('CONFLICT.MEMBER_EXISTS', '这个人已经是店里的成员了');
  }
  async get(merchantId: string, memberId: string) {
    return fromDoc<Member>(await getById(this.c, `${merchantId}:${memberId}`));
  }
  async save(m: Member) {
    const id = `${m.merchantId}:${m.id}`;
    if (!(await getById(this.c, id))) throw new AppError('NOT_FOUND.MEMBER', '没找到这个店员');
    await call(this.c.doc(id).set(withoutId(toDoc(id, m))));
  }
  async list(merchantId: string) {
    return (await readAll(this.c.where({ merchantId }).orderBy('id', 'asc'))).map((d) => fromDoc<Member>(d)!);
  }
  async findByOpenid(merchantId: string, openid: string) {
    return fromDoc<Member>((await readAll(this.c.where({ merchantId, openid }), 1))[0]);
  }
  async listByOpenid(openid: string) {
    return (await readAll(this.c.where({ openid }).orderBy('merchantId', 'asc'))).map((d) => fromDoc<Member>(d)!);
  }
  async remove(merchantId: string, memberId: string) {
    return (await call(this.c.doc(`${merchantId}:${memberId}`).remove())).deleted > 0;
  }
}

export class CloudbaseInvites implements InviteRepo {
  constructor(private db: CloudbaseDb) {}
  private get c() {
    return this.db.collection('invites');
  }
  async create(i: Invite) {
    if (!(await insertOnce(this.c, toDoc(i.code, i, { idx_used: false })))) throw new AppError('CONFLICT.INVITE_EXISTS', '邀请码重复了，请再生成一次');
  }
  async redeem(code: string, usedBy: string, now: number) {
    const _ = this.db.command;
    // compare-and-set on one document: only one redeemer can flip `idx_used`
    const r = await call(this.c.where({ _id: code, idx_used: false, expiresAt: _.gt(now) }).update({ idx_used: true, usedAt: now, usedBy }));
    if (r.updated !== 1) return null;
    return fromDoc<Invite>(await getById(this.c, code));
  }
  async find(code: string) {
    return fromDoc<Invite>(await getById(this.c, code));
  }
  async list(merchantId: string) {
    return (await readAll(this.c.where({ merchantId }).orderBy('expiresAt', 'desc'))).map((d) => fromDoc<Invite>(d)!);
  }
}
