import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MediaStore } from '@xiaoer/shared/ports/media';
import { createDbMediaStore, createFileMediaStore } from './media-stores';
import { testDeps } from '../../../test/helpers/deps';
import { fakeDatabase } from '../../../test/cloudbase-fake/sdk-double';
import { createCloudbaseStorage, ensureCollections } from '../storage/cloudbase';

/** One contract for the media port, run against every adapter. */
function mediaContract(name: string, make: () => Promise<MediaStore>) {
  describe(name, () => {
    it('saves content-addressed, loads per merchant, refuses foreign refs', async () => {
      const s = await make();
      const bytes = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
      const ref = await s.save('a', { bytes, contentType: 'image/jpeg', fileName: 'x.jpg' });
      expect(ref).toMatch(/^media:[0-9a-f]{64}$/);
      expect(await s.save('a', { bytes, contentType: 'image/jpeg', fileName: 'x.jpg' })).toBe(ref);
      const got = await s.load('a', ref);
      expect(got && Array.from(got.bytes)).toEqual(Array.from(bytes));
      expect(got).toMatchObject({ contentType: 'image/jpeg', fileName: 'x.jpg' });
      expect(await s.load('b', ref)).toBeNull();
      expect(await s.load('a', '../../etc/passwd')).toBeNull();
    });
  });
}

mediaContract('file media store (local)', async () => createFileMediaStore(fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-media-'))));
mediaContract('db media store over SQLite', async () => {
  const d = testDeps();
  return createDbMediaStore(d.storage.kv, d.clock);
});
mediaContract('db media store over CloudBase', async () => {
  const { db } = fakeDatabase();
  await ensureCollections(db);
  return createDbMediaStore(createCloudbaseStorage(db).kv, { now: () => 1 });
});
