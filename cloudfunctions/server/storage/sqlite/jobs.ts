import { newJob, type Job } from '@xiaoer/shared/domain/job';
import type { JobRepo, NewJob } from '@xiaoer/shared/ports/storage';
import { type Db, parse, parseAll, tx } from './db';

export class SqliteJobs implements JobRepo {
  constructor(private db: Db) {}

  async enqueue(j: NewJob, now: number) {
    const job = newJob(j, now);
    const r = this.db
      .prepare('INSERT OR IGNORE INTO jobs (key, merchant_id, kind, status, run_at, lease_until, doc) VALUES (?, ?, ?, ?, ?, NULL, ?)')
      .run(job.key, job.merchantId, job.kind, job.status, job.runAt, JSON.stringify(job));
    return r.changes === 1;
  }

  async get(key: string) {
    return parse<Job>(this.db.prepare('SELECT doc FROM jobs WHERE key = ?').get(key) as { doc: string } | undefined);
  }

  async claimDue(now: number, leaseMs: number, limit: number) {
    return tx(this.db, () => {
      const rows = this.db
        .prepare(
          `SELECT doc FROM jobs WHERE (status = 'pending' AND run_at <= ?) OR (status = 'running' AND lease_until < ?)
           ORDER BY run_at LIMIT ?`,
        )
        .all(now, now, limit);
      const claimed: Job[] = [];
      const upd = this.db.prepare('UPDATE jobs SET status = ?, lease_until = ?, doc = ? WHERE key = ?');
      for (const job of parseAll<Job>(rows)) {
        const next: Job = { ...job, status: 'running', attempts: job.attempts + 1, leaseUntil: now + leaseMs, updatedAt: now };
        upd.run(next.status, next.leaseUntil, JSON.stringify(next), next.key);
        claimed.push(next);
      }
      return claimed;
    });
  }

  async complete(key: string, result: unknown, now: number) {
    tx(this.db, () => {
      const job = parse<Job>(this.db.prepare('SELECT doc FROM jobs WHERE key = ?').get(key) as { doc: string } | undefined);
      if (!job) return;
      const next: Job = { ...job, status: 'done', leaseUntil: undefined, result, updatedAt: now };
      this.db.prepare('UPDATE jobs SET status = ?, lease_until = NULL, doc = ? WHERE key = ?').run('done', JSON.stringify(next), key);
    });
  }

  async fail(key: string, error: string, retryAt: number | null, now: number) {
    tx(this.db, () => {
      const job = parse<Job>(this.db.prepare('SELECT doc FROM jobs WHERE key = ?').get(key) as { doc: string } | undefined);
      if (!job) return;
      const next: Job =
        retryAt === null
          ? { ...job, status: 'failed', leaseUntil: undefined, lastError: error, updatedAt: now }
          : { ...job, status: 'pending', runAt: retryAt, leaseUntil: undefined, lastError: error, updatedAt: now };
      this.db.prepare('UPDATE jobs SET status = ?, run_at = ?, lease_until = NULL, doc = ? WHERE key = ?').run(next.status, next.runAt, JSON.stringify(next), key);
    });
  }

  async list(filter: { status?: Job['status']; kind?: string; limit: number }) {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.status) {
      where.push('status = ?');
      args.push(filter.status);
    }
    if (filter.kind) {
      where.push('kind = ?');
      args.push(filter.kind);
    }
    const sql = `SELECT doc FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY run_at DESC LIMIT ?`;
    return parseAll<Job>(this.db.prepare(sql).all(...args, filter.limit));
  }
}
