import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '@xiaoer/shared/domain/errors';
import type { KvRepo } from '@xiaoer/shared/ports/storage';
import { MAX_MEDIA_BYTES, type MediaStore, type StoredMedia } from '@xiaoer/shared/ports/media';

const refOf = (bytes: Uint8Array) => `media:${crypto.createHash('sha256').update(bytes).digest('hex')}`;
const REF = /^media:[0-9a-f]{64}$/;

/** Local mode: files under DATA_DIR/media/<merchant>/, a JSON sidecar for the type and name. */
export function createFileMediaStore(dir: string): MediaStore {
  const paths = (merchantId: string, ref: string) => {
    const base = path.join(dir, merchantId, ref.slice('media:'.length));
    return { bin: `${base}.bin`, meta: `${base}.json` };
  };
  return {
    async save(merchantId, media) {
      if (media.bytes.byteLength > MAX_MEDIA_BYTES) throw new AppError('MEDIA.TOO_LARGE', '文件太大了', 413);
      const ref = refOf(media.bytes);
      const p = paths(merchantId, ref);
      await fs.promises.mkdir(path.dirname(p.bin), { recursive: true });
      // write-then-rename: a crash never leaves a half file under the final name
      await fs.promises.writeFile(`${p.bin}.tmp`, media.bytes);
      await fs.promises.rename(`${p.bin}.tmp`, p.bin);
      await fs.promises.writeFile(p.meta, JSON.stringify({ contentType: media.contentType, fileName: media.fileName }));
      return ref;
    },
    async load(merchantId, ref) {
      if (!REF.test(ref)) return null;
      const p = paths(merchantId, ref);
      try {
        const [bytes, meta] = await Promise.all([fs.promises.readFile(p.bin), fs.promises.readFile(p.meta, 'utf8')]);
        const m = JSON.parse(meta) as { contentType: string; fileName?: string };
        return { bytes: new Uint8Array(bytes), contentType: m.contentType, fileName: m.fileName };
      } catch {
        return null;
      }
    },
  };
}

/**
 * CloudBase mode, for now: media as base64 documents through the storage adapter (≤ 2 MB, the
 * size customers' chat images are). CloudBase cloud storage (uploadFile) is the place for larger
 * files; it can't be exercised offline, so it waits for a real environment.
 */
export const MAX_DB_MEDIA_BYTES = 2 * 1024 * 1024;
export function createDbMediaStore(kv: KvRepo, clock: { now(): number }): MediaStore {
  return {
    async save(merchantId, media) {
      if (media.bytes.byteLength > MAX_DB_MEDIA_BYTES) throw new AppError('MEDIA.TOO_LARGE', '文件太大了（云数据库里最多存 2 MB）', 413);
      const ref = refOf(media.bytes);
      await kv.set(merchantId, 'media', ref, { contentType: media.contentType, fileName: media.fileName, base64: Buffer.from(media.bytes).toString('base64') }, null, clock.now());
      return ref;
    },
    async load(merchantId, ref) {
      const e = await kv.get<{ contentType: string; fileName?: string; base64: string }>(merchantId, 'media', ref);
      return e ? { bytes: new Uint8Array(Buffer.from(e.value.base64, 'base64')), contentType: e.value.contentType, fileName: e.value.fileName } : null;
    },
  };
}

export type { StoredMedia };
