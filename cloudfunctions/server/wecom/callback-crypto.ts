import crypto from 'node:crypto';
import { decrypt, getSignature } from '@wecom/crypto';
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
 * Decrypts with @wecom/crypto, then does what it does not: checks the base64, the PKCS#7
 * padding (block 32) and that the receiveid is this merchant's CorpID.
 */
export function openEnvelope(aesKey: string, encrypted: string, corpId: string): string {
  if (!BASE64.test(encrypted) || encrypted.length % 4 !== 0) throw new AppError('WECOM.BAD_BASE64', '回调内容不是合法的 base64', 400);
  const raw = Buffer.from(encrypted, 'base64');
  if (raw.length === 0 || raw.length % 32 !== 0) throw new AppError('WECOM.BAD_CIPHERTEXT', '回调密文长度不对', 400);
  checkPadding(aesKey, raw);
  let out: { message: string; id: string };
  try {
    out = decrypt(aesKey, encrypted);
  } catch {
    throw new AppError('WECOM.DECRYPT_FAILED', '回调解密失败', 400);
  }
  if (out.id !== corpId) throw new AppError('WECOM.RECEIVER_MISMATCH', '回调不是发给这家企业的（receiveid 不符）', 400);
  return out.message;
}

/** PKCS#7 with a 32-byte block: the last byte n is 1..32 and the last n bytes all equal n. */
function checkPadding(aesKey: string, raw: Buffer) {
  const key = Buffer.from(`${aesKey}=`, 'base64');
  if (key.length !== 32) throw new AppError('CONFIG.AES_KEY', 'EncodingAESKey 不对', 500);
  // CBC: the last 32 plaintext bytes need only the last two blocks and the block before them
  const iv = raw.length > 32 ? raw.subarray(raw.length - 48, raw.length - 32) : key.subarray(0, 16);
  const d = crypto.createDecipheriv('aes-256-cbc', key, iv);
  d.setAutoPadding(false);
  const last = Buffer.concat([d.update(raw.subarray(raw.length - 32)), d.final()]);
  const n = last[last.length - 1];
  if (n < 1 || n > 32 || !last.subarray(32 - n).every((b) => b === n)) throw new AppError('WECOM.BAD_PADDING', '回调密文填充不对', 400);
}
