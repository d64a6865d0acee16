import type { Report, ReportKind } from '@xiaoer/shared/domain/report';
import type { ReportRepo } from '@xiaoer/shared/ports/storage';
import { call, type CloudbaseDb, fromDoc, getById, insertOnce, readAll, toDoc } from './sdk';
import { withoutId } from './people';

/** Stored reports, `_id` = merchant:kind:date; compare-and-set is a single-document conditional update on `rev`. */
export class CloudbaseReports implements ReportRepo {
  constructor(private db: CloudbaseDb) {}
  private get c() {
    return this.db.collection('reports');
  }
  private id(merchantId: string, kind: ReportKind, date: string) {
    return `${merchantId}:${kind}:${date}`;
  }

  async put(r: Report, expectedRev: number | null) {
    const id = this.id(r.merchantId, r.kind, r.date);
    if (expectedRev === null) return insertOnce(this.c, toDoc(id, r));
    const _ = this.db.command;
    const fields: Record<string, unknown> = {};
    // set() per field: an object value (numbers, push) must replace the stored one, not merge into it
    for (const [k, v] of Object.entries(withoutId(toDoc(id, r)))) fields[k] = v !== null && typeof v === 'object' ? _.set(v) : v;
    const res = await call(this.c.where({ _id: id, rev: expectedRev }).update(fields));
    return res.updated === 1;
  }

  async get(merchantId: string, kind: ReportKind, date: string) {
    return fromDoc<Report>(await getById(this.c, this.id(merchantId, kind, date)));
  }

  async list(merchantId: string, kind: ReportKind, limit: number, before?: string) {
    const _ = this.db.command;
    const where = before === undefined ? { merchantId, kind } : { merchantId, kind, date: _.lt(before) };
    return (await readAll(this.c.where(where).orderBy('date', 'desc'), limit)).map((d) => fromDoc<Report>(d)!);
  }
}
