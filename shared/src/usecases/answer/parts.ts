/**
 * One message, several requests: "今天下午3点能给公司订40杯吗，能开发票吗". Customers join
 * requests with punctuation, spaces and linking words (还有, 另外, 对了, 顺便问下); the engine
 * answers what it can of them and hands the rest to a person (engine.ts).
 */
import { normalize } from './tokenize';

/** Where one piece of a message ends and the next begins. */
const BREAK = /[，,。.！!？?；;、\s\n]+|(?:还有|另外|对了|顺便问一下|顺便问下|顺便说下|顺便说一下|顺便|再问一下|再问下|以及)(?:就是)?[，,：:\s]*/g;
/** The words that open another request. */
const LINK = /还有|另外|对了|顺便|再问|以及/;

/** Looks like a question one FAQ could answer: a question word or a question ending ("发票能开吧" asks too). */
const QUESTION = /吗|么|嘛|不$|没$|伐$|吧$|来着|呢|啥|什么|多少|几|怎么|咋|如何|哪|能不|可不|是不|有没|要不|行不|\?|？/;

/** A piece that ends as a question ("…吗", "…不"): what follows it is another request. */
const ASKED = /(吗|么|嘛|呢|不|没|伐|吧)$/;

/**
 * A piece of a message; `opens` when it starts the message, follows a linking word ("另外…") or
 * follows a whole question: where customers start another request (elsewhere a piece usually goes
 * on about the same one: "眼睛又胀又疼，是不是度数配错了").
 */
export type Piece = { text: string; opens: boolean };

/** The pieces of a message, in order, without empty ones. */
export function splitPieces(text: string): Piece[] {
  const t = normalize(text);
  const out: Piece[] = [];
  let at = 0;
  let linked = true;
  for (const m of t.matchAll(BREAK)) {
    const piece = t.slice(at, m.index).trim();
    if (piece) out.push({ text: piece, opens: linked || out.length === 0 });
    // a new request follows a linking word, or a piece that was itself a whole question
    if (piece) linked = LINK.test(m[0]) || /[?？]/.test(m[0]) || ASKED.test(piece);
    else if (!linked) linked = LINK.test(m[0]);
    at = m.index! + m[0].length;
  }
  const last = t.slice(at).trim();
  if (last) out.push({ text: last, opens: linked || out.length === 0 });
  return out;
}

/** The pieces' texts. */
export const splitRequests = (text: string): string[] => splitPieces(text).map((p) => p.text);

export const isQuestion = (part: string) => QUESTION.test(part);

/** The words a person must handle, as shown back to the customer: without a trailing 吗/呢 or mark. */
export function asPart(pieces: readonly string[]): string {
  return pieces
    .join('，')
    .replace(/[吗呢吧么嘛]+$/, '')
    .slice(0, 40);
}
