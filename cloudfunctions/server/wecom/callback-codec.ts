import crypto from 'node:crypto';
import type { CallbackCodec } from '@xiaoer/shared/ports/callback-codec';
import { matchPair, openEnvelope } from './callback-crypto';

type XmlModule = typeof import('./xml');
let xml: Promise<XmlModule> | undefined;
let loaded: XmlModule | undefined;

/** The CallbackCodec port over node:crypto, @wecom/crypto and the hardened XML parser. */
export const callbackCodec: CallbackCodec = {
  matchPair,
  open: openEnvelope,
  // loaded on first use, not at module load: the URL-verification GET must stay light. Then kept:
  // a dynamic import() per callback goes through the module loader (under tsx, a round trip to
  // its loader thread) and was the largest single cost of a callback.
  parseXml: async (text) => {
    if (!loaded) loaded = await (xml ??= import('./xml'));
    return loaded.parseWecomXml(text);
  },
  sha256: (text) => crypto.createHash('sha256').update(text).digest('hex'),
};
