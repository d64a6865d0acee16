/**
 * Where customers' images, voice, video and files are kept once fetched from WeCom (its
 * media_id lives 3 days). Content-addressed: saving the same bytes twice gives the same ref.
 */
export interface StoredMedia {
  bytes: Uint8Array;
  contentType: string;
  fileName?: string;
}

export interface MediaStore {
  /** Returns a ref (`media:<sha256>`) to put in Message.mediaRef. */
  save(merchantId: string, media: StoredMedia): Promise<string>;
  load(merchantId: string, ref: string): Promise<StoredMedia | null>;
}

export const MAX_MEDIA_BYTES = 20 * 1024 * 1024;
