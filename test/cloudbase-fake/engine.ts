import crypto from 'node:crypto';
import { EJSON } from 'bson';

/** A document id as given, or a fresh random one. */
const idOf = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : crypto.randomBytes(16).toString('hex'));

/**
 * An in-memory document database with CloudBase's wire semantics, for tests and local trials:
 * the actions `@cloudbase/node-sdk` sends (database.getDocument, insertDocument, modifyDocument,
 * removeDocument, calculateDocument, addCollection), Mongo-style filters and update operators
 * in EJSON, CloudBase's limits (100 per get by default, never more than 1000, or a forced page
 * size to prove callers paginate), missing collections as errors, duplicate `_id` as
 * DATABASE_DUPLICATE_WRITE. It is a fake of the service, not the service: no indexes, no
 * transactions (callers must not need them), no aggregation.
 */

type Doc = Record<string, unknown>;
export class FakeDbError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface EngineOptions {
  /** Cap every page at this size (CloudBase: 1000) to prove callers paginate. */
  maxPage?: number;
  /** Create collections on first write instead of failing (CloudBase fails). */
  autoCreate?: boolean;
}

export class FakeEngine {
  readonly collections = new Map<string, Map<string, Doc>>();
  readonly log: { action: string; collection?: string }[] = [];
  constructor(private opts: EngineOptions = {}) {}

  // ---- helpers for tests --------------------------------------------------------------
  insert(collection: string, doc: Doc) {
    const c = this.coll(collection, true);
    const id = idOf(doc._id);
    c.set(id, structuredClone({ ...doc, _id: id }));
  }
  find(collection: string): Doc[] {
    return [...(this.collections.get(collection)?.values() ?? [])].map((d) => structuredClone(d));
  }
  setMaxPage(n: number | undefined) {
    this.opts.maxPage = n;
  }

  // ---- the wire protocol --------------------------------------------------------------
  handle(action: string, p: Record<string, any>): { data: unknown; requestId: string } {
    this.log.push({ action, collection: p.collectionName });
    const requestId = crypto.randomBytes(8).toString('hex');
    const data = this.dispatch(action, p);
    return { data, requestId };
  }

  private dispatch(action: string, p: Record<string, any>): unknown {
    if (p.transactionId) throw new FakeDbError('DATABASE_TRANSACTION_FAIL', 'transactions are not supported by this fake');
    switch (action) {
      case 'database.addCollection': {
        if (this.collections.has(p.collectionName)) throw new FakeDbError('DATABASE_COLLECTION_ALREADY_EXIST', `collection ${p.collectionName} already exists`);
        this.collections.set(p.collectionName, new Map());
        return {};
      }
      case 'database.getDocument': {
        const matched = this.match(p);
        const sorted = p.order ? sortDocs(matched, decode(p.order) as Record<string, number>) : matched;
        const offset = Number(p.offset ?? 0);
        const cap = Math.min(1000, this.opts.maxPage ?? 1000);
        const limit = Math.min(Number(p.limit ?? 100), cap);
        const page = sorted.slice(offset, offset + limit);
        return {
          list: page.map((d) => EJSON.stringify(project(d, p.projection ? (decode(p.projection) as Record<string, number>) : undefined), { relaxed: false })),
          limit,
          offset,
        };
      }
      case 'database.calculateDocument':
        return { total: this.match(p).length };
      case 'database.insertDocument': {
        const c = this.coll(p.collectionName, this.opts.autoCreate);
        const docs = (p.data as string[]).map((s) => decode(s) as Doc);
        const ids: string[] = [];
        for (const d of docs) {
          const id = idOf(d._id);
          if (c.has(id)) throw new FakeDbError('DATABASE_DUPLICATE_WRITE', `duplicate key: _id ${id}`);
          c.set(id, { ...d, _id: id });
          ids.push(id);
        }
        return { insertedIds: ids };
      }
      case 'database.modifyDocument': {
        const c = this.coll(p.collectionName, this.opts.autoCreate && p.upsert);
        const update = decode(p.data) as Doc;
        const targets = this.match(p);
        const chosen = p.multi ? targets : targets.slice(0, 1);
        const operators = Object.keys(update).some((k) => k.startsWith('$'));
        for (const d of chosen) {
          const next = p.merge === false && !operators ? { ...structuredClone(update), _id: d._id } : applyUpdate(d, update);
          c.set(String(d._id), next);
        }
        if (chosen.length === 0 && p.upsert) {
          const q = (p.query ? decode(p.query) : {}) as Doc;
          const id = idOf(q._id);
          c.set(id, operators ? applyUpdate({ _id: id }, update) : { ...structuredClone(update), _id: id });
          return { updated: 0, upsert_id: id };
        }
        return { updated: chosen.length };
      }
      case 'database.removeDocument': {
        const c = this.coll(p.collectionName);
        const targets = this.match(p);
        const chosen = p.multi ? targets : targets.slice(0, 1);
        for (const d of chosen) c.delete(String(d._id));
        return { deleted: chosen.length };
      }
      default:
        throw new FakeDbError('DATABASE_REQUEST_FAILED', `action ${action} is not supported by this fake`);
    }
  }

