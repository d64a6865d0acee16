/**
 * Deterministic ids for what we send to WeCom. kf/send_msg accepts a caller msgid of at most
 * 32 bytes of [0-9a-zA-Z_-]; deriving it from the source (the customer's msgid, a part index)
 * means a retry reuses it, and a msg_send_fail event names it back to us.
 */

/** UTF-8 bytes of a string, without TextEncoder (shared code stays platform-free). */
export function utf8Bytes(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

export function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

const MASK64 = (1n << 64n) - 1n;
const FNV_PRIME = 0x100000001b3n;

function fnv1a64(bytes: number[], basis: bigint): bigint {
  let h = basis;
  for (const b of bytes) h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK64;
  return h;
}

/** A 128-bit non-cryptographic digest of `parts` (two FNV-1a-64 lanes), as 32 hex digits. */
export function stableHash(...parts: string[]): string {
  const bytes = utf8Bytes(parts.join('\u0000'));
  const a = fnv1a64(bytes, 0xcbf29ce484222325n);
  const b = fnv1a64([...bytes].reverse(), 0x84222325cbf29ce4n);
  return a.toString(16).padStart(16, '0') + b.toString(16).padStart(16, '0');
}

/** `x` + 31 hex digits: 32 characters, all in WeCom's msgid alphabet. */
export function outgoingMsgId(...source: string[]): string {
  return `x${stableHash(...source).slice(0, 31)}`;
}

export const MSGID_PATTERN = /^[0-9a-zA-Z_-]{1,32}$/;
