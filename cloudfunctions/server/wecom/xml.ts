import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError } from '@xiaoer/shared/domain/errors';

// parseTagValue:false keeps "0123" and 19-digit MsgIds as strings; entities are not expanded
// beyond the parser's own limits, and external entities are refused.
const parser = new XMLParser({ parseTagValue: false, ignoreAttributes: true, processEntities: false, trimValues: false });

/** Validates before parsing (the parser itself is lenient) and returns the `<xml>` root's children. */
export function parseWecomXml(text: string): Record<string, unknown> {
  if (!text.trimStart().startsWith('<xml')) throw new AppError('WECOM.BAD_XML', '回调不是 XML', 400);
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new AppError('WECOM.BAD_XML', '回调里不能有 DOCTYPE', 400);
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
