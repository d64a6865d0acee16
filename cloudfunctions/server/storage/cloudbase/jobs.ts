import { newJob, type Job } from '@xiaoer/shared/domain/job';
import type { InboxEntry } from '@xiaoer/shared/domain/inbox';
import type { InboxRepo, JobRepo, NewJob } from '@xiaoer/shared/ports/storage';
import { call, type CloudbaseDb, fromDoc, getById, insertOnce, readAll, toDoc } from './sdk';

export class CloudbaseJobs implements JobRepo {
  constructor(private db: CloudbaseDb) {}
  private get c() {
    return this.db.collection('jobs');
  }
  async enqueue(j: NewJob, now: number) {
    const job = newJob(j, now);
    return insertOnce(this.c, toDoc(job.key, job));
  }
  async get(key: string) {
    return fromDoc<Job>(await getById(this.c, key));
  }
  async claimDue(now: number, leaseMs: number, limit: number) {
    const _ = this.db.command;
    const due = await readAll(
      this.c
        .where(
          _.or([
            { status: 'pending', runAt: _.lte(now) },
            { status: 'running', leaseUntil: _.lt(now) },
          ]),
        )
        .orderBy('runAt', 'asc'),
      limit,
    );
    const claimed: Job[] = [];
    for (const doc of due) {
      const job = fromDoc<Job>(doc)!;
      const next: Job = { ...job, status: 'running', attempts: job.attempts + 1, leaseUntil: now + leaseMs, updatedAt: now };
      // compare-and-set on the state we read: of two schedulers, one wins each job
      const r = await call(
        this.c
          .where({ _id: job.key, status: job.status, attempts: job.attempts })
          .update({ status: next.status, attempts: next.attempts, leaseUntil: next.leaseUntil, updatedAt: now }),
      );
      if (r.updated === 1) claimed.push(next);
    }
    return claimed;
  }
  async complete(key: string, result: unknown, now: number) {
    const _ = this.db.command;
    await call(this.c.doc(key).update({ status: 'done', leaseUntil: _.remove(), result: result ?? null, updatedAt: now }));
  }
  async fail(key: string, error: string, retryAt: number | null, now: number) {
    const _ = this.db.command;
    const patch = retryAt === null ? { status: 'failed' } : { status: 'pending', runAt: retryAt };
    await call(this.c.doc(key).update({ ...patch, leaseUntil: _.remove(), lastError: error, updatedAt: now }));
  }
  async list(filter: { status?: Job['status']; kind?: string; limit: number }) {
    const where: Record<string, unknown> = {};
    if (filter.status) where.status = filter.status;
    if (filter.kind) where.kind = filter.kind;
    return (await readAll(this.c.where(where).orderBy('runAt', 'desc'), filter.limit)).map((d) => fromDoc<Job>(d)!);
  }
}

export class CloudbaseInbox implements InboxRepo {
  constructor(private db: CloudbaseDb) {}
  private get c() {
    return this.db.collection('inbox');
  }
  async put(e: InboxEntry) {
    return insertOnce(this.c, toDoc(`${e.merchantId}:${e.dedupeKey}`, e));
  }
  async get(merchantId: string, dedupeKey: string) {
    return fromDoc<InboxEntry>(await getById(this.c, `${merchantId}:${dedupeKey}`));
  }
  async listPending(receivedBefore: number, limit: number) {
    const _ = this.db.command;
    return (await readAll(this.c.where({ status: 'pending', receivedAt: _.lt(receivedBefore) }).orderBy('receivedAt', 'asc'), limit)).map((d) => fromDoc<InboxEntry>(d)!);
  }
  async pruneProcessed(before: number, limit: number) {
    const _ = this.db.command;
    const old = await readAll(this.c.where({ status: 'processed', receivedAt: _.lt(before) }).orderBy('receivedAt', 'asc'), limit);
    const ids = old.map((d) => String(d._id));
    if (!ids.length) return 0;
    const r = await call(this.c.where({ _id: _.in(ids), status: 'processed' }).remove());
    return Number((r as { deleted?: number }).deleted ?? ids.length);
  }
  async markProcessed(merchantId: string, dedupeKey: string, now: number) {
    const _ = this.db.command;
    await call(this.c.doc(`${merchantId}:${dedupeKey}`).update({ status: 'processed', processedAt: now, attempts: _.inc(1) }));
  }
  async markFailed(merchantId: string, dedupeKey: string, error: string, now: number) {
    const _ = this.db.command;
    await call(this.c.doc(`${merchantId}:${dedupeKey}`).update({ status: 'failed', processedAt: now, attempts: _.inc(1), lastError: error.slice(0, 500) }));
  }
}
