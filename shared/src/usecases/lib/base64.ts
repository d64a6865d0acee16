const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding, without btoa/Buffer (shared code stays platform-free). */
export function toBase64(bytes: Uint8Array): string {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i];
    const b = i + 1 < bytes.length ? bytes[i + 1] : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2] : 0;
    const n = (a << 16) | (b << 8) | c;
    out.push(ALPHABET[(n >> 18) & 63], ALPHABET[(n >> 12) & 63]);
    out.push(i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63] : '=', i + 2 < bytes.length ? ALPHABET[n & 63] : '=');
  }
  return out.join('');
}