  private coll(name: string, create = false): Map<string, Doc> {
    let c = this.collections.get(name);
    if (!c) {
      if (!create) throw new FakeDbError('DATABASE_COLLECTION_NOT_EXIST', `collection ${name} does not exist`);
      c = new Map();
      this.collections.set(name, c);
    }
    return c;
  }

  private match(p: Record<string, any>): Doc[] {
    const c = this.coll(p.collectionName);
    const filter = p.query ? (decode(p.query) as Doc) : {};
    const out: Doc[] = [];
    for (const d of c.values()) if (matches(d, filter)) out.push(structuredClone(d));
    return out;
  }
}

const decode = (s: unknown): unknown => (typeof s === 'string' ? EJSON.parse(s, { relaxed: true }) : s);

// ---- filters ------------------------------------------------------------------------------

function get(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Doc)[part];
  }
  return cur;
}

function isRegex(v: unknown): v is { pattern: string; options: string } {
  return !!v && typeof v === 'object' && (v as { _bsontype?: string })._bsontype === 'BSONRegExp';
}

function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 1;
  if (typeof v === 'number') return 2;
  if (typeof v === 'string') return 3;
  if (typeof v === 'object' && !(v instanceof Date) && !Array.isArray(v)) return 4;
  if (Array.isArray(v)) return 5;
  if (typeof v === 'boolean') return 8;
  if (v instanceof Date) return 9;
  return 10;
}

export function compare(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0;
}

const equal = (a: unknown, b: unknown) => (a === undefined ? b === null || b === undefined : compare(a, b) === 0);

/** Mongo semantics: a condition on an array field holds if it holds for the array or any element. */
function anyValue(v: unknown, test: (x: unknown) => boolean): boolean {
  if (test(v)) return true;
  return Array.isArray(v) && v.some(test);
}

function matchCondition(value: unknown, cond: unknown): boolean {
  if (isRegex(cond)) return anyValue(value, (x) => typeof x === 'string' && new RegExp(cond.pattern, cond.options.replace(/[^imsu]/g, '')).test(x));
  if (cond && typeof cond === 'object' && !Array.isArray(cond) && !(cond instanceof Date) && Object.keys(cond).some((k) => k.startsWith('$'))) {
    return Object.entries(cond as Doc).every(([op, arg]) => {
      switch (op) {
        case '$eq':
          return anyValue(value, (x) => equal(x, arg));
        case '$ne':
          return !anyValue(value, (x) => equal(x, arg));
        case '$gt':
          return anyValue(value, (x) => x !== undefined && typeRank(x) === typeRank(arg) && compare(x, arg) > 0);
        case '$gte':
          return anyValue(value, (x) => x !== undefined && typeRank(x) === typeRank(arg) && compare(x, arg) >= 0);
        case '$lt':
          return anyValue(value, (x) => x !== undefined && typeRank(x) === typeRank(arg) && compare(x, arg) < 0);
        case '$lte':
          return anyValue(value, (x) => x !== undefined && typeRank(x) === typeRank(arg) && compare(x, arg) <= 0);
        case '$in':
          return (arg as unknown[]).some((a) => anyValue(value, (x) => (isRegex(a) ? matchCondition(x, a) : equal(x, a))));
        case '$nin':
          return !(arg as unknown[]).some((a) => anyValue(value, (x) => equal(x, a)));
        case '$exists':
          return (value !== undefined) === Boolean(arg);
        case '$size':
          return Array.isArray(value) && value.length === arg;
        case '$all':
          return Array.isArray(value) && (arg as unknown[]).every((a) => value.some((x) => equal(x, a)));
        case '$elemMatch':
          return Array.isArray(value) && value.some((x) => (x && typeof x === 'object' ? matches(x as Doc, arg as Doc) : matchCondition(x, arg)));
        case '$not':
          return !matchCondition(value, arg);
        default:
          throw new FakeDbError('DATABASE_REQUEST_FAILED', `query operator ${op} is not supported by this fake`);
      }
    });
  }
  return anyValue(value, (x) => equal(x, cond));
}

