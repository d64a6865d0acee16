import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError } from '@xiaoer/shared/domain/errors';

// parseTagValue:false keeps "0123" and 19-digit MsgIds as strings; entities are not expanded
// beyond the parser's own limits, and external entities are refused.
const parser = new XMLParser({ parseTagValue: false, ignoreAttributes: true, processEntities: false, trimValues: false });

/** Validates before parsing (the parser itself is lenient) and returns the `<xml>` root's children. */
export function parseWecomXml(text: string): Record<string, unknown> {
  if (!text.trimStart().startsWith('<xml')) throw new AppError('WECOM.BAD_XML', '回调不是 XML', 400);
  // inside CDATA it is just text a person typed (「<!DOCTYPE」 in a message must not lose the message)
  if (/<!DOCTYPE|<!ENTITY/i.test(text.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ''))) throw new AppError('WECOM.BAD_XML', '回调里不能有 DOCTYPE', 400);
  const flat = readFlatXml(text);
  if (flat) return flat;
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new AppError('WECOM.BAD_XML', 'XML 格式不对', 400);
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch {
    throw new AppError('WECOM.BAD_XML', 'XML 格式不对', 400);
  }
  const root = (doc as { xml?: unknown }).xml;
  if (!root || typeof root !== 'object') throw new AppError('WECOM.BAD_XML', 'XML 没有 <xml> 根节点', 400);
  return root as Record<string, unknown>;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const CDATA_OPEN = '<![CDATA[';

/**
 * The shape every WeCom callback has — `<xml>` holding leaf elements, each a CDATA section or
 * plain text, whitespace between them — read in one pass: validating and parsing it with
 * fast-xml-parser cost more than anything else a callback does. Returns exactly what the
 * validator + parser return for it (xml.test.ts compares the two on generated documents), and
 * undefined for anything else (attributes, nesting, a repeated or self-closing element, an
 * entity, a CR, text beside a CDATA), which then takes the full path.
 */
export function readFlatXml(text: string): Record<string, string> | undefined {
  const end = text.length - 6;
  if (!text.startsWith('<xml>') || !text.endsWith('</xml>') || text.includes('\r')) return undefined;
  const out: Record<string, string> = {};
  let between = '';
  let elements = 0;
  let i = 5;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a) {
      between += text[i++];
      continue;
    }
    if (c !== 0x3c) return undefined;
    const gt = text.indexOf('>', i + 1);
    if (gt < 0 || gt >= end) return undefined;
    const name = text.slice(i + 1, gt);
    if (!NAME.test(name) || Object.hasOwn(out, name) || name in Object.prototype) return undefined;
    i = gt + 1;
    let value: string;
    if (text.startsWith(CDATA_OPEN, i)) {
      const stop = text.indexOf(']]>', i + CDATA_OPEN.length);
      if (stop < 0) return undefined;
      value = text.slice(i + CDATA_OPEN.length, stop);
      i = stop + 3;
    } else {
      const lt = text.indexOf('<', i);
      if (lt < 0) return undefined;
      value = text.slice(i, lt);
      if (value.includes('&') || value.includes('>')) return undefined;
      i = lt;
    }
    const closing = `</${name}>`;
    if (!text.startsWith(closing, i)) return undefined;
    i += closing.length;
    out[name] = value;
    elements++;
  }
  if (i !== end || elements === 0) return undefined;
  // fast-xml-parser keeps the root's own text (trimValues:false): the whitespace between elements
  if (between) out['#text'] = between;
  return out;
}
