import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { readFlatXml, parseWecomXml } from './xml';

/**
 * The one-pass reader of flat WeCom XML must return exactly what the validator + fast-xml-parser
 * (configured as parseWecomXml configures it) return, or step aside (undefined). Compared on
 * generated documents close to WeCom's shape, with the mutations that change how XML reads.
 */
const parser = new XMLParser({ parseTagValue: false, ignoreAttributes: true, processEntities: false, trimValues: false });
function fullPath(text: string): Record<string, unknown> | 'invalid' {
  if (XMLValidator.validate(text) !== true) return 'invalid';
  try {
    const root = (parser.parse(text) as { xml?: unknown }).xml;
    return root && typeof root === 'object' ? (root as Record<string, unknown>) : 'invalid';
  } catch {
    return 'invalid';
  }
}

const name = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'Content', 'MsgId', 'AgentID', 'Event', 'Token', 'OpenKfId', 'Encrypt') },
  fc.constantFrom('xmlA', 'a', 'A1_', 'constructor', 'toString', 'valueOf', '__proto__', 'a:b', 'a-b', '1a', '', 'xml', '#text'),
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.:-]{0,6}$/),
);
const piece = fc.oneof(
  { weight: 20, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
  fc.constantFrom(
    ' ',
    '\n',
    '\t',
    '\r',
    '\r\n',
    '&',
    '&amp;',
    '&lt;',
    '&#60;',
    '<',
    '>',
    ']',
    ']]>',
    '"',
    "'",
    '\u0000',
    '\u0001',
    '\uFFFE',
    '\uD800',
    '😀',
    '中文',
    '<![CDATA[',
    '</',
    '/',
    '<!--x-->',
  ),
);
const chars = fc.array(piece, { maxLength: 5 }).map((p) => p.join(''));
const value = fc.oneof(
  { weight: 12, arbitrary: chars.map((s) => `<![CDATA[${s}]]>`) },
  { weight: 8, arbitrary: chars },
  fc.constant(''),
  fc.tuple(chars, chars).map(([a, b]) => `<![CDATA[${a}]]><![CDATA[${b}]]>`),
  fc.tuple(chars, chars).map(([a, b]) => `${a}<![CDATA[${b}]]>`),
  fc.tuple(name, chars).map(([n, s]) => `<${n}>${s}</${n}>`),
);
const form = fc.oneof({ weight: 30, arbitrary: fc.constant('plain') }, fc.constantFrom('attribute', 'self-closing', 'spaced', 'unclosed', 'wrong-close'));
const element = fc.tuple(name, value, form).map(([n, v, form]) => {
  if (form === 'attribute') return `<${n} a="1">${v}</${n}>`;
  if (form === 'self-closing') return `<${n}/>`;
  if (form === 'spaced') return `<${n} >${v}</${n} >`;
  if (form === 'unclosed') return `<${n}>${v}`;
  if (form === 'wrong-close') return `<${n}>${v}</${n.toLowerCase() === n ? n.toUpperCase() : n.toLowerCase()}>`;
  return `<${n}>${v}</${n}>`;
});
const gap = fc.oneof({ weight: 20, arbitrary: fc.constantFrom('', '', '\n', '  ', '\t', '\n  ') }, fc.constantFrom('\r\n', 'x', '&amp;', '<!--c-->'));
const document = fc
  .tuple(
    fc.oneof({ weight: 10, arbitrary: fc.constant('<xml>') }, fc.constantFrom('<xml >', ' <xml>', '<xml a="1">', '<?xml version="1.0"?><xml>')),
    fc.array(fc.tuple(gap, element), { maxLength: 8 }),
    gap,
    fc.oneof({ weight: 10, arbitrary: fc.constant('</xml>') }, fc.constantFrom('</xml>\n', '</xml >', '</xml><xml></xml>', '', '</XML>')),
  )
  .map(([open, items, last, close]) => `${open}${items.map(([g, e]) => g + e).join('')}${last}${close}`);

describe('readFlatXml (the one-pass reader)', () => {
  it('returns what the validator and fast-xml-parser return, or steps aside', () => {
    let flatTaken = 0;
    let runs = 0;
    fc.assert(
      fc.property(document, (text) => {
        runs++;
        const flat = readFlatXml(text);
        if (flat === undefined) return;
        flatTaken++;
        const full = fullPath(text);
        expect(full).not.toBe('invalid');
        // same keys in the same order (stored documents and the "other" fields keep that order)
        expect(Object.entries(flat)).toEqual(Object.entries(full as Record<string, unknown>));
        expect(Object.getPrototypeOf(flat)).toBe(Object.prototype);
      }),
      { numRuns: 5_000 },
    );
    // the generator must actually reach the fast path, or this test compares nothing
    expect(flatTaken).toBeGreaterThan(runs / 10);
  });

  it('reads WeCom documents in one pass, whitespace between elements included', () => {
    const vector =
      '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>';
    const envelope = '<xml><ToUserName><![CDATA[ww1]]></ToUserName><Encrypt><![CDATA[abc+/=]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>';
    for (const text of [vector, envelope]) {
      expect(readFlatXml(text)).toBeDefined();
      expect(parseWecomXml(text)).toEqual(fullPath(text));
    }
    expect(parseWecomXml(vector).MsgId).toBe('4561255354251345929');
  });

  it('leaves nested, repeated and attributed elements to the full parser', () => {
    expect(readFlatXml('<xml><A><B>1</B></A></xml>')).toBeUndefined();
    expect(parseWecomXml('<xml><A><B>1</B></A></xml>')).toEqual({ A: { B: '1' } });
    expect(readFlatXml('<xml><A>1</A><A>2</A></xml>')).toBeUndefined();
    expect(parseWecomXml('<xml><A>1</A><A>2</A></xml>')).toEqual({ A: ['1', '2'] });
    expect(readFlatXml('<xml><A k="v">1</A></xml>')).toBeUndefined();
    expect(() => parseWecomXml('<xml><A>1</a></xml>')).toThrow('XML 格式不对');
  });
});

describe('DOCTYPE and ENTITY as text a person typed', () => {
  it('reads them inside CDATA as the message they are', () => {
    const doc = parseWecomXml('<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[教我写 <!DOCTYPE html> 和 <!ENTITY x "y">]]></Content></xml>');
    expect(doc.Content).toBe('教我写 <!DOCTYPE html> 和 <!ENTITY x "y">');
  });
  it('still refuses them outside CDATA, and behind an unterminated CDATA', () => {
    expect(() => parseWecomXml('<xml><!DOCTYPE x><a>1</a></xml>')).toThrow(expect.objectContaining({ code: 'WECOM.BAD_XML' }));
    expect(() => parseWecomXml('<xml><a><![CDATA[x</a><!ENTITY e "z"></xml>')).toThrow(expect.objectContaining({ code: 'WECOM.BAD_XML' }));
  });
});
