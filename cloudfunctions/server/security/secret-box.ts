import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SealedSecret } from '@xiaoer/shared/domain/merchant';
import type { SecretBox } from '@xiaoer/shared/ports/secrets';
import { AppError } from '@xiaoer/shared/domain/errors';

/** Parses APP_MASTER_KEY: 32 bytes as 64 hex characters or as base64 (44 characters). */
export function parseMasterKey(raw: string): Buffer {
  const s = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64');
  if (key.length !== 32) throw new AppError('CONFIG.MASTER_KEY', 'APP_MASTER_KEY 必须是 32 字节：64 位十六进制或 base64');
  return key;
}

/**
 * Locally, without APP_MASTER_KEY, a key is generated once into DATA_DIR (0600). Losing it
 * makes stored secrets unreadable, which is why production must set APP_MASTER_KEY.
 */
export function loadOrCreateLocalKey(dataDir: string): Buffer {
  const file = path.join(dataDir, 'master.key');
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    return parseMasterKey(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = crypto.randomBytes(32);
  try {
    fs.writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    // another process (CLI beside the host) created it first: use theirs
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return parseMasterKey(fs.readFileSync(file, 'utf8'));
    throw err;
  }
}

/** Separate keys per purpose, derived from the one master key. */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', master, Buffer.alloc(0), `xiaoer:${purpose}`, 32));
}

/** AES-256-GCM: a fresh 12-byte IV per secret, the tag authenticates the ciphertext. */
export function createSecretBox(master: Buffer): SecretBox {
  const key = deriveKey(master, 'secrets');
  return {
    seal(plain: string): SealedSecret {
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return { v: 1, iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), ct: ct.toString('base64') };
    },
    open(s: SealedSecret): string {
      try {
        const d = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(s.iv, 'base64'));
        d.setAuthTag(Buffer.from(s.tag, 'base64'));
        return Buffer.concat([d.update(Buffer.from(s.ct, 'base64')), d.final()]).toString('utf8');
      } catch {
        throw new AppError('CONFIG.SECRET_UNREADABLE', '密钥解不开：APP_MASTER_KEY 可能换过了');
      }
    },
    randomSecret: (bytes) => crypto.randomBytes(bytes).toString('base64url'),
    hmacSha256Hex(key, parts) {
      const h = crypto.createHmac('sha256', Buffer.from(key, 'utf8'));
      for (const p of parts) h.update(typeof p === 'string' ? Buffer.from(p, 'utf8') : p);
      return h.digest('hex');
    },
    safeEqual(a, b) {
      // both sides hashed first: equal lengths for timingSafeEqual whatever was sent, and no length leak
      const ha = crypto.createHash('sha256').update(a, 'utf8').digest();
      const hb = crypto.createHash('sha256').update(b, 'utf8').digest();
      return crypto.timingSafeEqual(ha, hb) && a === b;
    },
  };
}
