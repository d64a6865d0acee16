import type { MediaStore } from '../../ports/media';
import { notFound } from '../../domain/errors';
import { toBase64 } from '../lib/base64';

/** What one api answer carries inline (CloudBase returns ≤ 6 MB per call; base64 adds a third). */
export const MEDIA_INLINE_MAX_BYTES = 2 * 1024 * 1024;

/** A customer's image or file kept from WeCom, for the thread: small images inline, the rest only described. */
export async function loadMedia(store: MediaStore | undefined, merchantId: string, ref: string) {
  const media = store ? await store.load(merchantId, ref) : null;
  if (!media) throw notFound('media');
  const inline = media.bytes.length <= MEDIA_INLINE_MAX_BYTES && /^image\//.test(media.contentType);
  return { contentType: media.contentType, fileName: media.fileName ?? null, size: media.bytes.length, base64: inline ? toBase64(media.bytes) : null };
}
