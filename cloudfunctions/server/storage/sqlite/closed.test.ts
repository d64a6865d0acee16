import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Day } from '@xiaoer/shared/domain/ids';
import { openSqliteStorage } from '.';

/**
 * Work still queued when the storage closes (a counter increment waiting for its group commit
 * while the host shuts down) must fail as a JavaScript error its caller can log: libsql aborts the
 * whole process (a Rust panic) when a closed connection is used, which took down a test worker.
 */
it('a counter increment whose group commit runs after close rejects, and the process lives on', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-closed-')), 'db');
  const s = openSqliteStorage(file);
  const pending = s.counters.increment('m1', [{ eventId: 'e1', day: '2026-12-06' as Day, hour: 10, name: 'customerMessages', amount: 1 }]);
  await s.close();
  await expect(pending).rejects.toThrow('storage is closed');
});
