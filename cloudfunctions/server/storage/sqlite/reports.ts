import type { Report, ReportKind } from '@xiaoer/shared/domain/report';
import type { ReportRepo } from '@xiaoer/shared/ports/storage';
import { type Db, parse, parseAll } from './db';

/** Stored reports; compare-and-set on the `rev` column (one statement each: atomic without a transaction). */
export class SqliteReports implements ReportRepo {
  constructor(private db: Db) {}

  async put(r: Report, expectedRev: number | null) {
    const doc = JSON.stringify(r);
    const res =
      expectedRev === null
        ? this.db.prepare('INSERT OR IGNORE INTO reports (merchant_id, kind, date, rev, doc) VALUES (?, ?, ?, ?, ?)').run(r.merchantId, r.kind, r.date, r.rev, doc)
        : this.db
            .prepare('UPDATE reports SET rev = ?, doc = ? WHERE merchant_id = ? AND kind = ? AND date = ? AND rev = ?')
            .run(r.rev, doc, r.merchantId, r.kind, r.date, expectedRev);
    return res.changes === 1;
  }

  async get(merchantId: string, kind: ReportKind, date: string) {
    return parse<Report>(this.db.prepare('SELECT doc FROM reports WHERE merchant_id = ? AND kind = ? AND date = ?').get(merchantId, kind, date) as { doc: string } | undefined);
  }

  async list(merchantId: string, kind: ReportKind, limit: number, before?: string) {
    const rows =
      before === undefined
        ? this.db.prepare('SELECT doc FROM reports WHERE merchant_id = ? AND kind = ? ORDER BY date DESC LIMIT ?').all(merchantId, kind, limit)
        : this.db.prepare('SELECT doc FROM reports WHERE merchant_id = ? AND kind = ? AND date < ? ORDER BY date DESC LIMIT ?').all(merchantId, kind, before, limit);
    return parseAll<Report>(rows);
  }
}