export function matches(doc: Doc, filter: Doc): boolean {
  return Object.entries(filter).every(([key, cond]) => {
    if (key === '$and') return (cond as Doc[]).every((f) => matches(doc, f));
    if (key === '$or') return (cond as Doc[]).some((f) => matches(doc, f));
    if (key === '$nor') return !(cond as Doc[]).some((f) => matches(doc, f));
    return matchCondition(get(doc, key), cond);
  });
}

function sortDocs(docs: Doc[], order: Record<string, number>): Doc[] {
  const keys = Object.entries(order);
  return [...docs].sort((a, b) => {
    for (const [k, dir] of keys) {
      const c = compare(get(a, k), get(b, k));
      if (c !== 0) return dir < 0 ? -c : c;
    }
    return 0;
  });
}

function project(doc: Doc, projection?: Record<string, number>): Doc {
  if (!projection || Object.keys(projection).length === 0) return doc;
  const include = Object.values(projection).some((v) => v === 1);
  const out: Doc = include ? { _id: doc._id } : { ...doc };
  for (const [k, v] of Object.entries(projection)) {
    if (include && v === 1 && k in doc) out[k] = doc[k];
    if (!include && v === 0) delete out[k];
  }
  return out;
}

// ---- updates ------------------------------------------------------------------------------

function setPath(doc: Doc, path: string, value: unknown) {
  const parts = path.split('.');
  let cur: Doc = doc;
  for (const part of parts.slice(0, -1)) {
    if (!cur[part] || typeof cur[part] !== 'object') cur[part] = {};
    cur = cur[part] as Doc;
  }
  cur[parts[parts.length - 1]] = value;
}

function unsetPath(doc: Doc, path: string) {
  const parts = path.split('.');
  const parent = parts.length > 1 ? get(doc, parts.slice(0, -1).join('.')) : doc;
  if (parent && typeof parent === 'object') delete (parent as Doc)[parts[parts.length - 1]];
}

export function applyUpdate(original: Doc, update: Doc): Doc {
  const doc = structuredClone(original);
  const plain: Doc = {};
  for (const [k, v] of Object.entries(update)) {
    if (!k.startsWith('$')) {
      plain[k] = v;
      continue;
    }
    for (const [path, arg] of Object.entries(v as Doc)) {
      const cur = get(doc, path);
      switch (k) {
        case '$set':
          setPath(doc, path, structuredClone(arg));
          break;
        case '$unset':
          unsetPath(doc, path);
          break;
        case '$inc':
          setPath(doc, path, (typeof cur === 'number' ? cur : 0) + (arg as number));
          break;
        case '$mul':
          setPath(doc, path, (typeof cur === 'number' ? cur : 0) * (arg as number));
          break;
        case '$min':
          if (cur === undefined || compare(arg, cur) < 0) setPath(doc, path, arg);
          break;
        case '$max':
          if (cur === undefined || compare(arg, cur) > 0) setPath(doc, path, arg);
          break;
        case '$push': {
          const items = arg && typeof arg === 'object' && '$each' in (arg as Doc) ? ((arg as Doc).$each as unknown[]) : [arg];
          setPath(doc, path, [...(Array.isArray(cur) ? cur : []), ...items]);
          break;
        }
        case '$addToSet': {
          const items = arg && typeof arg === 'object' && '$each' in (arg as Doc) ? ((arg as Doc).$each as unknown[]) : [arg];
          const next = [...(Array.isArray(cur) ? cur : [])];
          for (const i of items) if (!next.some((x) => equal(x, i))) next.push(i);
          setPath(doc, path, next);
          break;
        }
        case '$pull':
          setPath(
            doc,
            path,
            (Array.isArray(cur) ? cur : []).filter((x) => !matchCondition(x, arg)),
          );
          break;
        default:
          throw new FakeDbError('DATABASE_REQUEST_FAILED', `update operator ${k} is not supported by this fake`);
      }
    }
  }
  for (const [k, v] of Object.entries(plain)) setPath(doc, k, structuredClone(v));
  return doc;
}
