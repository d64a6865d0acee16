import crypto from 'node:crypto';
import zlib from 'node:zlib';

/**
 * A PNG that looks like a QR code (three finder squares, modules from a hash of the text), so
 * the app can show and download a channel code against the sandbox. It does not scan: there is
 * nothing for a phone to reach behind a sandbox code, and a real encoder would be a dependency
 * for a picture.
 */
export function qrLikePng(text: string): Buffer {
  const n = 29; // modules per side (a version 3 code)
  const quiet = 4;
  const scale = 8;
  const bits = crypto.createHash('sha256').update(text).digest();
  const dark = (x: number, y: number): boolean => {
    for (const [fx, fy] of [
      [0, 0],
      [n - 7, 0],
      [0, n - 7],
    ]) {
      const dx = x - fx;
      const dy = y - fy;
      if (dx >= -1 && dx <= 7 && dy >= -1 && dy <= 7) {
        if (dx < 0 || dy < 0 || dx > 6 || dy > 6) return false; // the separator around a finder
        const ring = Math.min(dx, dy, 6 - dx, 6 - dy);
        return ring !== 1;
      }
    }
    const i = (y * n + x) % (bits.length * 8);
    return ((bits[i >> 3] >> (i & 7)) & 1) === 1;
  };
  const side = (n + 2 * quiet) * scale;
  const raw = Buffer.alloc(side * (side + 1), 255);
  for (let py = 0; py < side; py++) {
    raw[py * (side + 1)] = 0; // filter type: none
    const my = Math.floor(py / scale) - quiet;
    for (let px = 0; px < side; px++) {
      const mx = Math.floor(px / scale) - quiet;
      if (mx >= 0 && my >= 0 && mx < n && my < n && dark(mx, my)) raw[py * (side + 1) + 1 + px] = 0;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

const TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
