import fc from 'fast-check';
import { encrypt, getSignature } from '@wecom/crypto';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { API_ACTIONS, ApiRequest, type ApiAction } from '@xiaoer/shared/contracts/api';
import { AppError } from '@xiaoer/shared/domain/errors';
import { parseWecomXml } from '../cloudfunctions/server/wecom/xml';
import { makeLoginLink } from '../cloudfunctions/server/host/login';
import { loginCookie, startTestHost, type TestHost, VECTOR_A } from './helpers/host';

/**
 * Property-based fuzzing of every input edge: the WeCom callback URL, the callback XML parser and
 * every api action's body. Whatever arrives, the answer is a 2xx or a 4xx with a stable code —
 * never a 5xx, never a crash, never a hang. Loopback only (the host's WeCom is its own sandbox).
 * Counts are sized for ≈ 60 s on a 2-core machine; FUZZ_SEED replays a failing run.
 */
jest.setTimeout(120_000);

const SHOP = 'fuzz-shop';
const CORP = 'ww1122334455667788';
const CODE = /^[A-Z_]+\.[A-Z_]+$/;
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const opts = (numRuns: number) => ({ numRuns, ...(seed === undefined ? {} : { seed }) });

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** The edge's contract for any answer: below 500, and a non-2xx carries the error envelope. */
function checkAnswer(a: Answer, codes: Set<string>) {
  expect(a.status).toBeLessThan(500);
  if (a.status >= 200 && a.status < 300) return;
  expect(a.status).toBeGreaterThanOrEqual(400);
  expect(a.contentType).toMatch(/^application\/json/);
  const body = JSON.parse(a.text) as { ok?: unknown; code?: unknown };
  expect(body.ok).toBe(false);
  expect(String(body.code)).toMatch(CODE);
  codes.add(String(body.code));
}

async function send(url: string, init: RequestInit): Promise<Answer> {
  const res = await fetch(url, init);
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

// ---- arbitraries -------------------------------------------------------------------------

const hex = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: min, maxLength: max });
/** Percent escapes, valid or not (`%E0%A4%A`, `%zz`, `%00`, `%2F`). */
const escapes = fc
  .array(fc.oneof(fc.constantFrom('%', '%2F', '%00', '%zz', '%E0%A4%A', '%C0%AF', '%%', '%F0%9F%98%80', '%5C', '%2e%2e'), fc.constantFrom(...'abcz09-_.~')), {
    minLength: 1,
    maxLength: 30,
  })
  .map((parts) => parts.join(''));
/** A path segment as the client writes it (already escaped where the first three variants need it). */
const merchantSegment = fc.oneof(
  { weight: 3, arbitrary: fc.constant(SHOP) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{1,39}$/) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 50 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 41, maxLength: 4000 }).map(encodeURIComponent) },
  { weight: 2, arbitrary: escapes },
);
const queryValue = fc.oneof(
  hex(0, 80),
  fc.stringMatching(/^[0-9]{1,12}$/),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 300, maxLength: 3000 }),
  fc.base64String({ maxLength: 400 }),
  fc.constant(''),
);
const queryKey = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('msg_signature', 'timestamp', 'nonce', 'echostr') }, fc.string({ maxLength: 12 }));
const randomQuery = fc.oneof(
  fc.dictionary(queryKey, queryValue, { maxKeys: 6 }).map((q) => new URLSearchParams(q).toString()),
  // raw query text: escapes and separators URLSearchParams would never write
  fc.array(fc.oneof(escapes, fc.constantFrom('&', '=', '&&', '==', '+', 'msg_signature=', 'timestamp=', 'echostr=', 'nonce=')), { maxLength: 12 }).map((p) => p.join('')),
);

/** XML-ish text: tags, attributes, entities, CDATA, comments, DOCTYPE, deep nesting. */
const xmlish: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 20 }),
    fc.constantFrom('&amp;', '&lt;', '&#x1F600;', '&#99999999;', '&foo;', '&', '<', '>', ']]>', '&#0;', '\u0000', '\uFFFE', '\uD800'),
    fc.string({ maxLength: 30 }).map((s) => `<![CDATA[${s}]]>`),
    fc.string({ maxLength: 20 }).map((s) => `<!--${s}-->`),
    fc.constantFrom('<!DOCTYPE xml [<!ENTITY x "y">]>', '<!ENTITY a SYSTEM "file:///etc/passwd">', '<?xml version="1.0"?>', '<?php ?>'),
    fc
      .tuple(
        fc.constantFrom('xml', 'Encrypt', 'ToUserName', 'MsgType', 'MsgId', 'Event', 'a', '__proto__', 'constructor', 'x:y', '1bad', ''),
        fc.array(
          fc.tuple(
            fc.constantFrom('a', 'id', 'xmlns', 'b:c', '__proto__'),
            fc.oneof(
              fc.string({ maxLength: 10 }),
              fc.nat(3000).map((n) => 'v'.repeat(n)),
            ),
          ),
          { maxLength: 3 },
        ),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.boolean(),
      )
      .map(([tag, attrs, kids, close]) => `<${tag}${attrs.map(([k, v]) => ` ${k}="${v}"`).join('')}>${kids.join('')}${close ? `</${tag}>` : ''}`),
  ),
})).node;
const deepNesting = fc
  .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('a', 'xml', 'Encrypt'), fc.boolean())
  .map(([n, tag, closed]) => `<xml>${`<${tag}>`.repeat(n)}${closed ? `</${tag}>`.repeat(n) : ''}</xml>`);
