import { AppError } from '@xiaoer/shared/domain/errors';
import type { CollectionName } from './collections';

/**
 * The part of the CloudBase database API (`app.database()` of @cloudbase/node-sdk) the adapter
 * uses. Keeping it this small is deliberate: every call here is one the SDK serialises to a
 * plain wire action (getDocument, insertDocument, modifyDocument, removeDocument,
 * calculateDocument, addCollection) that any server speaking the protocol implements.
 */
export interface CloudbaseQuery {
  where(filter: object): CloudbaseQuery;
  orderBy(field: string, dir: 'asc' | 'desc'): CloudbaseQuery;
  skip(n: number): CloudbaseQuery;
  limit(n: number): CloudbaseQuery;
  field(projection: Record<string, boolean>): CloudbaseQuery;
  get(): Promise<{ data: Record<string, unknown>[] }>;
  count(): Promise<{ total: number }>;
  update(data: object): Promise<{ updated: number }>;
  remove(): Promise<{ deleted: number }>;
}
export interface CloudbaseDocRef {
  get(): Promise<{ data: Record<string, unknown>[] }>;
  set(data: object): Promise<unknown>;
  update(data: object): Promise<{ updated: number }>;
  remove(): Promise<{ deleted: number }>;
}
export interface CloudbaseCollection extends CloudbaseQuery {
  doc(id: string): CloudbaseDocRef;
  add(data: object): Promise<{ id?: string }>;
}
export interface CloudbaseDb {
  collection(name: CollectionName): CloudbaseCollection;
  // the SDK's command builders are untyped objects that only its serializer understands
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SDK ships no types for them
  command: any;
  RegExp(opts: { regexp: string; options?: string }): unknown;
  createCollection(name: string): Promise<unknown>;
}

export const SCHEMA_VERSION = 1;
/** CloudBase returns at most 1000 documents per get, 100 when no limit is given. */
export const MAX_PAGE = 1000;

export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : '';
}

/** A duplicate `_id` on insert is the idempotency signal (the document already exists). */
export function isDuplicate(err: unknown): boolean {
  return errorCode(err) === 'DATABASE_DUPLICATE_WRITE' || /duplicate/i.test(String((err as Error)?.message ?? ''));
}

/** Inserts; false when a document with this `_id` already exists. */
export async function insertOnce(coll: CloudbaseCollection, doc: object): Promise<boolean> {
  try {
    await coll.add(doc);
    return true;
  } catch (err) {
    if (isDuplicate(err)) return false;
    throw wrap(err);
  }
}

export function wrap(err: unknown): Error {
  if (err instanceof AppError) return err;
  const code = errorCode(err) || 'UNKNOWN';
  return new AppError('STORAGE.CLOUDBASE', `云数据库出错了（${code}）`, 503, { cause: String((err as Error)?.message ?? err).slice(0, 300) });
}

/** Stored document → domain object: drops `_id`, `schemaVersion` and our `idx_` query fields. */
export function fromDoc<T>(doc: Record<string, unknown> | undefined): T | null {
  if (!doc) return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (k === '_id' || k === 'schemaVersion' || k.startsWith('idx_')) continue;
    out[k] = v;
  }
  return out as T;
}

/** Domain object → stored document (undefined fields dropped, as JSON would). */
export function toDoc(id: string, value: object, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { _id: id };
  for (const [k, v] of Object.entries({ ...value, ...extra })) if (v !== undefined) out[k] = v;
  out.schemaVersion = SCHEMA_VERSION;
  return out;
}

/**
 * Reads up to `wanted` documents, page by page. It never trusts a page to be full: a server
 * may cap pages below what was asked (CloudBase caps at 1000, tests at 3), so it stops only on
 * an empty page or when it has enough.
 */
export async function readAll(query: CloudbaseQuery, wanted = Number.POSITIVE_INFINITY): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  try {
    while (out.length < wanted) {
      const ask = Math.min(MAX_PAGE, wanted - out.length);
      const page = (await query.skip(out.length).limit(ask).get()).data;
      if (page.length === 0) break;
      out.push(...page);
    }
  } catch (err) {
    throw wrap(err);
  }
  return out;
}

export async function getById(coll: CloudbaseCollection, id: string): Promise<Record<string, unknown> | undefined> {
  try {
    return (await coll.doc(id).get()).data[0];
  } catch (err) {
    throw wrap(err);
  }
}

export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Awaits an SDK call, turning its errors into the product's. */
export function call<T>(p: Promise<T>): Promise<T> {
  return p.catch((err) => Promise.reject(wrap(err)));
}

/** The same database with every collection name prefixed (separate tenants of one env, test runs). */
export function withPrefix(db: CloudbaseDb, prefix: string): CloudbaseDb {
  if (!prefix) return db;
  return {
    command: db.command,
    RegExp: (o) => db.RegExp(o),
    // prefixed names are test tenants of the same collections (the SDK takes any string)
    collection: (name) => db.collection((prefix + name) as CollectionName),
    createCollection: (name) => db.createCollection(prefix + name),
  };
}
