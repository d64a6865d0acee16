import { LIMITS } from './config';
import { parseMultipart } from './multipart';
import { NS, type MediaRecord } from './store';
import { randomId } from './util';
import { ANY, MEDIA_TYPES, fail, type ApiAnswer, type Handlers, type SandboxEnv } from './wx';

/** Temporary media: kept 3 days (shared clock), in the KV store, so up to a sandbox cap in size. */
export function mediaHandlers(env: SandboxEnv): Handlers {
  const { store } = env;
  return {
    'media/upload': {
      kinds: ANY,
      method: 'POST',
      run: async (ctx) => {
        const type = ctx.req.query.get('type') ?? '';
        if (!MEDIA_TYPES.has(type)) fail('invalidMediaType', 'type must be image, voice, video or file');
        const parts = parseMultipart(ctx.req.headers['content-type'], ctx.req.body);
        const part = parts?.find((p) => p.name === 'media');
        if (!part) fail('invalidParam', 'multipart/form-data with a `media` field is required');
        if (part.data.length < LIMITS.mediaMinBytes) fail('invalidFileSize', 'files must be larger than 5 bytes');
        if (part.data.length > LIMITS.mediaMaxBytes) fail('invalidFileSize', `the sandbox keeps files up to ${LIMITS.mediaMaxBytes} bytes`);
        const mediaId = `3${randomId(47)}`;
        await store.create<MediaRecord>(ctx.merchant.id, NS.media, mediaId, {
          type,
          contentType: part.contentType,
          fileName: part.fileName || `${type}.bin`,
          base64: part.data.toString('base64'),
          createdAt: ctx.now,
        });
        return { type, media_id: mediaId, created_at: String(Math.floor(ctx.now / 1000)) };
      },
    },
    'media/get': {
      kinds: ANY,
      method: 'GET',
      run: async (ctx) => {
        const id = ctx.req.query.get('media_id') ?? '';
        const m = id ? await store.get<MediaRecord>(ctx.merchant.id, NS.media, id) : null;
        if (!m || ctx.now - m.createdAt > LIMITS.mediaTtlMs) fail('invalidMediaId');
        return { kind: 'file', bytes: Buffer.from(m.base64, 'base64'), contentType: m.contentType, fileName: m.fileName } satisfies ApiAnswer;
      },
    },
  };
}
