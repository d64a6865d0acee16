import type { KvEntry, KvRepo } from '@xiaoer/shared/ports/storage';
import { call, type CloudbaseDb, getById, insertOnce, readAll, toDoc } from './sdk';

type Doc = { key: string; value: unknown; version: number; updatedAt: number };
const entry = <T>(d: Record<string, unknown>): KvEntry<T> => ({ key: String(d.key), value: d.value as T, version: Number(d.version), updatedAt: Number(d.updatedAt) });

/** Compare-and-set is a single-document conditional update on `version`. */
export class CloudbaseKv implements KvRepo {
  constructor(private db: CloudbaseDb) {}
  private get c() {
    return this.db.collection('kv');
  }
  private id(merchantId: string, ns: string, key: string) {
    return `${merchantId}:${ns}:${key}`;
  }
  async get<T>(merchantId: string, ns: string, key: string) {
    const d = await getById(this.c, this.id(merchantId, ns, key));
    return d ? entry<T>(d) : null;
  }
  async set(merchantId: string, ns: string, key: string, value: unknown, expectedVersion: number | null, now: number) {
    const id = this.id(merchantId, ns, key);
    if (expectedVersion === null) {
      const doc: Doc & { merchantId: string; ns: string } = { merchantId, ns, key, value: value ?? null, version: 1, updatedAt: now };
      return insertOnce(this.c, toDoc(id, doc));
    }
    const _ = this.db.command;
    // set() of the whole value: an object value must replace, not merge into, the old one
    const r = await call(this.c.where({ _id: id, version: expectedVersion }).update({ value: _.set(value ?? null), version: expectedVersion + 1, updatedAt: now }));
    return r.updated === 1;
  }
  async delete(merchantId: string, ns: string, key: string) {
    await call(this.c.doc(this.id(merchantId, ns, key)).remove());
  }
  async prune(ns: string, before: number, limit: number) {
    const _ = this.db.command;
    // no transaction or delete-with-limit: read the ids, then remove exactly those
    const old = await readAll(this.c.where({ ns, updatedAt: _.lt(before) }).orderBy('updatedAt', 'asc'), limit);
    const ids = old.map((d) => String(d._id));
    if (!ids.length) return 0;
    const r = await call(this.c.where({ _id: _.in(ids), updatedAt: _.lt(before) }).remove());
    return Number((r as { deleted?: number }).deleted ?? ids.length);
  }
  async list<T>(merchantId: string, ns: string, limit: number) {
    return (await readAll(this.c.where({ merchantId, ns }).orderBy('key', 'asc'), limit)).map((d) => entry<T>(d));
  }
}