const xmlDocument = fc.oneof(
  xmlish,
  xmlish.map((inner) => `<xml>${inner}</xml>`),
  fc.tuple(fc.constantFrom('', '<!DOCTYPE xml>', '<?xml version="1.0"?>', ' \n', '\uFEFF'), xmlish).map(([pre, inner]) => `${pre}<xml>${inner}</xml>`),
  deepNesting,
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ maxLength: 200 }),
);

/** A body of up to 80 KiB (WeCom's cap is 64 KiB): repeated chunks keep generation cheap. */
const hugeText = fc
  .tuple(fc.string({ minLength: 1, maxLength: 64 }), fc.integer({ min: 1, max: 80 * 1024 }))
  .map(([chunk, n]) => chunk.repeat(Math.ceil(n / chunk.length)).slice(0, n));
const binary = fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b));

// ---- 1. the callback URL ------------------------------------------------------------------

describe('fuzz: the WeCom callback URL (in-process host)', () => {
  let h: TestHost;
  const codes = new Set<string>();
  beforeAll(async () => {
    h = await startTestHost();
    await createMerchant(h.rt.deps, { id: SHOP, name: '模糊测试店', ...VECTOR_A, corpId: CORP });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A signed, encrypted callback whose plaintext is arbitrary: reaches the codec and the inner XML. */
  const signed = (plaintext: string, nonce: string, skewS: number) => {
    const timestamp = String(Math.floor(h.clock.now() / 1000) + skewS);
    const enc = encrypt(VECTOR_A.aesKey, plaintext, CORP);
    return { timestamp, nonce, enc, msg_signature: getSignature(VECTOR_A.token, timestamp, nonce, enc) };
  };

  // found by the fuzzer: a signed GET whose echostr wraps 6 KiB of plaintext made a URL past Node's
  // 16 KiB header limit, and the host's clientError handler answered a bare 400 without the envelope
  it('regression: a URL past the header limit gets a coded 431, not a bare 400', async () => {
    const a = await send(`${h.url}/wecom/callback/${SHOP}?echostr=${'A'.repeat(20_000)}`, {});
    expect(a.status).toBe(431);
    checkAnswer(a, codes);
    expect(JSON.parse(a.text).code).toBe('INPUT.HEADERS_TOO_LARGE');
  });

  it('answers any GET or POST with a 2xx or a coded 4xx, and stays up', async () => {
    const request = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          kind: fc.constant('random' as const),
          method: fc.constantFrom('GET', 'POST'),
          segment: merchantSegment,
          query: randomQuery,
          body: fc.oneof(xmlDocument, hugeText, binary),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('signed' as const),
          method: fc.constantFrom('GET', 'POST'),
          plaintext: fc.oneof(xmlDocument, fc.string({ unit: 'grapheme', maxLength: 300 })),
          nonce: fc.stringMatching(/^[0-9a-z]{1,16}$/),
          skewS: fc.constantFrom(0, 0, 0, 301, -100_000),
          forged: fc.boolean(),
        }),
      },
    );
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        runs++;
        let a: Answer;
        if (r.kind === 'random') {
          const url = `${h.url}/wecom/callback/${r.segment}${r.query ? `?${r.query}` : ''}`;
          a = await send(url, r.method === 'POST' ? { method: 'POST', headers: { 'content-type': 'text/xml' }, body: r.body } : {});
        } else {
          const s = signed(r.plaintext, r.nonce, r.skewS);
          // forged: a signature made with another token (what a stranger who knows the URL can send)
          const sig = r.forged ? getSignature('not-the-token', s.timestamp, s.nonce, s.enc) : s.msg_signature;
          const q = new URLSearchParams({ msg_signature: sig, timestamp: s.timestamp, nonce: s.nonce, ...(r.method === 'GET' ? { echostr: s.enc } : {}) });
          const body = `<xml><ToUserName><![CDATA[${CORP}]]></ToUserName><Encrypt><![CDATA[${s.enc}]]></Encrypt><AgentID><![CDATA[1]]></AgentID></xml>`;
          a = await send(`${h.url}/wecom/callback/${SHOP}?${q}`, r.method === 'POST' ? { method: 'POST', body } : {});
        }
        checkAnswer(a, codes);
      }),
      opts(4000),
    );
    expect(runs).toBeGreaterThanOrEqual(4000);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    // the fuzzer reached past the shape checks into the codec and the parser
    expect([...codes]).toEqual(expect.arrayContaining(['NOT_FOUND.MERCHANT', 'WECOM.BAD_QUERY', 'WECOM.BAD_SIGNATURE', 'WECOM.BAD_XML']));
  });
});

