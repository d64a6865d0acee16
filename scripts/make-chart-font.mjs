#!/usr/bin/env node
// `npm run chart-font [-- --source <font.ttc|ttf>]`: cuts the CJK font the chart renderer ships
// (cloudfunctions/server/charts/fonts/wqy-microhei-chart.ttf) down to CHART_CHARSET
// (shared/src/ports/chart.ts). Run it after changing that set and commit the result; the charts
// test fails while a character of the set is missing from the shipped font.
//
// Source: WenQuanYi Micro Hei 0.2.0-beta, Debian's fonts-wqy-microhei
// (`apt-get install fonts-wqy-microhei`), licensed Apache-2.0 or GPL-3+ with the font exception;
// the subset is distributed under Apache-2.0 (fonts/LICENSE-Apache-2.0.txt, fonts/NOTICE.txt).
// Subsetting: subset-font (harfbuzz hb-subset compiled to wasm), output TrueType.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import subsetFont from 'subset-font';
import { CHART_CHARSET } from '../shared/src/ports/chart.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(root, 'cloudfunctions/server/charts/fonts/wqy-microhei-chart.ttf');
const { values } = parseArgs({ options: { source: { type: 'string', default: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc' } } });

/**
 * Face `index` of a TrueType collection as a standalone font (subset-font reads single fonts
 * only): the same tables, copied behind a fresh table directory with new offsets.
 */
function collectionFace(buf, index) {
  if (buf.toString('latin1', 0, 4) !== 'ttcf') return buf;
  const at = buf.readUInt32BE(12 + 4 * index);
  const count = buf.readUInt16BE(at + 4);
  const tables = Array.from({ length: count }, (_, i) => {
    const rec = at + 12 + 16 * i;
    return { rec, offset: buf.readUInt32BE(rec + 8), length: buf.readUInt32BE(rec + 12) };
  });
  const size = tables.reduce((n, t) => n + ((t.length + 3) & ~3), 12 + 16 * count);
  const out = Buffer.alloc(size);
  buf.copy(out, 0, at, at + 12);
  let pos = 12 + 16 * count;
  tables.forEach((t, i) => {
    buf.copy(out, 12 + 16 * i, t.rec, t.rec + 16);
    out.writeUInt32BE(pos, 12 + 16 * i + 8);
    buf.copy(out, pos, t.offset, t.offset + t.length);
    pos += (t.length + 3) & ~3;
  });
  return out;
}

if (!fs.existsSync(values.source)) {
  console.error(`没有找到字体 ${values.source}：先 apt-get install fonts-wqy-microhei，或用 --source 指定`);
  process.exit(1);
}
const face = collectionFace(fs.readFileSync(values.source), 0); // face 0: WenQuanYi Micro Hei (1 is the Mono variant)
const subset = await subsetFont(face, CHART_CHARSET, { targetFormat: 'truetype' });
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, subset);
const sha = crypto.createHash('sha256').update(subset).digest('hex').slice(0, 16);
console.log(`${path.relative(root, OUT)}: ${[...CHART_CHARSET].length} characters, ${subset.length} bytes, sha256 ${sha}…`);
