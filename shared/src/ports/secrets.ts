import type { SealedSecret } from '../domain/merchant';

/** Encrypts secrets at rest (AES-256-GCM in the server adapter). */
// function-typed properties, not methods: callers may pass `secrets.open` around unbound
export interface SecretBox {
  seal: (plain: string) => SealedSecret;
  open: (sealed: SealedSecret) => string;
}

/** Shows that a secret is set without showing it: first 2 and last 2 characters. */
export function maskSecret(plain: string): string {
  if (plain.length <= 6) return '*'.repeat(plain.length);
  return `${plain.slice(0, 2)}${'*'.repeat(Math.min(plain.length - 4, 8))}${plain.slice(-2)}`;
}
