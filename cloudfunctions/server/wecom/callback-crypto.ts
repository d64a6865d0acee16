import crypto from 'node:crypto';
import { getSignature } from '@wecom/crypto';
import { AppError } from '@xiaoer/shared/domain/errors';
import type { CallbackCredentials, SignedQuery } from '@xiaoer/shared/ports/callback-codec';

export type { CallbackCredentials, SignedQuery };

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase());
  const y = Buffer.from(b.toLowerCase());
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** The pair whose signature matches (constant-time per comparison), or null. */
export function matchPair(pairs: CallbackCredentials[], q: SignedQuery, encrypted: string): CallbackCredentials | null {
  let found: CallbackCredentials | null = null;
  for (const p of pairs) {
    // compare every pair so the time taken does not say which one matched
    if (sameHex(getSignature(p.token, q.timestamp, q.nonce, encrypted), q.msg_signature) && !found) found = p;
  }
  return found;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Decrypts a WeCom envelope and checks what @wecom/crypto's decrypt does not: the base64, the
 * PKCS#7 padding (block 32) and that the receiveid is this merchant's CorpID. One AES-256-CBC
 * pass here (key from the EncodingAESKey, IV its first 16 bytes; plaintext = 16 random bytes,
 * a 4-byte big-endian length, the message, the receiveid): the library decoded the base64 again
 * and a second decipher for the padding check cost as much as the decryption itself.
 */
export function openEnvelope(aesKey: string, encrypted: string, corpId: string): string {
  if (!BASE64.test(encrypted) || encrypted.length % 4 !== 0) throw new AppError('WECOM.BAD_BASE64', '回调内容不是合法的 base64', 400);
  const raw = Buffer.from(encrypted, 'base64');
  if (raw.length === 0 || raw.length % 32 !== 0) throw new AppError('WECOM.BAD_CIPHERTEXT', '回调密文长度不对', 400);
  const key = Buffer.from(`${aesKey}=`, 'base64');
  if (key.length !== 32) throw new AppError('CONFIG.AES_KEY', 'EncodingAESKey 不对', 500);
  const d = crypto.createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  d.setAutoPadding(false);
  const plain = Buffer.concat([d.update(raw), d.final()]);
  const n = plain[plain.length - 1];
  if (n < 1 || n > 32 || !plain.subarray(plain.length - n).every((b) => b === n)) throw new AppError('WECOM.BAD_PADDING', '回调密文填充不对', 400);
  const body = plain.subarray(0, plain.length - n);
  if (body.length < 20) throw new AppError('WECOM.DECRYPT_FAILED', '回调解密失败', 400);
  const length = body.readUInt32BE(16);
  const message = body.subarray(20, length + 20).toString();
  if (body.subarray(length + 20).toString() !== corpId) throw new AppError('WECOM.RECEIVER_MISMATCH', '回调不是发给这家企业的（receiveid 不符）', 400);
  return message;
}
