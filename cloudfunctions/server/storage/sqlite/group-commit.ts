import { type Db, tx } from './db';

interface Pending {
  run: () => unknown;
  resolve: (v: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for the per-callback writes: writes asked for in the same turn of the event loop
 * are run in one transaction at the next `setImmediate`, and each caller's promise settles only
 * after COMMIT — so "stored before acknowledged" still holds, while a burst of callbacks pays for
 * one commit instead of one each (an autocommit INSERT costs ~4× a batched one here).
 *
 * Everything runs synchronously inside the flush, so nothing else on this connection can
 * interleave with the batch; a failing write is retried alone so it cannot fail its neighbours.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(private db: Db) {}

  write<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush() {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length > 1) {
      let results: unknown[] | undefined;
      try {
        results = tx(this.db, () => batch.map((p) => p.run()));
      } catch {
        // rolled back as a whole: fall through and give every write its own transaction
      }
      if (results) return batch.forEach((p, i) => p.resolve(results[i]));
    }
    for (const p of batch) {
      try {
        p.resolve(p.run());
      } catch (err) {
        p.reject(err);
      }
    }
  }
}
