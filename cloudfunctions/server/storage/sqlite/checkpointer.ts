import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './db';

/** How often the thread copies what the WAL holds into the database file. */
export const CHECKPOINT_EVERY_MS = 200;
/**
 * WAL pages at which the connection checkpoints by itself after all. Under a long burst the WAL
 * is never fully copied at the moment a write starts (only then can SQLite restart it), so
 * without this it would grow for as long as the burst lasts; 4,000 pages is ~16 MB.
 */
export const BACKSTOP_PAGES = 4_000;
/** SQLite's own default, back in force whenever the thread is not running. */
const DEFAULT_PAGES = 1_000;

// a plain script, not a module file: it needs no loader (tsx, jest or a bundle) to run
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.libsql);
const db = new Database(workerData.file);
db.exec('PRAGMA busy_timeout = 5000');
db.exec('PRAGMA synchronous = NORMAL');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  try {
    checkpoint.get();
  } catch {
    // busy or interrupted: the next tick tries again, and the connection's backstop is there
  }
}, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * WAL checkpoints on a thread of their own. SQLite checkpoints on the connection that commits,
 * inside the commit: every ~1,000 pages a callback's group commit also copied the WAL into the
 * database and waited for two fsyncs, which stopped the event loop for 5–100 ms on a busy disk
 * and made up a third to a half of the time spent writing. The thread's PASSIVE checkpoints
 * take no lock a writer needs, so commits go on meanwhile; durability is unchanged (the thread
 * syncs as the connection would, synchronous = NORMAL).
 *
 * The connection keeps checkpointing by itself past {@link BACKSTOP_PAGES}, and at SQLite's
 * default again if the thread fails. `stop` ends the thread (awaited by storage close).
 */
export function startCheckpointer(db: Db, file: string, everyMs = CHECKPOINT_EVERY_MS): { stop(): Promise<void> } {
  const libsql = createRequire(__filename).resolve('libsql');
  db.exec(`PRAGMA wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  const worker = new Worker(SOURCE, { eval: true, workerData: { file, libsql, everyMs } });
  let stopped = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.once('error', () => {
    // the thread could not open the file or died: the connection checkpoints as it always did
    if (!stopped) db.exec(`PRAGMA wal_autocheckpoint = ${DEFAULT_PAGES}`);
  });
  // a host that exits does not wait for this thread
  worker.unref();
  return {
    async stop() {
      if (stopped) return exited;
      stopped = true;
      worker.postMessage('stop');
      // a thread stuck in a checkpoint is not waited for long: it holds no lock a reopen needs
      const force = setTimeout(() => void worker.terminate(), 2_000);
      await exited;
      clearTimeout(force);
    },
  };
}
