import type { RawCallback } from './wecom-callback';

/** Plaintext callback credentials of one pair (default or 微信客服). */
export interface CallbackCredentials {
  token: string;
  aesKey: string;
}

export interface SignedQuery {
  msg_signature: string;
  timestamp: string;
  nonce: string;
}

/**
 * WeCom's callback envelope, implemented server-side with node:crypto and @wecom/crypto
 * (cloudfunctions/server/wecom/callback-codec.ts): signature check, AES decryption with the
 * receiveid check, the hardened XML parser, and a digest for dedupe keys.
 */
export interface CallbackCodec {
  /** The pair whose signature matches, compared in constant time against every pair; null if none. */
  matchPair(pairs: CallbackCredentials[], query: SignedQuery, encrypted: string): CallbackCredentials | null;
  /** Decrypts and checks padding and that the receiveid is `receiveId`; throws a 4xx AppError otherwise. */
  open(aesKey: string, encrypted: string, receiveId: string): string;
  /** XML → the `<xml>` root's children (loaded on first use: URL verification must stay light). */
  parseXml(text: string): Promise<RawCallback>;
  /** Hex SHA-256 of a text. */
  sha256(text: string): string;
}