// ---- 2. the XML parser --------------------------------------------------------------------

describe('fuzz: parseWecomXml', () => {
  /**
   * Returns an object or throws a 4xx AppError. No time bound here (a loaded CI machine is slow;
   * speed belongs to the bench): an input that made the synchronous parser blow up would hang
   * the suite past jest's timeout instead.
   */
  const property = (text: string) => {
    try {
      const out = parseWecomXml(text);
      expect(typeof out).toBe('object');
      expect(out).not.toBeNull();
    } catch (err) {
      if (!(err instanceof AppError)) throw new Error(`not an AppError: ${String(err)}`);
      expect(err.status).toBeGreaterThanOrEqual(400);
      expect(err.status).toBeLessThan(500);
      expect(err.code).toMatch(CODE);
    }
  };

  it('returns an object or throws a 4xx AppError for any text', () => {
    fc.assert(fc.property(fc.oneof(xmlDocument, fc.string({ unit: 'binary', maxLength: 2000 }), hugeText), property), opts(10_000));
  });

  it('refuses a DOCTYPE even without entities, and a billion-laughs document without expanding it', () => {
    const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><xml><a>&lol9;</a></xml>`;
    expect(() => parseWecomXml(lol)).toThrow(AppError);
    property('<xml><a b="' + 'x'.repeat(1 << 20) + '"/></xml>');
  });
});

// ---- 3. every api action's input ----------------------------------------------------------

describe('fuzz: every api action over POST /fn/api (owner session)', () => {
  let h: TestHost;
  let cookie: string;
  const codes = new Set<string>();
  const login = async () => (cookie = await loginCookie(await makeLoginLink(h.rt, SHOP, 'owner', h.url)));
  beforeAll(async () => {
    h = await startTestHost();
    await createMerchant(h.rt.deps, { id: SHOP, name: '模糊测试店', ...VECTOR_A, corpId: CORP });
    await login();
  });
  afterAll(async () => {
    await h?.close();
  });

  const shapeOf = (action: ApiAction) => Object.keys(ApiRequest.options.find((o) => o.shape.action.value === action)!.shape);
  const bigString = fc.integer({ min: 1000, max: 70_000 }).map((n) => '长'.repeat(Math.floor(n / 3)));
  const value = fc.oneof(
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
    fc.constantFrom(null, true, false, 0, -1, 7, 30, 1e308, '', ' ', 'owner', 'staff', 'json', 'csv', 'xlsx', 'media:0123456789abcdef', 'local-owner', SHOP),
    bigString,
  );
  /** A body for `action`: its own fields with arbitrary values, extra fields, sometimes another action or merchant. */
  const bodyFor = (action: ApiAction) => {
    const fields = shapeOf(action).filter((k) => k !== 'action' && k !== 'merchantId');
    return fc
      .record({
        action: fc.oneof({ weight: 8, arbitrary: fc.constant<unknown>(action) }, fc.constantFrom<unknown>(...API_ACTIONS), value),
        merchantId: fc.oneof({ weight: 8, arbitrary: fc.constant<unknown>(SHOP) }, value),
        own: fields.length ? fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: fields.length }) : fc.constant({}),
        extra: fc.dictionary(fc.string({ maxLength: 12 }), value, { maxKeys: 3 }),
        shape: fc.constantFrom('object', 'object', 'object', 'object', 'array', 'scalar'),
      })
      .map(({ action: a, merchantId, own, extra, shape }) => {
        const obj = { ...extra, ...own, action: a, merchantId };
        return shape === 'object' ? obj : shape === 'array' ? [obj] : a;
      });
  };

  let total = 0;
  it.each(API_ACTIONS)('%s: any body gets a 2xx or a coded 4xx', async (action) => {
    await fc.assert(
      fc.asyncProperty(bodyFor(action), async (body) => {
        total++;
        const a = await send(`${h.url}/fn/api`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
        checkAnswer(a, codes);
        // 退出所有设备 worked: the session is gone, so the next bodies would only meet the login check
        if (a.status === 200 && (body as { action?: unknown }).action === 'me.signOutEverywhere') await login();
      }),
      opts(150),
    );
  });

  it('stays up after all of them', async () => {
    expect(total).toBeGreaterThanOrEqual(150 * API_ACTIONS.length);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect(codes.has('INPUT.INVALID')).toBe(true);
  });
});
