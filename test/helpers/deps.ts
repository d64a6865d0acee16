import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '@xiaoer/shared/domain/time';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { openSqliteStorage } from '../../cloudfunctions/server/storage/sqlite';
import { createSecretBox } from '../../cloudfunctions/server/security/secret-box';
import { randomIds } from '../../cloudfunctions/server/ids';
import { nodeTimers } from '../../cloudfunctions/server/timers';

/** Use-case dependencies over a fresh SQLite file, a movable clock (2026-11-22 12:00 Shanghai) and a random key. */
export function testDeps(at = Date.UTC(2026, 10, 22, 4)): Deps & { clock: ManualClock } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-deps-'));
  return { storage: openSqliteStorage(path.join(dir, 'db')), clock: new ManualClock(at), secrets: createSecretBox(crypto.randomBytes(32)), ids: randomIds, timers: nodeTimers };
}
