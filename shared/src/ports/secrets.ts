import type { SealedSecret } from '../domain/merchant';

/** Encrypts secrets at rest (AES-256-GCM in the server adapter). */
// function-typed properties, not methods: callers may pass `secrets.open` around unbound
export interface SecretBox {
  seal: (plain: string) => SealedSecret;
  open: (sealed: SealedSecret) => string;
  /** A new random secret of `bytes` random bytes, printable (base64url): what a shop's systems are given. */
  randomSecret: (bytes: number) => string;
  /** Lowercase hex HMAC-SHA256 of the parts (texts as UTF-8, bytes as they are) keyed with `key`'s UTF-8 bytes. */
  hmacSha256Hex: (key: string, parts: (string | Uint8Array)[]) => string;
  /** Equality in time independent of where they differ; different lengths are simply unequal (never throws). */
  safeEqual: (a: string, b: string) => boolean;
}

/** Shows that a secret is set without showing it: first 2 and last 2 characters. */
export function maskSecret(plain: string): string {
  if (plain.length <= 6) return '*'.repeat(plain.length);
  return `${plain.slice(0, 2)}${'*'.repeat(Math.min(plain.length - 4, 8))}${plain.slice(-2)}`;
}
